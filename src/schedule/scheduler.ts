/**
 * The revert scheduler: the single owner of "revert what is due". It keeps ONE timer, armed for
 * the earliest `until` in the store (or the next retry of a failing revert), and re-armed
 * whenever the store changes (`changed()`).
 *
 * Exactly-once rules:
 * - A due decision is claimed with the store's compare-and-swap `active → reverting` BEFORE its
 *   revert runs; a decision someone else claimed (a manual unblock, another pass) is skipped.
 * - A decision is in at most one revert at a time in this process (`inFlight`).
 * - `reverting → reverted` is recorded only after the revert succeeded; a failed revert stays
 *   `reverting` and is retried with a growing delay, never dropped.
 * - At start, `reconcile` retries every `reverting` left by a crash. Only a crash between a
 *   revert's success and its commit can repeat one revert, which is why revert programs must be
 *   idempotent (Wazuh's delete of an absent rule is).
 *
 * Time is injected (`now`, seconds); the timer is the global setTimeout (node:test's
 * mock.timers drives it in tests). Only one scheduler may run per store file.
 * @module
 */
import type { DecisionFilter, DecisionState, StoredDecision } from '../store/types.ts';
import { planReverts, reconcile, retryDelaySec, timerDelayMs, type ReconcilePlan, type Timed } from './planner.ts';

/** What the scheduler needs from the store (the Store class provides it). */
export interface SchedulerStore {
  listDecisions(filter: DecisionFilter): StoredDecision[];
  dueForRevert(now: number, limit?: number): StoredDecision[];
  nextRevertAt(): number | null;
  getDecision(decisionId: string): StoredDecision | null;
  transition(decisionId: string, from: DecisionState, to: DecisionState, detail?: Readonly<Record<string, unknown>>): void;
  appendAudit(event: string, decisionId: string | null, detail?: unknown): number;
  /** Run `fn` as one transaction (the claims of a pass, and the reverts that ended in one turn). */
  transaction<T>(fn: () => T): T;
}

/** Options of {@link RevertScheduler}. */
export interface RevertSchedulerOptions {
  readonly store: SchedulerStore;
  /**
   * Undo one decision (run its program's delete). Resolves true on success; false or a throw is
   * a failure, retried later. Must be idempotent.
   */
  readonly revert: (decision: StoredDecision) => Promise<boolean>;
  /** Clock: seconds since the epoch (default `Date.now() / 1000`). */
  readonly now?: () => number;
  /**
   * Reverts run at the same time, at most (default 8). The responder caps each command's runs
   * itself, so a high value here only lets batched programs (the block channel) take many
   * deletes per transaction.
   */
  readonly concurrency?: number;
  /** Errors that are not a decision's revert failing (store errors); default: console.error. */
  readonly onError?: (err: unknown) => void;
}

/** Due decisions read per store query; a full batch means "look again at once". */
const BATCH = 2048;
/** After a pass failed (e.g. the store was busy), wait this long before the next one. */
const FAILED_PASS_DELAY_MS = 1000;

interface Retry {
  /** Failed attempts so far. */
  attempts: number;
  /** When to try again (seconds). */
  at: number;
}

interface Work {
  readonly decision: StoredDecision;
  /** true: claim it first (active → reverting); false: already reverting (a retry). */
  readonly claim: boolean;
}

/**
 * Reverts decisions when their `until` comes, across restarts.
 * @example
 * const scheduler = new RevertScheduler({ store, revert: (d) => executor.delete(d) });
 * await scheduler.start();
 * if (store.recordDecision(d, alert)) { await executor.add(d); scheduler.changed(); }
 * // on shutdown
 * await scheduler.stop();
 */
export class RevertScheduler {
  readonly #store: SchedulerStore;
  readonly #revert: (decision: StoredDecision) => Promise<boolean>;
  readonly #now: () => number;
  readonly #concurrency: number;
  readonly #onError: (err: unknown) => void;
  readonly #retries = new Map<string, Retry>();
  readonly #inFlight = new Set<string>();
  #settling: Array<{ readonly id: string; readonly attempts: number; readonly resolve: () => void; readonly reject: (e: unknown) => void }> = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #started = false;
  #stopped = false;

