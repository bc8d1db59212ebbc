/**
 * Correlation memory of one session: the stored events (newest last), bounded like analysisd's
 * event list, and the per-rule stored-event lists that `if_matched_sid`/`if_matched_group` search.
 * Every list also keeps a per-source-IP view, so a `same_source_ip` search only visits the
 * events of that address instead of the whole window.
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
  /** Owner indexes of the rule lists this event was appended to (repeated once per tree path). */
  readonly lists: readonly number[];
}

/**
 * An array used as a queue: old entries leave from the front in O(1) by moving `head`; the
 * backing array is compacted once the dead prefix dominates.
 */
export class EventQueue {
  items: StoredEvent[] = [];
  head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(s: StoredEvent): void {
    this.items.push(s);
  }

  remove(s: StoredEvent): void {
    if (this.items[this.head] === s) {
      this.items[this.head] = undefined as unknown as StoredEvent;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return;
    }
    const i = this.items.indexOf(s, this.head);
    if (i !== -1) this.items.splice(i, 1);
  }
}

const EMPTY_QUEUE = new EventQueue();

/** An ordered event list (oldest first), optionally with a view by source IP. */
export class EventList {
  readonly all = new EventQueue();
  private readonly bySrcip = new Map<string, EventQueue>();
  readonly indexed: boolean;

  constructor(indexed: boolean) {
    this.indexed = indexed;
  }

  push(s: StoredEvent): void {
    this.all.push(s);
    const ip = s.ev.srcip;
    if (ip === null || !this.indexed) return;
    const l = this.bySrcip.get(ip);
    if (l) l.push(s);
    else {
      const q = new EventQueue();
      q.push(s);
      this.bySrcip.set(ip, q);
    }
  }

  remove(s: StoredEvent): void {
    this.all.remove(s);
    const ip = s.ev.srcip;
    if (ip === null || !this.indexed) return;
    const l = this.bySrcip.get(ip);
    if (!l) return;
    l.remove(s);
    if (l.length === 0) this.bySrcip.delete(ip);
  }

  /** Events whose srcip is `ip`, oldest first. */
  withSrcip(ip: string): EventQueue {
    return this.bySrcip.get(ip) ?? EMPTY_QUEUE;
  }
}

export class CorrelationMemory {
  /** All stored events, oldest first. */
  readonly events: EventList;
  /** Per owner rule index: stored events of that list, oldest first. */
  private readonly lists: Array<EventList | undefined> = [];
  private readonly maxSize: number;
  private readonly indexedOwners: ReadonlySet<number>;

  /**
   * @param indexedOwners lists searched by a same-srcip rule (they keep a per-IP view); -1 stands
   *   for the global event list.
   */
  constructor(maxSize: number = DEFAULT_MEMORY_SIZE, indexedOwners: ReadonlySet<number> = new Set()) {
    this.maxSize = maxSize;
    this.indexedOwners = indexedOwners;
    this.events = new EventList(indexedOwners.has(-1));
  }

  list(owner: number): EventList | undefined {
    return this.lists[owner];
  }

  /** Store an event whose final rule was `rule` (level > 0, not suppressed). */
  add(ev: EventInfo, rule: Rule): void {
    // As in the reference, an event goes to its rule's if_matched_sid list if it has one, else to
    // every if_matched_group list the rule feeds.
    const owners: readonly number[] = rule.sidPrevMatched ? rule.ownList : rule.groupPrevMatched;
    const stored: StoredEvent = { ev, rule, lists: owners };
    for (const o of owners) {
      let l = this.lists[o];
      if (!l) {
        l = new EventList(this.indexedOwners.has(o));
        this.lists[o] = l;
      }
      l.push(stored);
    }
    this.events.push(stored);
    if (this.events.all.length > this.maxSize) this.evict();
  }

  private evict(): void {
    const q = this.events.all;
    const gone = q.items.slice(q.head, q.head + EVICT_BATCH);
    for (const s of gone) {
      this.events.remove(s);
      for (const o of s.lists) this.lists[o]?.remove(s);
    }
  }
}
