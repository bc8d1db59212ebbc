/**
 * Reverting timed responses: the pure planner (planner.ts) and the one-timer scheduler that
 * drives it against the store (scheduler.ts).
 * @module
 */
export { planReverts, reconcile, retryDelaySec, timerDelayMs, MAX_RETRY_DELAY_SEC, MAX_TIMER_MS } from './planner.ts';
export type { ReconcilePlan, ReconcileView, RevertPlan, Timed } from './planner.ts';
export { RevertScheduler, type RevertSchedulerOptions, type SchedulerStore } from './scheduler.ts';
