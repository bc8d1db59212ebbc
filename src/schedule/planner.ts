/**
 * The revert planner: pure answers to "what must be reverted now, and when must I wake next?",
 * for a running scheduler and for the reconciliation at start. No I/O, no clock of its own:
 * `now` is given (seconds since the epoch, as DecisionV1's `until`).
 * @module
 */

/** A decision with a revert time (`until`; null = never reverted automatically). */
export interface Timed {
  readonly decisionId: string;
  readonly until: number | null;
}

/** What to do now, and when to look again. */
export interface RevertPlan {
  /** Ids whose time has come, earliest `until` first, each once. */
  readonly due: readonly string[];
  /** The earliest `until` still in the future, or null when nothing is waiting. */
  readonly nextAt: number | null;
}

/**
 * Split timed decisions into due now and the next wake-up.
 * @param timed decisions to consider (at least every due one and the earliest future one)
 * @param now seconds since the epoch
 * @example planReverts([{ decisionId: 'a', until: 90 }, { decisionId: 'b', until: 130 }], 100)
 * // { due: ['a'], nextAt: 130 }
 */
export function planReverts(timed: readonly Timed[], now: number): RevertPlan {
  const due: Timed[] = [];
  let nextAt: number | null = null;
  for (const t of timed) {
    if (t.until === null) continue;
    if (t.until <= now) due.push(t);
    else if (nextAt === null || t.until < nextAt) nextAt = t.until;
  }
  due.sort((a, b) => (a.until as number) - (b.until as number) || (a.decisionId < b.decisionId ? -1 : a.decisionId > b.decisionId ? 1 : 0));
  const seen = new Set<string>();
  const ids: string[] = [];
  for (const t of due) {
    if (seen.has(t.decisionId)) continue;
    seen.add(t.decisionId);
    ids.push(t.decisionId);
  }
  return { due: ids, nextAt };
}

/** What the store holds at start, as far as reverting is concerned. */
export interface ReconcileView {
  /** Decisions in state `active` (those without `until` are ignored). */
  readonly active: readonly Timed[];
  /** Decisions left in state `reverting` (by a crash, or by a revert that kept failing). */
  readonly reverting: readonly Pick<Timed, 'decisionId'>[];
}

/** The start-up plan. */
export interface ReconcilePlan {
  /** `reverting` decisions: their revert may not have run; run it again (programs are idempotent). */
  readonly retry: readonly string[];
  /** `active` decisions that expired while Riposte was down: revert at once. */
  readonly revertNow: readonly string[];
  /** When the first still-waiting decision is due (reschedule), or null. */
  readonly nextAt: number | null;
}

/**
 * Reconcile at start: what expired while down is reverted at once, what is still due is
 * rescheduled, and a revert interrupted by a crash is retried. Each id appears once, in one list.
 * @example reconcile({ active: [{ decisionId: 'a', until: 50 }], reverting: [{ decisionId: 'b' }] }, 100)
 * // { retry: ['b'], revertNow: ['a'], nextAt: null }
 */
export function reconcile(view: ReconcileView, now: number): ReconcilePlan {
  const retry: string[] = [];
  const seen = new Set<string>();
  for (const r of view.reverting) {
    if (seen.has(r.decisionId)) continue;
    seen.add(r.decisionId);
    retry.push(r.decisionId);
  }
  const plan = planReverts(view.active, now);
  return { retry, revertNow: plan.due.filter((id) => !seen.has(id)), nextAt: plan.nextAt };
}

/** Longest wait between two attempts of a failing revert. */
export const MAX_RETRY_DELAY_SEC = 60;

/**
 * How long to wait after the n-th failed attempt of a revert: 1, 2, 4 … seconds, at most
 * {@link MAX_RETRY_DELAY_SEC}. A revert is never given up on: a block must not stay by accident.
 * @example retryDelaySec(1) // 1
 * @example retryDelaySec(10) // 60
 */
export function retryDelaySec(attempt: number): number {
  return Math.min(MAX_RETRY_DELAY_SEC, 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}

/** setTimeout's longest delay (2^31-1 ms, about 24.8 days); longer delays fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The timer delay to wake at `at` (seconds), rounded up so the timer never fires before the
 * time, and capped so a far `until` re-arms on wake instead of overflowing setTimeout.
 * @example timerDelayMs(100.5, 100) // 500
 */
export function timerDelayMs(at: number, now: number): number {
  const ms = Math.ceil((at - now) * 1000);
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_TIMER_MS);
}
