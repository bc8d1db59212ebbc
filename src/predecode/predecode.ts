/**
 * The pre-decoder: Wazuh 4.14.7's `OS_CleanMSG` (analysisd/cleanevent.c). It splits the syslog-
 * style header (timestamp, host, program name) off the message and resolves the agent prefix of
 * the location. Decoders and rules then run on `log`.
 *
 * The C works on a copy of the message, writing NULs into it to end the host, program name and
 * (in a few odd cases) `log` itself; this port tracks the same start/end offsets instead, so each
 * field is the byte range the C string would cover. Scanning is by char code, without regexes.
 * @module
 */
import { ALNUM, DIGIT, HOST_CHAR, LOWER } from './chars.ts';
import {
  classifyHeader, HDR_APACHE, HDR_ASL, HDR_SNORT, HDR_SQUID, HDR_SURICATA, HDR_SYSLOG, HDR_XFERLOG, syslogSkip,
} from './header.ts';

/** The result of pre-decoding one event. All strings are byte strings. */
export interface Predecoded {
  /** The location, after agent-prefix handling: `[001] (web01) ip->file` becomes `(web01) ip->file`. */
  location: string;
  /** `'000'` for local events, else the id between the location's brackets. */
  agentId: string;
  /** The agent name for agent events (`''` when the location has none), null for local events. */
  agentName: string | null;
  /** The whole message (up to a NUL byte, as the C string). */
  fullLog: string;
  /** The message without its header: what decoders and rules see. */
  log: string;
  programName: string | null;
  /**
   * The syslog host if one was parsed; for agent events always the agent name. For local events
   * with no parsed host, `options.managerHostname` (the C uses the manager's short hostname), else null.
   */
  hostname: string | null;
  /** The header's timestamp text, verbatim as the C cuts it, or null. */
  timestamp: string | null;
}

/** Options of {@link predecode}. */
export interface PredecodeOptions {
  /** The hostname local events get when their header has none (Wazuh's `__shost`). */
  readonly managerHostname?: string;
}

const SP = 0x20;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

/**
 * Pre-decode one event as `OS_CleanMSG` does.
 * @param location the queue location (`/var/log/auth.log`, `stdin`, or `[001] (web01) 10.0.0.5->/var/log/auth.log`)
 * @param message the raw message bytes as a byte string
 * @example
 * predecode('/var/log/auth.log', 'Dec  4 21:47:57 srv18 sshd[6697]: Invalid user oracle')
 * // → { programName: 'sshd', hostname: 'srv18', timestamp: 'Dec  4 21:47:57', log: 'Invalid user oracle', … }
 */
