/**
 * Correlation memory of one session: the stored events (newest last), bounded like analysisd's
 * event list, and the per-rule stored-event lists that `if_matched_sid`/`if_matched_group` search.
 * @module
 */
import type { EventInfo } from '../decode/event.ts';
import type { Rule } from '../rules/types.ts';

/** analysisd's default `memory_size`. */
export const DEFAULT_MEMORY_SIZE = 8192;
const EVICT_BATCH = 10;

export interface StoredEvent {
  readonly ev: EventInfo;
  readonly rule: Rule;
  /** Owner indexes of the rule lists this event was appended to. */
  readonly lists: readonly number[];
}

export class CorrelationMemory {
  /** All stored events, oldest first. */
  readonly events: StoredEvent[] = [];
  /** Per owner rule index: stored events of that list, oldest first. */
  readonly lists: Array<StoredEvent[] | undefined> = [];

  private readonly maxSize: number;

  constructor(maxSize: number = DEFAULT_MEMORY_SIZE) {
    this.maxSize = maxSize;
  }

  list(owner: number): readonly StoredEvent[] {
    return this.lists[owner] ?? EMPTY;
  }

  /** Store an event whose final rule was `rule` (level > 0, not suppressed). */
  add(ev: EventInfo, rule: Rule): void {
    const owners: number[] = rule.sidPrevMatched ? [rule.index] : rule.groupPrevMatched;
    const stored: StoredEvent = { ev, rule, lists: owners };
    for (const o of owners) {
      let l = this.lists[o];
      if (!l) {
        l = [];
        this.lists[o] = l;
      }
      l.push(stored);
    }
    this.events.push(stored);
    if (this.events.length > this.maxSize) this.evict();
  }

  private evict(): void {
    const gone = this.events.splice(0, EVICT_BATCH);
    for (const s of gone) {
      for (const o of s.lists) {
        const l = this.lists[o];
        if (!l) continue;
        const i = l.indexOf(s);
        if (i !== -1) l.splice(i, 1);
      }
    }
  }
}

const EMPTY: readonly StoredEvent[] = [];
