/**
 * The decide chain: one alert in, one outcome (a Decision or a recorded Refusal) per bound
 * response out. The steps, in order (this list is the one place that fixes it: STEPS below):
 *
 * 1. bind        rules_id / rules_group / level → the responses (bind.ts), then per response:
 * 2. enabled     a disabled block or an undefined command → `disabled`
 * 3. target      take and validate the IP or user → `no_target` / `invalid_target` (target.ts)
 * 4. allowlist   own addresses, loopback, IP/CIDR and account entries → `own_address` /
 *                `allowlisted` (allowlist.ts); the event's `srcip` is checked too, because
 *                Wazuh's white_list suppresses every response of an event from a whitelisted
 *                source (#4422), including user responses
 * 5. offence     count the offence (escalation.ts) BEFORE dedupe: re-triggers count, as in Wazuh
 * 6. dedupe      an action for (response, target) still active → `duplicate`, no new run
 *                (dedupe.ts: the running block is not slid forward)
 * 7. escalation  the timeout for this offence (`repeated_offenders`)
 * 8. mode        enforce or simulate → the DecisionV1, recorded as active in the state
 *
 * Purity: no I/O, no clock of its own (`ctx.now` is injected and read once per alert); the only
 * effect is the documented mutation of `ctx.state` (see dedupe.ts), which the caller persists.
 * @module
 */
import type { CommandConfig } from '../config/types.ts';
import type { AllowHit } from './allowlist.ts';
import type { BindingFn } from './bind.ts';
import { activeKey, activeUntil, describeUntil, markActive } from './dedupe.ts';
import { decisionId } from './decision-id.ts';
import { escalate, offenderKey, recordOffence } from './escalation.ts';
import { canonicalIp, extractTarget, isTargetRefusal, quote } from './target.ts';
import type { ActiveResponseConfig, AlertV1, DecideOutcome, DecideState, DecisionV1, Refusal, RefusalReason, Target } from './types.ts';

/** Everything the chain needs, compiled once at load (except `state`, which evolves). */
export interface DecideContext {
  /** From `compileBindings(config.activeResponses)`. */
  readonly bindings: BindingFn;
  readonly commands: ReadonlyMap<string, CommandConfig>;
  /** From `compileAllowlist(…)`. */
  readonly allowlist: (target: Target) => AllowHit | null;
  /** Mutated in place (active actions, offender counts); the caller persists it. */
  readonly state: DecideState;
  /** Injected clock: seconds since the epoch. */
  readonly now: () => number;
}

/** The state of one response travelling down the chain. */
interface Draft {
  readonly alert: AlertV1;
  readonly response: ActiveResponseConfig;
  readonly now: number;
  command: CommandConfig | null;
  target: Target | null;
  offence: number;
  timeoutSec: number;
  escalated: boolean;
}

/** One step: null to go on, or the refusal that ends this response's way down the chain. */
type Step = (d: Draft, ctx: DecideContext) => Refusal | null;

/**
 * Decide what to do about an alert.
 * @param alert the alert (rule, decoded fields)
 * @param ctx compiled configuration, state and clock
 * @returns one outcome per bound response, in configuration order (empty when none is bound)
 * @example
 * const ctx = { bindings: compileBindings(cfg.activeResponses), commands: cfg.commands,
 *   allowlist: compileAllowlist(cfg.allowlist, accounts, ownIps), state, now: () => Date.now() / 1000 };
 * for (const o of decide(alert, ctx)) if (o.kind === 'decision') dispatch(o);
 */
export function decide(alert: AlertV1, ctx: DecideContext): DecideOutcome[] {
  const responses = ctx.bindings(alert.rule);
  if (responses.length === 0) return [];
  const now = ctx.now();
  const out: DecideOutcome[] = [];
  for (const response of responses) {
    const d: Draft = { alert, response, now, command: null, target: null, offence: 0, timeoutSec: response.timeoutSec, escalated: false };
    let refusal: Refusal | null = null;
    for (const step of STEPS) {
      refusal = step(d, ctx);
      if (refusal) break;
    }
    if (refusal) {
      out.push(refusal);
      continue;
    }
    const decision = toDecision(d);
    recordActive(ctx.state, decision);
    out.push(decision);
  }
  return out;
}

const enabled: Step = (d, ctx) => {
  if (d.response.disabled) return refuse(d, 'disabled', 'the active response is disabled');
  d.command = ctx.commands.get(d.response.command) ?? null;
  if (!d.command) return refuse(d, 'disabled', `command ${quote(d.response.command)} is not defined`);
  return null;
};

const target: Step = (d) => {
  const t = extractTarget(d.alert, d.response, d.command as CommandConfig);
  if (isTargetRefusal(t)) return refuse(d, t.refusal, t.detail);
  d.target = t;
  return null;
};

const allowlist: Step = (d, ctx) => {
  const t = d.target as Target;
  const hit = ctx.allowlist(t);
  if (hit) return refuse(d, hit.refusal, `${t.kind} ${t.value} matches ${hit.entry} (${hit.reason})`);
  const raw = d.alert.data['srcip'];
  const srcip = raw === undefined ? null : canonicalIp(raw);
  if (srcip && !(t.kind === 'ip' && t.value === srcip)) {
    const src = ctx.allowlist({ kind: 'ip', value: srcip });
    if (src) return refuse(d, src.refusal, `event srcip ${srcip} matches ${src.entry} (${src.reason})`);
  }
  return null;
};

const offence: Step = (d, ctx) => {
  const key = offenderKey(d.response.command, d.target as Target, d.response.mode);
  d.offence = recordOffence(ctx.state.offenders, key, d.now, d.response.offenderResetSec);
  return null;
};

const dedupe: Step = (d, ctx) => {
  const until = activeUntil(ctx.state.active, activeKey(d.response.name, d.target as Target), d.now);
  if (until === null) return null;
  return refuse(d, 'duplicate', `already active ${describeUntil(until)} (offence ${d.offence})`);
};

const escalation: Step = (d) => {
  const e = escalate(d.response.timeoutSec, d.response.repeatedOffendersMin, d.offence);
  d.timeoutSec = e.timeoutSec;
  d.escalated = e.escalated;
  return null;
};

/** Steps 2–7 in order (bind runs once per alert in `decide`; mode builds the Decision). */
const STEPS: readonly Step[] = [enabled, target, allowlist, offence, dedupe, escalation];

/** Step 8: the mode, the Decision, and its record as the active action. */
function toDecision(d: Draft): DecisionV1 {
  const t = d.target as Target;
  const mode = d.response.mode;
  const until = d.timeoutSec === 0 ? null : d.now + d.timeoutSec;
  return {
    kind: 'decision',
    decisionId: decisionId(d.response.name, t, d.alert.id),
    response: d.response.name,
    command: d.response.command,
    target: t,
    alertId: d.alert.id,
    ruleId: d.alert.rule.id,
    decidedAt: d.now,
    timeoutSec: d.timeoutSec,
    until,
    offence: d.offence,
    escalated: d.escalated,
    simulated: mode === 'simulate',
    mode,
  };
}

function refuse(d: Draft, reason: RefusalReason, detail: string): Refusal {
  return { kind: 'refusal', reason, response: d.response.name, ruleId: d.alert.rule.id, target: d.target, detail };
}

/**
 * Record a decision as the active action for its (response, target), so later alerts are
 * refused as duplicates until it ends. `decide` does this itself; exported for callers that
 * restore state from the store.
 * @example recordActive(state, decision)
 */
export function recordActive(state: DecideState, decision: DecisionV1): void {
  markActive(state.active, activeKey(decision.response, decision.target), decision.until);
}
