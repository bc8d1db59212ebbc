/**
 * OSSECAlert_Decoder: alerts forwarded by another OSSEC/Wazuh server over syslog
 * (`Alert Level: 3; Rule: 5715 - desc; Location: (jul) 1.2.3.4->/var/log/secure; srcip: 1.2.3.4;
 * user: root;  <original log>`: csyslogd puts two spaces before the original log). Reads the
 * whole `log` (the plugin ignores `plugin_offset`).
 *
 * Besides srcip and dstuser, the reference rewrites the event: location becomes
 * `<location>|<alert location>`, hostname becomes that same string, and full_log/log become the
 * original log carried by the alert. Those are applied here. What is not applied (the caller owns
 * it): the decoder's type becomes OSSEC_ALERT for the event, which makes analysisd skip rule
 * matching and alert with the generated rule (the forwarded rule id, returned here), or drop the
 * event when there is none.
 * @module
 */
import type { EventInfo } from '../event.ts';

const SP = 0x20;
/** snprintf into a 256-byte buffer with size 255: at most 254 bytes. */
const LOCATION_MAX = 254;
/** strncpy of 4094 bytes into the new full log. */
const FULL_LOG_MAX = 4094;

/** Whether a rule id (as written in the alert) names a loaded rule; null accepts every id. */
export type RuleLookup = ((id: string) => boolean) | null;

/**
 * Run OSSECAlert_Decoder on `log`. Returns the forwarded rule id when the whole alert was parsed
 * (the reference's `generated_rule`), else null. With a `hasRule` that rejects the id nothing is
 * changed, as in the reference.
 */
export function decodeOssecAlert(ev: EventInfo, log: string, hasRule: RuleLookup): string | null {
  // The reference compares 12 and 18 bytes: "Alert Level:" and "ossec: Alert Level".
  if (!log.startsWith('Alert Level:') && !log.startsWith('ossec: Alert Level')) return null;
  let p = log.indexOf(';');
  if (p < 0) return null;
  p = log.indexOf(':', p + 1);
  if (p < 0 || log.charCodeAt(p + 1) !== SP) return null;
  p += 2;
  const idEnd = log.indexOf(' ', p);
  if (idEnd < 0) return null;
  const ruleId = log.slice(p, idEnd);
  if (hasRule !== null && !hasRule(ruleId)) return null;

  p = log.indexOf(';', idEnd);
  if (p < 0) return null;
  p++;
  if (!log.startsWith(' Location: ', p)) return null;
  p += 11;
  const locEnd = log.indexOf(';', p);
  if (locEnd < 0) return null;
  const location = `${ev.location}|${log.slice(p, locEnd)}`;
  ev.location = location.length > LOCATION_MAX ? location.slice(0, LOCATION_MAX) : location;
  ev.hostname = ev.location;

  // Optional "; key: value" entries, each one space after the previous ';'. Two spaces end them.
  p = locEnd + 1;
  while (log.charCodeAt(p) === SP && log.charCodeAt(p + 1) !== SP) {
    p++;
    const end = log.indexOf(';', p);
    // An unterminated entry stops here, with location and earlier fields already set.
    if (end < 0) return null;
    if (log.startsWith('srcip: ', p)) ev.srcip = log.slice(p + 7, end);
    if (log.startsWith('user: ', p)) ev.dstuser = log.slice(p + 6, end);
    p = end + 1;
  }
  while (log.charCodeAt(p) === SP) p++;

  // Beyond 4094 bytes the reference reads one uninitialised byte; we stop at 4094.
  const original = p === 0 ? log : log.slice(p);
  const full = original.length > FULL_LOG_MAX ? original.slice(0, FULL_LOG_MAX) : original;
  ev.fullLog = full;
  ev.log = full;
  return ruleId;
}
