/**
 * Step 4b of decide: repeat offenders (Wazuh's `<repeated_offenders>`, execd.c).
 *
 * Wazuh keys the counter by program and target; Riposte by (command, target). The 1st offence
 * gets the configured timeout, the 2nd `repeatedOffendersMin[0]`·60, the 3rd `[1]`·60, and the
 * last value repeats. As in Wazuh, the counter also grows on re-triggers while the target is
 * still blocked, and a response without timeout is never escalated. Unlike Wazuh (whose counter
 * only resets when execd restarts, #15171), `offenderResetSec` > 0 forgets an offender whose last
 * offence is older than that. Counters of simulated responses are kept apart from enforced ones,
 * so a simulation can never make a real block longer.
 *
 * State is mutated in place; see dedupe.ts for the convention.
 * @module
 */
import type { ResponseMode } from '../config/types.ts';
import type { Target } from './types.ts';

/** The escalated length of one action. */
export interface Escalation {
  /** Seconds (0 = until reverted by hand). */
  readonly timeoutSec: number;
  /** Whether a repeated-offender value replaced the configured timeout. */
  readonly escalated: boolean;
}

/**
 * The key of an offender (`DecideState.offenders`).
 * @example offenderKey('firewall-drop', { kind: 'ip', value: '192.0.2.1' }, 'enforce') // 'firewall-drop|ip:192.0.2.1'
 */
export function offenderKey(command: string, target: Target, mode: ResponseMode): string {
  const key = `${command}|${target.kind}:${target.value}`;
  return mode === 'simulate' ? `simulate:${key}` : key;
}

/**
 * Count one more offence and return its number (1 = first offence).
 * @param offenders `DecideState.offenders` (mutated)
 * @param key from {@link offenderKey}
 * @param now seconds since the epoch
 * @param resetSec forget the history when the last offence is older than this (0 = never)
 * @returns the offence number, counting this one
 * @example recordOffence(state.offenders, key, now, 0) // 1, then 2, 3…
 */
export function recordOffence(offenders: Map<string, { count: number; last: number }>, key: string, now: number, resetSec: number): number {
  const prev = offenders.get(key);
  const fresh = prev === undefined || (resetSec > 0 && now - prev.last > resetSec);
  const count = fresh ? 1 : prev.count + 1;
  offenders.set(key, { count, last: now });
  return count;
}

/**
 * The timeout for the n-th offence.
 * @param baseSec the configured timeout (≤ 0: no escalation, returned as is)
 * @param repeatedMin `<repeated_offenders>` in minutes; like the C list, it ends at the first
 *   value ≤ 0
 * @param offence from {@link recordOffence}
 * @example escalate(600, [30, 60], 3) // { timeoutSec: 3600, escalated: true }
 */
export function escalate(baseSec: number, repeatedMin: readonly number[], offence: number): Escalation {
  if (offence < 2 || baseSec <= 0) return { timeoutSec: baseSec, escalated: false };
  let usable = 0;
  while (usable < repeatedMin.length && (repeatedMin[usable] as number) > 0) usable++;
  if (usable === 0) return { timeoutSec: baseSec, escalated: false };
  const minutes = repeatedMin[Math.min(offence - 2, usable - 1)] as number;
  return { timeoutSec: minutes * 60, escalated: true };
}

/**
 * Forget offenders whose last offence is older than `resetSec` (housekeeping; 0 = keep all).
 * @returns how many entries were removed
 * @example pruneOffenders(state.offenders, now, 86400)
 */
export function pruneOffenders(offenders: Map<string, { count: number; last: number }>, now: number, resetSec: number): number {
  if (resetSec <= 0) return 0;
  let removed = 0;
  for (const [key, o] of offenders) {
    if (now - o.last > resetSec) {
      offenders.delete(key);
      removed++;
    }
  }
  return removed;
}