export function predecode(location: string, message: string, options?: PredecodeOptions): Predecoded {
  // The C handles the message as a C string: it ends at the first NUL byte.
  const nul = message.indexOf('\0');
  const m = nul < 0 ? message : message.slice(0, nul);
  const n = m.length;

  // "Mär" repair: the C tests the header on a view shifted by one byte (with "Ma" in front), but
  // keeps the original length and cuts `log` and the timestamp from the unshifted copy.
  const s = n >= 2 && m.charCodeAt(1) === 0xc3 && m.charCodeAt(2) === 0xa4 ? `Ma${m.slice(3)}` : m;

  let logStart = 0;
  let logEnd = n;
  let tsStart = -1;
  let tsEnd = -1;
  let hostStart = -1;
  let hostEnd = -1;
  let progStart = -1;
  let progEnd = -1;

  const kind = classifyHeader(s, n);
  if (kind === HDR_SYSLOG) {
    const skip = syslogSkip;
    tsStart = 0;
    tsEnd = skip - 1;
    let p = skip;
    if (m.charCodeAt(p) === SP) p++;
    logStart = p;
    // `rest` is where the [ID …] check runs; -1 when the C sets its cursor to NULL.
    let rest = -1;
    const h = p;
    while (HOST_CHAR[m.charCodeAt(p)] === 1) p++;
    const hc = m.charCodeAt(p);
    if (hc === COLON && m.charCodeAt(p + 1) === SP) {
      // No host (Solaris style): the word is the program name.
      progStart = h;
      progEnd = p;
      rest = p + 2;
    } else if (hc === SP) {
      hostStart = h;
      hostEnd = p;
      p++;
      logStart = p;
      const ps = p;
      while (HOST_CHAR[m.charCodeAt(p)] === 1) p++;
      const pc = m.charCodeAt(p);
      if (pc === COLON) {
        // "name:" with an optional space.
        progStart = ps;
        progEnd = p;
        p++;
        if (m.charCodeAt(p) === SP) p++;
        rest = p;
      } else if (pc === LBRACKET && DIGIT[m.charCodeAt(p + 1)] === 1) {
        const nameEnd = p;
        p += 2;
        while (DIGIT[m.charCodeAt(p)] === 1) p++;
        if (m.charCodeAt(p) === RBRACKET && m.charCodeAt(p + 1) === COLON) {
          // "name[pid]:" with an optional space.
          p += 2;
          if (m.charCodeAt(p) === SP) p++;
          progStart = ps;
          progEnd = nameEnd;
          rest = p;
        } else if (m.charCodeAt(p) === RBRACKET && m.charCodeAt(p + 1) === SP) {
          // "name[pid] " (no colon).
          progStart = ps;
          progEnd = nameEnd;
          rest = p + 2;
        }
        // Otherwise no program name; the C restores the '[' it had cut, and `log` stays after the host.
      } else if (pc === 0x7c && LOWER[m.charCodeAt(p + 1)] === 1) {
        // AIX: "facility|x…:severity name: …"
        p += 2;
        while (ALNUM[m.charCodeAt(p)] === 1) p++;
        if (m.charCodeAt(p) === COLON) {
          p++;
          while (ALNUM[m.charCodeAt(p)] === 1) p++;
          if (m.charCodeAt(p) === SP) {
            p++;
            const as = p;
            while (HOST_CHAR[m.charCodeAt(p)] === 1) p++;
            const ac = m.charCodeAt(p);
            progStart = as;
            if (ac === COLON && m.charCodeAt(p + 1) === SP) {
              progEnd = p;
              rest = p + 2;
            } else if (ac === LBRACKET && DIGIT[m.charCodeAt(p + 1)] === 1) {
              // The C cuts the string at the '[' before looking further and never restores it,
              // so on failure `log` (still right after the host) ends there too.
              progEnd = p;
              const cut = p;
              p += 2;
              while (DIGIT[m.charCodeAt(p)] === 1) p++;
              if (m.charCodeAt(p) === RBRACKET && m.charCodeAt(p + 1) === COLON && m.charCodeAt(p + 2) === SP) {
                rest = p + 3;
              } else {
                logEnd = cut;
              }
            } else {
              // Neither form: the C keeps the name unterminated, so it runs to the end of the
              // message, and `log` starts right after the name.
              progEnd = n;
              rest = p;
            }
          }
        }
      }
    }
    // Any other char after the host run: invalid header, no host and no program name.

    if (rest >= 0) {
      logStart = rest;
      // "[ID 123 facility.severity] " (Solaris); the C steps two bytes past the ']' blindly.
      if (m.charCodeAt(rest) === LBRACKET && m.charCodeAt(rest + 1) === 0x49 && m.charCodeAt(rest + 2) === 0x44 && m.charCodeAt(rest + 3) === SP) {
        const close = m.indexOf(']', rest + 4);
        if (close >= 0) logStart = close + 2;
      }
    }
  } else if (kind === HDR_XFERLOG) {
    tsStart = 0;
    tsEnd = 24;
    logStart = 25;
  } else if (kind === HDR_SNORT) {
    tsStart = 0;
    tsEnd = 21;
    logStart = 23;
  } else if (kind === HDR_SURICATA) {
    tsStart = 0;
    tsEnd = 26;
    logStart = 28;
  } else if (kind === HDR_APACHE) {
    tsStart = 1;
    tsEnd = 25;
    logStart = 27;
  } else if (kind === HDR_SQUID) {
    let p = 14;
    while (m.charCodeAt(p) === SP) p++;
    logStart = p;
    // The C cuts the timestamp one byte before `log`, so it keeps all but one of the spaces.
    tsStart = 0;
    tsEnd = p - 1;
  } else if (kind === HDR_ASL) {
    // Only the fields are taken; ASL sets no timestamp text.
    logStart = 25;
    let msgFound = false;
    let senderCut = -1;
    let hostCut = -1;
    let p = m.indexOf('[', 25);
    while (p >= 0) {
      p++;
      if (progStart < 0 && m.startsWith('Sender ', p)) {
        p += 7;
        const close = m.indexOf(']', p);
        if (close < 0) break;
        progStart = p;
        progEnd = close;
        senderCut = close;
        p = close + 1;
      } else if (!msgFound && m.startsWith('Message ', p)) {
        p += 8;
        msgFound = true;
        logStart = p;
        const close = m.indexOf(']', p);
        if (close < 0) break;
        logEnd = close;
        p = close + 1;
      } else if (m.startsWith('Host ', p)) {
        p += 5;
        const close = m.indexOf(']', p);
        if (close >= 0) {
          hostStart = p;
          hostEnd = close;
          hostCut = close;
        }
        break;
      }
      p = m.indexOf('[', p);
    }
    if (!msgFound) {
      // `log` still starts inside the header; it ends at the first ']' the loop cut.
      if (senderCut >= 0) logEnd = senderCut;
      if (hostCut >= 0 && hostCut < logEnd) logEnd = hostCut;
    }
  }

  // The C can step past the end of the string in two blind skips; read that as empty.
  if (logStart > n) logStart = n;
  if (logEnd < logStart) logEnd = logStart;

  let agentId = '000';
  let agentName: string | null = null;
  let loc = location;
  let hostname = hostStart >= 0 ? m.slice(hostStart, hostEnd) : null;
  const close = location.charCodeAt(0) === LBRACKET ? location.indexOf(']') : -1;
  if (close >= 0) {
    // "[001] (web01) 10.0.0.5->/var/log/auth.log": the host is always the agent name.
    agentId = location.slice(1, close);
    loc = close + 1 < location.length ? location.slice(close + 2) : '';
    if (loc.charCodeAt(0) === 0x28) {
      const end = loc.indexOf(')');
      agentName = end >= 0 ? loc.slice(1, end) : '';
    } else {
      agentName = '';
    }
    hostname = agentName;
  } else if (hostname === null && options?.managerHostname !== undefined) {
    hostname = options.managerHostname;
  }

  return {
    location: loc,
    agentId,
    agentName,
    fullLog: m,
    log: logStart === 0 && logEnd === n ? m : m.slice(logStart, logEnd),
    programName: progStart >= 0 ? m.slice(progStart, progEnd) : null,
    hostname,
    timestamp: tsStart >= 0 ? m.slice(tsStart, tsEnd) : null,
  };
}

/**
 * False when `OS_CleanMSG` would reject the location (`FORMAT_ERROR`, the event is dropped): an
 * agent location (starting with `[`) without the closing `]`. {@link predecode} itself does not
 * reject it and treats such a location as a local one.
 */
export function isValidLocation(location: string): boolean {
  return location.charCodeAt(0) !== LBRACKET || location.indexOf(']') >= 0;
}
