/**
 * The allowed moves of a Decision's state. One table, so every writer (scheduler, approvals,
 * CLI unblock, executor) obeys the same life cycle.
 * @module
 */
import type { DecisionState } from './types.ts';

/**
 * From each state, the states it may move to. Terminal states have none: a reverted or failed
 * decision is history, and a new offence makes a new decision.
 *
 * - `active → expired`: the action's time passed before it was ever executed (e.g. the agent
 *   stayed offline), so there is nothing to revert.
 * - `active → failed`: the add itself failed.
 * - `reverting → failed`: an operator gave up on a revert that keeps failing (the scheduler
 *   itself retries, it never gives up on its own).
 */
const ALLOWED: Readonly<Record<DecisionState, readonly DecisionState[]>> = {
  pending_approval: ['active', 'rejected', 'expired'],
  active: ['reverting', 'expired', 'failed'],
  reverting: ['reverted', 'failed'],
  reverted: [],
  rejected: [],
  expired: [],
  simulated: [],
  failed: [],
};

/**
 * Whether a decision may move from `from` to `to`.
 * @example canTransition('active', 'reverting') // true
 * @example canTransition('reverted', 'active') // false
 */
export function canTransition(from: DecisionState, to: DecisionState): boolean {
  return ALLOWED[from].includes(to);
}

/** Every state, e.g. for validating input. */
export const DECISION_STATES: readonly DecisionState[] = Object.keys(ALLOWED) as DecisionState[];
