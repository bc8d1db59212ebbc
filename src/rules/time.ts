/**
 * `<time>` and `<weekday>` of rules (the reference's OS_IsValidTime / OS_IsValidDay).
 * @module
 */
import type { TimeRange } from './types.ts';

function parseClock(s: string): number | null {
  const m = /^(\d{1,2})(?::(\d{1,2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/i.exec(s.trim());
  if (!m) return null;
  let h = Number(m[1]);
  const min = m[2] !== undefined ? Number(m[2]) : 0;
  const ampm = m[3]?.toLowerCase();
  if (h > 23 || min > 59) return null;
  if (ampm?.startsWith('p') && h < 12) h += 12;
  if (ampm?.startsWith('a') && h === 12) h = 0;
  return h * 60 + min;
}

/** Parse `hh[:mm][am|pm] - hh[:mm][am|pm]`, optionally prefixed by `!`; null if invalid. */
export function parseTimeRange(text: string): TimeRange | null {
  let s = text.trim();
  let negate = false;
  if (s.startsWith('!')) {
    negate = true;
    s = s.slice(1);
  }
  const parts = s.split('-');
  if (parts.length !== 2) return null;
  const a = parseClock(parts[0] as string);
  const b = parseClock(parts[1] as string);
  if (a === null || b === null) return null;
  // A range that crosses midnight is stored as the negation of its complement.
  if (a > b) return { startMin: b, endMin: a, negate: !negate };
  return { startMin: a, endMin: b, negate };
}

/** Whether `minuteOfDay` is inside the range. */
export function inTimeRange(r: TimeRange, minuteOfDay: number): boolean {
  const inside = minuteOfDay >= r.startMin && minuteOfDay < r.endMin;
  return r.negate ? !inside : inside;
}

const DAYS: Record<string, number> = {
  sunday: 1, sun: 1, monday: 2, mon: 2, tuesday: 4, tue: 4, wednesday: 8, wed: 8,
  thursday: 16, thu: 16, friday: 32, fri: 32, saturday: 64, sat: 64,
  weekdays: 2 | 4 | 8 | 16 | 32, weekends: 1 | 64,
};

/** Parse a weekday list (`monday,tuesday`, `weekends`…) to a bitmask (bit d = day d, Sunday 0). */
export function parseWeekdays(text: string): number | null {
  let mask = 0;
  for (const raw of text.split(/[\s,]+/)) {
    if (raw === '') continue;
    const bit = DAYS[raw.toLowerCase()];
    if (bit === undefined) return null;
    mask |= bit;
  }
  return mask === 0 ? null : mask;
}
