/**
 * The decide stage's contract: an alert in, a Decision (or a recorded refusal) out. Every step is
 * a pure function of (alert, state, config, clock).
 * @module
 */
import type { ActiveResponseConfig, ResponseMode } from '../config/types.ts';

/** What decide needs from an alert (built by the engine from the fired rule and decoded event). */
export interface AlertV1 {
  /** Alert id ("<epoch>.<n>"). */
  readonly id: string;
  /** Event time, seconds since the epoch. */
  readonly time: number;
  readonly agentId: string;
  readonly rule: {
    readonly id: number;
    readonly level: number;
    /** Group string as the reference concatenates it ("syslog,sshd,authentication_failed,"). */
    readonly groups: string;
    readonly noAr: boolean;
  };
  /** Decoded fields (static and dynamic, dotted names), byte strings decoded as UTF-8. */
  readonly data: Readonly<Record<string, string>>;
  readonly location: string;
  readonly fullLog: string;
}

export type TargetKind = 'ip' | 'user';

/** A validated target of a response. */
export interface Target {
  readonly kind: TargetKind;
  /** Canonical form: IPv4 dotted quad, IPv6 compressed lower-case (IPv4-mapped → IPv4), or user name. */
  readonly value: string;
}

/** Why a response was not (or would not be) executed. */
export type RefusalReason =
  | 'no_target'
  | 'invalid_target'
  | 'allowlisted'
  | 'own_address'
  | 'duplicate'
  | 'disabled';

export interface Refusal {
  readonly kind: 'refusal';
  readonly reason: RefusalReason;
  readonly response: string;
  readonly ruleId: number;
  readonly target: Target | null;
  /** For allowlist hits: the entry that matched and its reason. */
  readonly detail: string;
}

/** A decision to run (or simulate) a response: recorded before anything executes. */
export interface DecisionV1 {
  readonly kind: 'decision';
  /** Stable id: same inputs give the same id (hash of response, target, alert id). */
  readonly decisionId: string;
  readonly response: string;
  readonly command: string;
  readonly target: Target;
  readonly alertId: string;
  readonly ruleId: number;
  readonly decidedAt: number;
  /** Seconds the action lasts (after escalation); 0 = until manually reverted. */
  readonly timeoutSec: number;
  /** Revert time (seconds since the epoch), or null when timeoutSec is 0. */
  readonly until: number | null;
  /** 1 for a first offence, n for the n-th offence within the reset window. */
  readonly offence: number;
  readonly escalated: boolean;
  readonly simulated: boolean;
  readonly mode: ResponseMode;
}

export type DecideOutcome = DecisionV1 | Refusal;

/** State the decide chain reads and updates (kept by the caller; pure functions return updates). */
export interface DecideState {
  /** Active actions: key `${response}|${target.kind}:${target.value}` → until (seconds, Infinity = no timeout). */
  readonly active: Map<string, number>;
  /** Offender history: key `${command}|${target}` → { count, last } (seconds). */
  readonly offenders: Map<string, { count: number; last: number }>;
}

export type { ActiveResponseConfig };