  constructor(opts: RevertSchedulerOptions) {
    this.#store = opts.store;
    this.#revert = opts.revert;
    this.#now = opts.now ?? (() => Date.now() / 1000);
    this.#concurrency = Math.max(1, Math.trunc(opts.concurrency ?? 8));
    this.#onError = opts.onError ?? ((err) => console.error('riposte: revert scheduler:', err));
  }

  /**
   * Reconcile with the store and start: reverts interrupted by a crash are retried and what
   * expired while down is reverted (resolves when that first pass is done); the rest is
   * scheduled.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const now = this.#now();
    const plan = reconcile(
      {
        active: this.#store.listDecisions({ state: 'active', limit: -1 }),
        reverting: this.#store.listDecisions({ state: 'reverting', limit: -1 }),
      },
      now,
    );
    await this.#pass(plan);
  }

  /**
   * The store changed (a decision recorded, unblocked, approved…): look at the next `until`
   * again. Cheap; call it after every change that may affect timing.
   */
  changed(): void {
    if (!this.#started || this.#stopped) return;
    if (this.#running) {
      // The running pass re-arms from the store when it ends; make it look once more first.
      this.#again = true;
      return;
    }
    this.#arm(0);
  }

  /** Stop: no new reverts start; resolves when the running ones have finished and been recorded. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clearTimer();
    await this.idle();
    this.#clearTimer();
  }

  /** Resolves when no pass is running (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Failing reverts waiting for their next attempt: decision id → attempts so far. */
  retrying(): ReadonlyMap<string, number> {
    return new Map([...this.#retries].map(([id, r]) => [id, r.attempts]));
  }

  /** One pass: revert everything due now (and, at start, what reconcile found), then re-arm. */
  #pass(initial?: ReconcilePlan): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#clearTimer();
    const run = (async () => {
      let failed = false;
      try {
        if (initial) await this.#runAll(this.#initialWork(initial));
        do {
          this.#again = false;
          if (this.#stopped) break;
          const now = this.#now();
          const due = this.#store.dueForRevert(now, BATCH);
          if (due.length === BATCH) this.#again = true;
          await this.#runAll(this.#workFor(due, now));
        } while (this.#again);
      } catch (err) {
        failed = true;
        this.#onError(err);
      } finally {
        this.#running = null;
        this.#arm(failed ? FAILED_PASS_DELAY_MS : 0);
      }
    })();
    this.#running = run;
    return run;
  }

  #initialWork(plan: ReconcilePlan): Work[] {
    const work: Work[] = [];
    for (const id of plan.retry) {
      const d = this.#store.getDecision(id);
      if (d?.state === 'reverting') work.push({ decision: d, claim: false });
    }
    for (const id of plan.revertNow) {
      const d = this.#store.getDecision(id);
      if (d?.state === 'active') work.push({ decision: d, claim: true });
    }
    return work;
  }

  /** Due decisions plus due retries, in `until` order (the planner's), each once. */
  #workFor(due: readonly StoredDecision[], now: number): Work[] {
    const byId = new Map<string, Work>();
    const timed: Timed[] = [];
    for (const d of due) {
      byId.set(d.decisionId, { decision: d, claim: true });
      timed.push(d);
    }
    for (const [id, r] of this.#retries) {
      if (r.at > now || byId.has(id)) continue;
      const d = this.#store.getDecision(id);
      if (d?.state !== 'reverting') {
        this.#retries.delete(id); // someone else settled it (e.g. an operator marked it failed)
        continue;
      }
      byId.set(id, { decision: d, claim: false });
      timed.push({ decisionId: id, until: r.at });
    }
    return planReverts(timed, now).due.map((id) => byId.get(id) as Work);
  }

  /** Run the work with at most `concurrency` reverts at once. */
  async #runAll(work: readonly Work[]): Promise<void> {
    const claimed = this.#claimAll(work);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < claimed.length && !this.#stopped) await this.#revertOne(claimed[next++] as StoredDecision);
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, claimed.length) }, worker));
  }

  /**
   * Claim the pass's due decisions (`active → reverting`) in ONE transaction, BEFORE any of their
   * reverts runs; a decision someone else claimed or settled meanwhile is not ours to revert.
   * @returns the decisions this pass reverts (claimed now, or already reverting: retries)
   */
  #claimAll(work: readonly Work[]): StoredDecision[] {
    const out: StoredDecision[] = [];
    this.#store.transaction(() => {
      for (const { decision, claim } of work) {
        if (this.#inFlight.has(decision.decisionId)) continue;
        if (claim) {
          try {
            this.#store.transition(decision.decisionId, 'active', 'reverting', { by: 'scheduler' });
          } catch (err) {
            // Lost the race (unblocked by hand, reverted by another pass): not ours to revert.
            if ((err as { code?: unknown }).code === 'RIPOSTE_ERR_STORE_TRANSITION') continue;
            throw err;
          }
        }
        out.push(decision);
      }
    });
    return out;
  }

  async #revertOne(decision: StoredDecision): Promise<void> {
    const id = decision.decisionId;
    if (this.#inFlight.has(id)) return;
    this.#inFlight.add(id);
    try {
      let ok = false;
      let error: string | null = null;
      try {
        ok = await this.#revert(decision);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      const attempts = (this.#retries.get(id)?.attempts ?? 0) + 1;
      if (ok) {
        try {
          await this.#settle(id, attempts);
          this.#retries.delete(id);
          return;
        } catch (err) {
          if ((err as { code?: unknown }).code === 'RIPOSTE_ERR_STORE_TRANSITION') {
            this.#retries.delete(id); // settled meanwhile by someone else
            return;
          }
          // Done but not recorded: retry (the revert is idempotent) rather than leave it hanging.
          this.#onError(err);
          error = `the revert succeeded but could not be recorded: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      const at = this.#now() + retryDelaySec(attempts);
      this.#retries.set(id, { attempts, at });
      this.#store.appendAudit('revert_failed', id, { attempts, retryAt: at, error });
    } finally {
      this.#inFlight.delete(id);
    }
  }

  /**
   * Record `reverting → reverted`; the reverts that end in the same turn (a block channel answers
   * a group at once) commit together on the next turn. Resolves once committed; rejects with that
   * decision's own transition error.
   */
  #settle(id: string, attempts: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#settling.push({ id, attempts, resolve, reject });
      if (this.#settling.length > 1) return;
      setImmediate(() => {
        const batch = this.#settling;
        this.#settling = [];
        const results: Array<unknown> = [];
        try {
          this.#store.transaction(() => {
            for (const s of batch) {
              try {
                this.#store.transition(s.id, 'reverting', 'reverted', { by: 'scheduler', attempts: s.attempts });
                results.push(null);
              } catch (err) {
                results.push(err);
              }
            }
          });
        } catch (err) {
          for (const s of batch) s.reject(err);
          return;
        }
        batch.forEach((s, i) => (results[i] === null ? s.resolve() : s.reject(results[i])));
      });
    });
  }

  /** Arm the one timer for the earliest of the store's next `until` and the next retry. */
  #arm(minDelayMs: number): void {
    this.#clearTimer();
    if (this.#stopped || this.#running) return;
    let at: number | null;
    try {
      at = this.#store.nextRevertAt();
    } catch (err) {
      this.#onError(err);
      at = this.#now(); // look again after the failed-pass delay
      minDelayMs = Math.max(minDelayMs, FAILED_PASS_DELAY_MS);
    }
    for (const r of this.#retries.values()) if (at === null || r.at < at) at = r.at;
    if (at === null) return;
    const delay = Math.max(minDelayMs, timerDelayMs(at, this.#now()));
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#pass();
    }, delay);
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
