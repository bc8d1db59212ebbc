/**
 * One journal entry as `journalctl --output=json` prints it, turned into what Wazuh 4.14's
 * logcollector makes of it: the filters of the journald `<localfile>` blocks, then the plain
 * syslog line `Mmm dd hh:mm:ss HOST IDENT[PID]: MESSAGE` the decoders expect. No I/O.
 *
 * As in logcollector (`journal_log.c`): the time is the entry's `__REALTIME_TIMESTAMP` in UTC with
 * a zero-padded day ("Mar 01"); the PID is `SYSLOG_PID`, else `_PID`, and "[PID]" is left out when
 * there is neither; an entry without `_HOSTNAME`, `SYSLOG_IDENTIFIER` or `MESSAGE` is not a
 * syslog line and is skipped. Several values of one field: the first counts (sd_journal_get_data).
 * @module
 */
import { utf8ToBin } from '../bytes.ts';
import type { CompiledPattern } from '../regex/types.ts';

/** One `<filter>`: `pattern` must match the field's value. */
export interface JournalFilterUnit {
  readonly field: string;
  readonly pattern: CompiledPattern;
  readonly ignoreIfMissing: boolean;
}

/** The filters of one journald block: all must match. */
export type JournalFilterGroup = readonly JournalFilterUnit[];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * A field of a JSON entry as a byte string, or null when absent. journalctl prints a value that is
 * not printable UTF-8 as an array of byte values, a field present several times as an array of
 * values, and a field it would not print (over 4096 bytes without `--all`) as null.
 * @example fieldBin({ MESSAGE: [104, 105] }, 'MESSAGE') // 'hi'
 */
export function fieldBin(entry: Readonly<Record<string, unknown>>, name: string): string | null {
  return valueBin(entry[name], true);
}

function valueBin(v: unknown, top: boolean): string | null {
  if (typeof v === 'string') return utf8ToBin(v);
  if (!Array.isArray(v) || v.length === 0) return null;
  if (typeof v[0] === 'number') return bytesOf(v);
  // Several values: the first one (only at the top level: a value is never nested deeper).
  return top ? valueBin(v[0], false) : null;
}

function bytesOf(v: readonly unknown[]): string | null {
  let s = '';
  for (const b of v) {
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) return null;
    s += String.fromCharCode(b);
  }
  return s;
}

/** Whether the entry passes the filters: no group at all, or every filter of some group. */
export function passesFilters(entry: Readonly<Record<string, unknown>>, groups: readonly JournalFilterGroup[]): boolean {
  if (groups.length === 0) return true;
  return groups.some((g) => g.every((u) => {
    const value = fieldBin(entry, u.field);
    if (value === null) return u.ignoreIfMissing;
    return u.pattern.test(value);
  }));
}

/** `Mmm dd hh:mm:ss` of a time in microseconds since the epoch, in UTC (logcollector's gmtime). */
export function syslogStamp(realtimeUs: number): string {
  const d = new Date(Math.floor(realtimeUs / 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()] ?? 'Jan'} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** The entry's `__REALTIME_TIMESTAMP` in microseconds, or null when it is not a plain number. */
export function realtimeUs(entry: Readonly<Record<string, unknown>>): number | null {
  const v = entry['__REALTIME_TIMESTAMP'];
  if (typeof v !== 'string' || !/^\d{1,16}$/.test(v)) return null;
  return Number(v);
}

/**
 * The syslog line of an entry (a byte string), or null when it lacks a field the line needs.
 * @example renderSyslogLine({ __REALTIME_TIMESTAMP: '1700000000000000', _HOSTNAME: 'h', SYSLOG_IDENTIFIER: 'sshd', _PID: '7', MESSAGE: 'hi' })
 * // 'Nov 14 22:13:20 h sshd[7]: hi'
 */
export function renderSyslogLine(entry: Readonly<Record<string, unknown>>): string | null {
  const us = realtimeUs(entry);
  const host = fieldBin(entry, '_HOSTNAME');
  const ident = fieldBin(entry, 'SYSLOG_IDENTIFIER');
  const message = fieldBin(entry, 'MESSAGE');
  if (us === null || host === null || ident === null || message === null) return null;
  const pid = fieldBin(entry, 'SYSLOG_PID') ?? fieldBin(entry, '_PID');
  return `${syslogStamp(us)} ${host} ${ident}${pid === null ? '' : `[${pid}]`}: ${message}`;
}
