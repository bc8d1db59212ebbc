/**
 * The `predecoder` object of Wazuh's alert and logtest JSON. `program_name` and `timestamp` come
 * from the pre-decoder (`to_json.c`), but `hostname` does not: `json_extended.c` takes it from
 * `full_log` with the POSIX regex
 * `^[A-Z][a-z][a-z] [ 0123][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] ([^ ]+)`, so it is set only for
 * the classic `Mmm dd hh:mm:ss` header and can differ from the parsed host (for example
 * `cyrus/pop3[4297]:` when the header has no host). Local events whose header has no host never
 * show the manager's hostname here.
 * @module
 */
import { DIGIT, LOWER, UPPER } from './chars.ts';
import type { Predecoded } from './predecode.ts';

/** The `predecoder` JSON object; keys are present only when set. */
export interface PredecoderJson {
  program_name?: string;
  timestamp?: string;
  hostname?: string;
}

/** The host `json_extended.c` reports for `fullLog`, or null when its regex does not match. */
export function outputHostname(fullLog: string): string | null {
  const s = fullLog;
  if (
    UPPER[s.charCodeAt(0)] !== 1 || LOWER[s.charCodeAt(1)] !== 1 || LOWER[s.charCodeAt(2)] !== 1 || s.charCodeAt(3) !== 0x20
  ) return null;
  const d1 = s.charCodeAt(4);
  if (!(d1 === 0x20 || (d1 >= 0x30 && d1 <= 0x33)) || DIGIT[s.charCodeAt(5)] !== 1 || s.charCodeAt(6) !== 0x20) return null;
  for (let i = 7; i < 15; i += 3) {
    if (DIGIT[s.charCodeAt(i)] !== 1 || DIGIT[s.charCodeAt(i + 1)] !== 1) return null;
    if (i < 13 && s.charCodeAt(i + 2) !== 0x3a) return null;
  }
  if (s.charCodeAt(15) !== 0x20) return null;
  // ([^ ]+): at least one byte; the C string ends the run as a space does.
  let end = 16;
  while (end < s.length && s.charCodeAt(end) !== 0x20) end++;
  return end > 16 ? s.slice(16, end) : null;
}

/** The `predecoder` object as wazuh-logtest prints it, or null when it would be absent. */
export function predecoderJson(p: Predecoded): PredecoderJson | null {
  const host = outputHostname(p.fullLog);
  if (p.programName === null && p.timestamp === null && host === null) return null;
  const out: PredecoderJson = {};
  if (p.programName !== null) out.program_name = p.programName;
  if (p.timestamp !== null) out.timestamp = p.timestamp;
  if (host !== null) out.hostname = host;
  return out;
}
