/**
 * The execution queue: jobs run in parallel across keys and one at a time per key (the responder
 * keeps one queue per command, keyed by target, so the add and the delete of one address by one
 * command never race), under the queue's cap. Urgent jobs (due reverts) take no slot: a backlog
 * of adds never delays them, only the earlier jobs of their own key do.
 *
 * Wazuh's execd runs everything serially, so one hanging program stalls every response on the
 * host (#22251). Here a job waiting for its key holds no slot, and keys take the free slots in
 * the order they became ready (a key that just ran goes to the back), so a hanging job delays
 * only the later jobs of its own key. It does hold one slot until it ends; with every run bounded
 * by its timeout, the cap bounds the damage rather than the progress.
 * @module
 */
import type { Target } from '../decide/types.ts';

/**
 * `urgent`: a job that must not wait behind a backlog (a due revert). It still waits for the
 * earlier jobs of its own key, but takes no slot of the cap: its caller bounds how many it starts
 * (the revert scheduler runs a bounded number at once).
 */
export type JobPriority = 'normal' | 'urgent';

interface Job {
  readonly run: () => Promise<unknown>;
  readonly priority: JobPriority;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * The queue key of a target.
 * @example targetKey({ kind: 'ip', value: '203.0.113.7' }) // 'ip:203.0.113.7'
 */
export function targetKey(target: Target): string {
  return `${target.kind}:${target.value}`;
}

/** Runs jobs serialised per key, in parallel across keys, at most `concurrency` at once. */
export class ExecQueue {
  private readonly concurrency: number;
  private readonly freshFirst: boolean;
  /** Keys in the order they became ready (for `freshFirst`; stale entries are skipped). */
  private readyStack: string[] = [];
  private newestNext = true;
  /** Waiting jobs per key (a key is present while it has a job waiting or running). */
  private readonly waiting = new Map<string, Job[]>();
  /** Keys with a job running. */
  private readonly busy = new Set<string>();
  /** Of those, the keys whose running job is urgent (outside the cap). */
  private readonly urgentBusy = new Set<string>();
  /** Keys with a waiting job and none running, in the order they became ready. */
  private readonly ready = new Set<string>();
  /** The same for keys whose next job is urgent. */
  private readonly readyUrgent = new Set<string>();
  private idleWaiters: Array<() => void> = [];

  /**
   * @param opts.concurrency jobs running at once, all keys together (≥ 1). @default 8
   * @param opts.freshFirst every other free slot goes to the key that became ready last, so a
   *   fresh job waits for at most one slot however long the backlog, while the oldest jobs still
   *   get the other half of the slots, in order. @default false
   */
  constructor(opts: { readonly concurrency?: number; readonly freshFirst?: boolean } = {}) {
    const c = opts.concurrency ?? 8;
    if (!Number.isInteger(c) || c < 1) throw new RangeError(`Cannot create an ExecQueue: concurrency must be an integer ≥ 1, got ${c}`);
    this.concurrency = c;
    this.freshFirst = opts.freshFirst ?? false;
  }

  /** Jobs running now. */
  get running(): number {
    return this.busy.size;
  }

  /** Jobs waiting (for their key or for a slot). */
  get pending(): number {
    let n = 0;
    for (const q of this.waiting.values()) n += q.length;
    return n;
  }

  /**
   * Queue `job` under `key`; it starts once the earlier jobs of `key` ended and a slot is free.
   * @returns what `job` returns (or its rejection); a rejection does not stop the key's later jobs
   * @example queue.run(targetKey(d.target), () => runProgram(path, opts))
   */
  run<T>(key: string, job: () => Promise<T>, priority: JobPriority = 'normal'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let q = this.waiting.get(key);
      if (!q) this.waiting.set(key, (q = []));
      q.push({ run: job, priority, resolve: resolve as (v: unknown) => void, reject });
      // A key already ready keeps its place (its head job did not change).
      if (!this.busy.has(key) && !this.ready.has(key) && !this.readyUrgent.has(key)) this.markReady(key);
      this.pump();
    });
  }

  /** Resolves once no job is running or waiting. */
  idle(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** `key` has a waiting job and none running: file it under its next job's priority. */
  private markReady(key: string): void {
    if ((this.waiting.get(key) as Job[])[0]?.priority === 'urgent') this.readyUrgent.add(key);
    else {
      this.ready.add(key);
      if (this.freshFirst) this.readyStack.push(key);
    }
  }

  /** The ready key to start next: the oldest, or (every other time with `freshFirst`) the newest. */
  private nextReady(): string {
    if (this.freshFirst) {
      this.newestNext = !this.newestNext;
      if (!this.newestNext) {
        while (this.readyStack.length > 0) {
          const key = this.readyStack.pop() as string;
          if (this.ready.has(key)) return key;
        }
      }
      if (this.readyStack.length > 4 * this.ready.size + 1024) this.readyStack = [...this.ready];
    }
    return this.ready.values().next().value as string;
  }

  private pump(): void {
    // Urgent jobs first, whatever the cap.
    for (const key of this.readyUrgent) {
      this.readyUrgent.delete(key);
      this.start(key, true);
    }
    while (this.busy.size - this.urgentBusy.size < this.concurrency && this.ready.size > 0) {
      this.start(this.nextReady(), false);
    }
  }

  private start(key: string, urgent: boolean): void {
    if (!urgent) this.ready.delete(key);
    const job = (this.waiting.get(key) as Job[]).shift() as Job;
    this.busy.add(key);
    if (urgent) this.urgentBusy.add(key);
    // A job that throws synchronously still ends its turn.
    void Promise.resolve()
      .then(job.run)
      .then(job.resolve, job.reject)
      .finally(() => this.release(key));
  }

  private release(key: string): void {
    this.busy.delete(key);
    this.urgentBusy.delete(key);
    const q = this.waiting.get(key);
    if (q && q.length > 0) this.markReady(key);
    else this.waiting.delete(key);
    this.pump();
    if (this.waiting.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
