/**
 * SymantecWS_Decoder: Symantec Web Security CSV lines (`20070717,73614,1=5,11=1.2.3.4,…`).
 * Reads the whole `log` (the plugin ignores `plugin_offset`).
 * @module
 */
import type { EventInfo } from '../event.ts';

const USER_MAX = 128;
const IP_MAX = 128;
const URL_MAX = 1024;
const ID_MAX = 9;

/**
 * Run SymantecWS_Decoder on `log`. Keys: `10=` dstuser, `11=` srcip, `60=` url, `2=`/`3=` id;
 * each static field is only set while still unset (the first occurrence wins).
 */
export function decodeSymantecWs(ev: EventInfo, log: string): void {
  // The reference means to skip date and time, but its second comma search starts on the first
  // comma itself, so only the date is skipped and the time is read as an (unknown) entry.
  const first = log.indexOf(',');
  if (first < 0) return;
  let p = first + 1;
  const len = log.length;
  for (;;) {
    if (log.startsWith('10=', p)) {
      const end = valueEnd(log, p + 3, USER_MAX);
      if (ev.dstuser === null) ev.dstuser = log.slice(p + 3, end);
      p = end;
    } else if (log.startsWith('11=', p)) {
      const end = valueEnd(log, p + 3, IP_MAX);
      if (ev.srcip === null) ev.srcip = log.slice(p + 3, end);
      p = end;
    } else if (log.startsWith('60=', p)) {
      const end = valueEnd(log, p + 3, URL_MAX);
      if (ev.url === null) ev.url = log.slice(p + 3, end);
      p = end;
    } else if (log.startsWith('3=', p) || log.startsWith('2=', p)) {
      // The id keeps its key and does not stop at a comma: the next 9 bytes, whatever they are
      // ("3=1,2=1"); the scan for the next entry then resumes after them.
      const end = p + ID_MAX < len ? p + ID_MAX : len;
      if (ev.id === null) ev.id = log.slice(p, end);
      p = end;
    }
    const comma = log.indexOf(',', p);
    if (comma < 0) return;
    p = comma + 1;
  }
}

/** End of a value starting at `start`: the next comma, the end of the log, or `max` bytes. */
function valueEnd(log: string, start: number, max: number): number {
  const limit = start + max < log.length ? start + max : log.length;
  let e = start;
  while (e < limit && log.charCodeAt(e) !== 0x2c) e++;
  return e;
}
