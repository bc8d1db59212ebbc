/**
 * The decide stage: alert → Decision or Refusal. See chain.ts for the order of the steps.
 * @module
 */
export { compileBindings, type BindingFn } from './bind.ts';
export { extractTarget, isTargetRefusal, type TargetRefusal } from './target.ts';
export { compileAllowlist, type AllowHit, type AllowlistCheck, type IgnoredEntry } from './allowlist.ts';
export { activeKey, pruneActive } from './dedupe.ts';
export { offenderKey, pruneOffenders } from './escalation.ts';
export { decide, recordActive, type DecideContext } from './chain.ts';
export { decisionId } from './decision-id.ts';
export type * from './types.ts';
