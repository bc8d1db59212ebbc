/**
 * Event time from a log header, for replay: `riposte replay` correlates on the events' own
 * timestamps so a week of logs replays as a week. Pure; the year of year-less syslog stamps is
 * inferred from a hint and rolls forward when the month wraps (Dec → Jan).
 * @module
 */

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

function month(name: string): number | undefined {
  return MONTHS[name.slice(0, 3).toLowerCase()];
}

/** Local-time components → seconds since the epoch. */
function localEpoch(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  return Math.floor(new Date(y, mo, d, h, mi, s).getTime() / 1000);
}

/** Stateful parser for one stream (year inference depends on the previous stamps). */
export class EventClock {
  private year: number;
  private lastMonth = -1;

  /** @param yearHint year of the first year-less stamp (e.g. the log file's modification year). */
  constructor(yearHint: number) {
    this.year = yearHint;
  }

  /** Seconds since the epoch for a header timestamp, or null when it cannot be read. */
  parse(ts: string): number | null {
    let m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,]\d+)?\s*(Z|[+-]\d{2}:?\d{2})?/.exec(ts);
    if (m) {
      const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
      const tz = m[7];
      if (tz === undefined) return localEpoch(y, mo - 1, d, h, mi, s);
      const utc = Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
      if (tz === 'Z') return utc;
      const sign = tz[0] === '-' ? -1 : 1;
      const digits = tz.slice(1).replace(':', '');
      return utc - sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4)) * 60);
    }
    m = /^(\d{4}) ([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})/.exec(ts);
    if (m) {
      const mo = month(m[2] as string);
      if (mo === undefined) return null;
      return localEpoch(Number(m[1]), mo, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
    }
    // apache error log: "Fri Feb 11 18:06:35 2004"
    m = /^[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? (\d{4})/.exec(ts);
    if (m) {
      const mo = month(m[1] as string);
      if (mo === undefined) return null;
      return localEpoch(Number(m[6]), mo, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
    }
    m = /^([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})/.exec(ts);
    if (m) {
      const mo = month(m[1] as string);
      if (mo === undefined) return null;
      // Year-less syslog stamp: a jump back of more than six months is a new year.
      if (this.lastMonth !== -1 && mo < this.lastMonth && this.lastMonth - mo > 6) this.year++;
      this.lastMonth = mo;
      return localEpoch(this.year, mo, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
    }
    m = /^(\d{9,11})(?:\.\d+)?\s*$/.exec(ts);
    if (m) return Number(m[1]);
    return null;
  }
}
