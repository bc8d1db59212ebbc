/**
 * Step 4a of decide: one action per (response, target) at a time.
 *
 * State style for the whole decide stage: the step functions MUTATE the `DecideState` maps they
 * are given and return plain values; nothing else is kept between calls, and the caller persists
 * the state after each `decide()`. (The chain needs each update before the next response of the
 * same alert is decided, so returning deltas would only move the mutation elsewhere.)
 *
 * Wazuh on a re-trigger while the key is blocked: the program gets `abort` (no second run) and the
 * existing block slides: its start becomes now and its length the (possibly escalated) timeout.
 * Riposte refuses the re-trigger as `duplicate` (no program run), still counts the offence (see
 * escalation.ts), but does NOT slide the running block: a Refusal carries no new `until`, and a
 * block whose end moves without a recorded decision would break "every timed action is reverted
 * at its recorded time". The next offence after the block ends is decided afresh, escalated.
 * @module
 */
import type { Target } from './types.ts';

/**
 * The key of an active action (`DecideState.active`).
 * @example activeKey('firewall-drop600', { kind: 'ip', value: '192.0.2.1' }) // 'firewall-drop600|ip:192.0.2.1'
 */
export function activeKey(response: string, target: Target): string {
  return `${response}|${target.kind}:${target.value}`;
}

/**
 * When the action under `key` ends, or null when none is active at `now`. An entry whose time
 * has come (`until <= now`) is deleted on the way.
 * @param active `DecideState.active` (mutated: expired entry removed)
 * @param key from {@link activeKey}
 * @param now seconds since the epoch
 * @returns the `until` (Infinity for an action without timeout), or null
 * @example activeUntil(state.active, key, 1_700_000_000) // null
 */
export function activeUntil(active: Map<string, number>, key: string, now: number): number | null {
  const until = active.get(key);
  if (until === undefined) return null;
  if (until > now) return until;
  active.delete(key);
  return null;
}

/**
 * Record a new action as active.
 * @param active `DecideState.active` (mutated)
 * @param key from {@link activeKey}
 * @param until revert time in seconds, or null for "until reverted by hand" (stored as Infinity)
 * @example markActive(state.active, key, 1_700_000_600)
 */
export function markActive(active: Map<string, number>, key: string, until: number | null): void {
  active.set(key, until ?? Infinity);
}

/**
 * Drop every expired action (housekeeping for the caller; `activeUntil` never needs it).
 * @returns how many entries were removed
 * @example pruneActive(state.active, now)
 */
export function pruneActive(active: Map<string, number>, now: number): number {
  let removed = 0;
  for (const [key, until] of active) {
    if (until <= now) {
      active.delete(key);
      removed++;
    }
  }
  return removed;
}

/**
 * How a refusal tells people when the running action ends: an ISO date (UTC, whole seconds),
 * never epoch seconds, which nobody can read at 3 a.m.
 * @param until from {@link activeUntil} (Infinity: no timeout)
 * @returns e.g. `until 2026-12-02T03:30:00Z`, or `until reverted`
 * @example describeUntil(1_700_000_000) // 'until 2023-11-14T22:13:20Z'
 */
export function describeUntil(until: number): string {
  if (until === Infinity) return 'until reverted';
  return `until ${new Date(Math.floor(until) * 1000).toISOString().replace('.000Z', 'Z')}`;
}
