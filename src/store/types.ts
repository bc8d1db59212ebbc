/**
 * The store's record shapes. Times are seconds since the epoch (as in DecisionV1), except
 * `durationMs`.
 * @module
 */
import type { DecisionV1 } from '../decide/types.ts';

/**
 * Where a Decision is in its life (ARCHITECTURE.md, "Responses are desired state"):
 * `pending_approval → active → reverting → reverted`, or it ends `rejected`, `expired`,
 * `simulated` or `failed`. See transitions.ts for the allowed moves.
 */
export type DecisionState =
  | 'pending_approval'
  | 'active'
  | 'reverting'
  | 'reverted'
  | 'rejected'
  | 'expired'
  | 'simulated'
  | 'failed';

/** A Decision as the store holds it: the decision itself, where it is in its life, and when that changed. */
export interface StoredDecision extends Omit<DecisionV1, 'kind'> {
  readonly state: DecisionState;
  readonly updatedAt: number;
}

/** What a decision's `add` run actually did: it succeeded, it failed, or none is recorded yet. */
export type AddStatus = 'applied' | 'pending' | 'failed';

/** A decision as a paged list shows it: desired state plus what was actually applied. */
export interface ListedDecision extends StoredDecision {
  readonly applied: AddStatus;
}

/** Filters of `listDecisions` (all optional, combined with AND). */
export interface DecisionFilter {
  /** Only decisions in force: state `active` or `reverting`. */
  readonly active?: boolean;
  readonly state?: DecisionState;
  /** Decided at or after this time. */
  readonly since?: number;
  readonly ruleId?: number;
  /** At most this many, newest first (default 1000; negative: no limit). */
  readonly limit?: number;
}

/** One run of a response program (add or delete) for a decision. */
export interface ExecutionRecord {
  readonly decisionId: string;
  readonly action: 'add' | 'delete';
  readonly startedAt: number;
  readonly durationMs: number;
  /** Null when the program was killed by a signal or could not start. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** The start of stderr, already cut by the executor. */
  readonly stderrExcerpt: string;
  /** The program's `check_keys` answer, e.g. "continue" or "abort", or null. */
  readonly answer: string | null;
}

/** Offender history of one (command, target) key: `DecideState.offenders`' value. */
export interface Offender {
  readonly count: number;
  /** Time of the last offence. */
  readonly last: number;
}

/** A runtime allowlist entry (added through the CLI or API). */
export interface AllowlistRecord {
  readonly value: string;
  readonly kind: 'ip' | 'account';
  /** Why it is allowlisted: required, never empty. */
  readonly reason: string;
  readonly addedAt: number;
  readonly addedBy: string;
}

/** One line of the append-only audit trail. */
export interface AuditRecord {
  readonly id: number;
  readonly at: number;
  readonly decisionId: string | null;
  /** e.g. `decision_recorded`, `state_changed`, `allowlist_added`, `revert_failed`. */
  readonly event: string;
  readonly detail: unknown;
}

/** Filters of `listAudit` (all optional). */
export interface AuditFilter {
  readonly decisionId?: string;
  /** Only entries with an id greater than this (paging). */
  readonly afterId?: number;
  /** At most this many, oldest first (default 1000). */
  readonly limit?: number;
}

/** Where the log tailer stopped in one source. */
export interface Checkpoint {
  readonly inode: number;
  readonly offset: number;
  /** A fingerprint of the file's first bytes (detects truncate-and-regrow). */
  readonly fingerprint: string;
}

/** How far an output file (alerts.json) reached at the last committed checkpoint. */
export interface OutputMark {
  /** The file's inode: a rotated file is not cut back. */
  readonly inode: number;
  /** Bytes written and complete. */
  readonly size: number;
}

/** Identical refusals, counted: one row however often they repeat. */
export interface RefusalRecord {
  readonly reason: string;
  readonly response: string;
  readonly ruleId: number;
  /** `kind:value`, or null when the alert had no target. */
  readonly target: string | null;
  readonly detail: string | null;
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
}
