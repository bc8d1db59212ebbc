/**
 * The decoder accumulator (`<accumulate/>`): events sharing hostname, decoder and `id` within
 * 120 s fill their empty user, address, port and data fields from each other.
 * @module
 */
import type { EventInfo } from '../decode/event.ts';

const EXPIRE_SEC = 120;
/** Values longer than this are neither stored nor copied (the reference's OS_ACM_MAXELM − 1). */
const MAX_VALUE = 80;
const FIELDS = ['dstuser', 'srcuser', 'dstip', 'srcip', 'dstport', 'srcport', 'data'] as const;

interface Stored {
  time: number;
  values: Record<(typeof FIELDS)[number], string | null>;
}

function fill(current: string | null, from: string | null): string | null {
  if (from === null || from === '' || from.length > MAX_VALUE) return current;
  if (current !== null && current !== '') return current;
  return from;
}

export class Accumulator {
  private readonly store = new Map<string, Stored>();
  private lookups = 0;

  /** Merge `ev` with what earlier events of the same key left, then remember its fields. */
  accumulate(ev: EventInfo, now: number): void {
    if (ev.id === null || ev.decoder === null) return;
    if (++this.lookups >= 200) this.purge(now);
    const key = `${ev.hostname ?? '(null)'} ${ev.decoder.name} ${ev.id}`;
    let stored = this.store.get(key);
    if (stored && stored.time > 0 && stored.time < now - EXPIRE_SEC) stored = undefined;
    if (stored) {
      for (const f of FIELDS) ev[f] = fill(ev[f], stored.values[f]);
    } else {
      stored = { time: now, values: { dstuser: null, srcuser: null, dstip: null, srcip: null, dstport: null, srcport: null, data: null } };
    }
    stored.time = now;
    for (const f of FIELDS) stored.values[f] = fill(stored.values[f], ev[f]);
    this.store.set(key, stored);
  }

  private purge(now: number): void {
    this.lookups = 0;
    for (const [k, v] of this.store) if (v.time < now - EXPIRE_SEC) this.store.delete(k);
  }
}
