/**
 * The durable store: one SQLite file (better-sqlite3) holding decisions as desired state, their
 * executions, offender history, the runtime allowlist, the audit trail and the log tailer's
 * checkpoints.
 *
 * Rules for callers:
 * - `recordDecision` commits before it returns, and refuses to run inside an open transaction:
 *   a program may only run once its decision is on disk (a crash then finds it and reverts it).
 * - Every state change goes through `transition`, which checks the life cycle (transitions.ts),
 *   moves only from the expected state (compare-and-swap) and appends to the audit trail in the
 *   same transaction.
 * - The store is synchronous: a call blocks the event loop for one small transaction.
 *
 * Durability: WAL with `synchronous=NORMAL` (default) survives a crash of the process; a power
 * loss may drop the last commits. Pass `synchronous: 'full'` where that matters more than speed.
 * @module
 */
import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { AlertV1, DecideState, DecisionV1, Refusal, Target } from '../decide/types.ts';
import { activeKey } from '../decide/index.ts';
import { openError, StoreError } from './errors.ts';
import { migrate } from './schema.ts';
import { canTransition } from './transitions.ts';
import type {
  AllowlistRecord,
  AuditFilter,
  AuditRecord,
  Checkpoint,
  DecisionFilter,
  DecisionState,
  ExecutionRecord,
  ListedDecision,
  Offender,
  OutputMark,
  RefusalRecord,
  StoredDecision,
} from './types.ts';

/** Options of {@link Store.open}. */
export interface StoreOptions {
  /** Clock for `updated_at`, audit times and allowlist times: seconds since the epoch. */
  readonly now?: () => number;
  /** `normal` (default): safe against process crashes; `full`: also against power loss. */
  readonly synchronous?: 'normal' | 'full';
  /** How long a write waits for another process's lock before failing (default 5000). */
  readonly busyTimeoutMs?: number;
}

/**
 * What one processed batch of log lines leaves behind, committed together by
 * {@link Store.commitBatch}: a checkpoint never covers events whose output is not recorded with it.
 */
export interface BatchCommit {
  /** The source's new checkpoint (the batch's last line). */
  readonly checkpoint?: { readonly source: string; readonly checkpoint: Checkpoint };
  /** How far the output file now reaches (written and complete before this commit). */
  readonly output?: { readonly name: string; readonly mark: OutputMark };
  /** Offender histories changed by the batch. */
  readonly offences?: ReadonlyArray<readonly [string, Offender]>;
  /** The batch's refusals, already folded: identical ones once, with their count. */
  readonly refusals?: readonly RefusalCount[];
}

/** Identical refusals of one batch, folded (see {@link foldRefusals}). */
export interface RefusalCount {
  readonly refusal: Refusal;
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

/** The shortest audit retention {@link Store.pruneAudit} accepts (the schema enforces it too). */
export const MIN_AUDIT_RETENTION_SEC = 86_400;

/**
 * Fold refusals that are the same (reason, response, rule, target) into one entry with a count
 * and the latest detail: a flood of identical refusals costs one row, not one per alert.
 * @param at when they happened (seconds)
 * @example store.commitBatch({ refusals: foldRefusals(batchRefusals, now) })
 */
export function foldRefusals(refusals: readonly Refusal[], at: number): RefusalCount[] {
  const byKey = new Map<string, { refusal: Refusal; count: number; firstAt: number; lastAt: number }>();
  for (const r of refusals) {
    const key = refusalKey(r);
    const seen = byKey.get(key);
    if (seen) {
      seen.count++;
      seen.refusal = r;
    } else byKey.set(key, { refusal: r, count: 1, firstAt: at, lastAt: at });
  }
  return [...byKey.values()];
}

/**
 * What makes refusals "the same": reason, response, rule and target. Not the detail, which
 * changes with every repeat (a duplicate's offence number) or is the hostile value itself (an
 * invalid target): the row keeps the latest detail.
 */
function refusalKey(r: Refusal): string {
  return JSON.stringify([r.reason, r.response, r.ruleId, r.target ? `${r.target.kind}:${r.target.value}` : null]);
}

/** A new runtime allowlist entry. */
export interface AllowlistInput {
  readonly value: string;
  readonly kind: 'ip' | 'account';
  readonly reason: string;
  readonly addedBy: string;
}

const DECISION_COLUMNS = `decision_id, response, command, target_kind, target, alert_id, rule_id, mode, simulated,
  state, decided_at, timeout_sec, until, offence, escalated, updated_at`;

interface DecisionRow {
  decision_id: string;
  response: string;
  command: string;
  target_kind: 'ip' | 'user';
  target: string;
  alert_id: string;
  rule_id: number;
  mode: 'enforce' | 'simulate';
  simulated: number;
  state: DecisionState;
  decided_at: number;
  timeout_sec: number;
  until: number | null;
  offence: number;
  escalated: number;
  updated_at: number;
}

function rowToDecision(r: DecisionRow): StoredDecision {
  return {
    decisionId: r.decision_id,
    response: r.response,
    command: r.command,
    target: { kind: r.target_kind, value: r.target },
    alertId: r.alert_id,
    ruleId: r.rule_id,
    mode: r.mode,
    simulated: r.simulated === 1,
    state: r.state,
    decidedAt: r.decided_at,
    timeoutSec: r.timeout_sec,
    until: r.until,
    offence: r.offence,
    escalated: r.escalated === 1,
    updatedAt: r.updated_at,
  };
}

/** The row and the audit detail of a decision being recorded. */
function decisionParams(decision: DecisionV1, alert: AlertV1, initial: 'active' | 'pending_approval', at: number): [Record<string, unknown>, string] {
  const state: DecisionState = decision.simulated ? 'simulated' : initial;
  return [
    {
      decision_id: decision.decisionId,
      response: decision.response,
      command: decision.command,
      target_kind: decision.target.kind,
      target: decision.target.value,
      alert_id: decision.alertId,
      rule_id: decision.ruleId,
      mode: decision.mode,
      simulated: decision.simulated ? 1 : 0,
      state,
      decided_at: decision.decidedAt,
      timeout_sec: decision.timeoutSec,
      until: decision.until,
      offence: decision.offence,
      escalated: decision.escalated ? 1 : 0,
      alert_json: JSON.stringify(alert),
      updated_at: at,
    },
    JSON.stringify({ state, response: decision.response, target: decision.target, until: decision.until, ruleId: decision.ruleId }),
  ];
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The SQLite store. Open one per process and share it; close it on shutdown.
 * @example
 * const store = Store.open('/var/lib/riposte/riposte.db');
 * if (store.recordDecision(decision, alert)) await execute(decision); // committed first
 */
export class Store {
  readonly #db: Database.Database;
  readonly #now: () => number;
  // Prepared once: statement compilation would otherwise dominate these small calls.
  readonly #s: ReturnType<typeof prepare>;
  readonly #tx: {
    record: (p: Record<string, unknown>, auditDetail: string) => boolean;
    transition: (id: string, from: DecisionState, to: DecisionState, at: number, detail: string) => void;
    allowAdd: (e: AllowlistInput, at: number) => void;
    allowRemove: (value: string, at: number) => boolean;
    batch: (b: BatchCommit, at: number) => void;
    prune: (before: number, at: number) => number;
  };

  private constructor(db: Database.Database, now: () => number) {
    this.#db = db;
    this.#now = now;
    const s = prepare(db);
    this.#s = s;
    this.#tx = {
      record: db.transaction((p: Record<string, unknown>, auditDetail: string): boolean => {
        if (s.insertDecision.run(p).changes === 0) return false;
        s.insertAudit.run(p['updated_at'], p['decision_id'], 'decision_recorded', auditDetail);
        return true;
      }).immediate,
      transition: db.transaction((id: string, from: DecisionState, to: DecisionState, at: number, detail: string): void => {
        if (s.updateState.run(to, at, id, from).changes === 0) {
          const row = s.getState.get(id) as { state: DecisionState } | undefined;
          if (!row) throw new StoreError('RIPOSTE_ERR_STORE_NOT_FOUND', `No decision "${id}"`);
          throw new StoreError('RIPOSTE_ERR_STORE_TRANSITION', `Decision "${id}" is ${row.state}, not ${from}: cannot move it to ${to}`);
        }
        s.insertAudit.run(at, id, 'state_changed', detail);
      }).immediate,
      allowAdd: db.transaction((e: AllowlistInput, at: number): void => {
        s.upsertAllow.run(e.value, e.kind, e.reason, at, e.addedBy);
        s.insertAudit.run(at, null, 'allowlist_added', JSON.stringify(e));
      }).immediate,
      allowRemove: db.transaction((value: string, at: number): boolean => {
        if (s.deleteAllow.run(value).changes === 0) return false;
        s.insertAudit.run(at, null, 'allowlist_removed', JSON.stringify({ value }));
        return true;
      }).immediate,
      batch: db.transaction((b: BatchCommit, at: number): void => {
        if (b.checkpoint) {
          const cp = b.checkpoint.checkpoint;
          s.putCheckpoint.run(b.checkpoint.source, cp.inode, cp.offset, cp.fingerprint);
        }
        if (b.output) s.putOutput.run(b.output.name, b.output.mark.inode, b.output.mark.size);
        for (const [key, off] of b.offences ?? []) s.putOffender.run(key, off.count, off.last);
        for (const f of b.refusals ?? []) {
          const r = f.refusal;
          const target = r.target ? `${r.target.kind}:${r.target.value}` : null;
          const total = s.upsertRefusal.get(refusalKey(r), r.reason, r.response, r.ruleId, target, r.detail, f.count, f.firstAt, f.lastAt) as number;
          // The first sighting is an audit entry (as every refusal used to be); repeats only count.
          if (total === f.count) s.insertAudit.run(at, null, `refused:${r.reason}`, JSON.stringify({ response: r.response, rule: r.ruleId, target: r.target, detail: r.detail, count: f.count }));
        }
      }).immediate,
      prune: db.transaction((before: number, at: number): number => {
        const removed = s.countAuditBefore.get(before) as number;
        // Nothing to remove, nothing to record (a daily prune of a young trail adds no rows).
        if (removed === 0 && (s.countRefusalsBefore.get(before) as number) === 0) return 0;
        s.insertPrune.run(at, before, removed);
        s.deleteAuditBefore.run(before);
        s.deleteRefusalsBefore.run(before);
        s.insertAudit.run(at, null, 'audit_pruned', JSON.stringify({ before, removed }));
        return removed;
      }).immediate,
    };
  }

  /**
   * Open (or create) the store file and bring its schema up to date. A new file is created
   * readable by its owner only: it holds alert data.
   * @throws StoreError `RIPOSTE_ERR_STORE_SCHEMA` when the file is newer than this code
   * @example const store = Store.open(path.join(dir, 'riposte.db'));
   */
  static open(file: string, opts: StoreOptions = {}): Store {
    let db: Database.Database;
    try {
      if (file !== ':memory:') closeSync(openSync(file, 'a', 0o600));
      db = new Database(file);
    } catch (e) {
      throw openError(file, e);
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma('foreign_keys = ON');
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? 5000))}`);
      migrate(db);
      return new Store(db, opts.now ?? (() => Date.now() / 1000));
    } catch (e) {
      db.close();
      throw e instanceof StoreError ? e : openError(file, e);
    }
  }

  /** Close the file. The store is unusable afterwards. */
  close(): void {
    this.#db.close();
  }

  /**
   * Run `fn` as one transaction: all of its store writes commit together or not at all (a throw
   * rolls everything back). Store methods called inside join it as savepoints.
   * @example store.transaction(() => { store.saveOffence(k1, o1); store.saveOffence(k2, o2); });
   */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  // ── decisions ────────────────────────────────────────────────────────────────────────────

  /**
   * Record a decision (with the alert that caused it) as desired state, and COMMIT, before the
   * caller executes anything. A simulated decision is recorded as `simulated`; otherwise as
   * `initial` (default `active`). Idempotent: decision ids are stable, so a re-delivered alert
   * records nothing new.
   * @returns true when recorded now, false when this decision id was already recorded (then do
   *   not execute it again)
   * @throws StoreError `RIPOSTE_ERR_STORE_INVALID` inside an open transaction (it could not
   *   commit before the caller goes on to execute)
   * @example if (store.recordDecision(d, alert)) await run(d);
   */
  recordDecision(decision: DecisionV1, alert: AlertV1, initial: 'active' | 'pending_approval' = 'active'): boolean {
    if (this.#db.inTransaction) {
      throw new StoreError('RIPOSTE_ERR_STORE_INVALID', 'recordDecision must not run inside a transaction: it has to commit before anything executes');
    }
    const [p, audit] = decisionParams(decision, alert, initial, this.#now());
    return this.#tx.record(p, audit);
  }

  // ── batched decisions (the burst path; owner: the responder) ─────────────────────────────

  /**
   * {@link recordDecision} for many decisions in ONE transaction, committed before it returns: a
   * burst of decisions then costs one commit per batch of log lines instead of one per decision.
   * @returns per decision, in order: true when recorded now, false when its id was already
   *   recorded (then do not execute it again)
   * @throws StoreError `RIPOSTE_ERR_STORE_INVALID` inside an open transaction
   * @example const recorded = store.recordDecisions([{ decision, alert }]);
   */
  recordDecisions(items: ReadonlyArray<{ readonly decision: DecisionV1; readonly alert: AlertV1 }>): boolean[] {
    if (this.#db.inTransaction) {
      throw new StoreError('RIPOSTE_ERR_STORE_INVALID', 'recordDecisions must not run inside a transaction: it has to commit before anything executes');
    }
    const at = this.#now();
    const s = this.#s;
    return this.#db
      .transaction(() =>
        items.map(({ decision, alert }) => {
          const [p, audit] = decisionParams(decision, alert, 'active', at);
          if (s.insertDecision.run(p).changes === 0) return false;
          s.insertAudit.run(p['updated_at'], p['decision_id'], 'decision_recorded', audit);
          return true;
        }),
      )
      .immediate();
  }

  /**
   * The state of one decision now, or null: what an action checks at the moment it runs (cheaper
   * than {@link getDecision}, which reads and converts the whole row).
   * @example if (store.stateOf(id) !== 'active') skip();
   */
  stateOf(decisionId: string): DecisionState | null {
    return (this.#s.getState.get(decisionId) as { state: DecisionState } | undefined)?.state ?? null;
  }

  /**
   * Move a decision from `from` to `to`, and audit it, in one transaction. Only moves from the
   * expected state, so two writers racing for the same decision cannot both win.
   * @param detail extra audit detail (e.g. who unblocked, why it failed)
   * @throws StoreError `RIPOSTE_ERR_STORE_TRANSITION` for a move the life cycle forbids or when
   *   the decision is no longer in `from`; `RIPOSTE_ERR_STORE_NOT_FOUND` for an unknown id
   * @example store.transition(id, 'active', 'reverting');
   */
  transition(decisionId: string, from: DecisionState, to: DecisionState, detail?: Readonly<Record<string, unknown>>): void {
    if (!canTransition(from, to)) {
      throw new StoreError('RIPOSTE_ERR_STORE_TRANSITION', `A decision cannot move from ${from} to ${to}`);
    }
    this.#tx.transition(decisionId, from, to, this.#now(), JSON.stringify({ ...detail, from, to }));
  }

  /** One decision, or null. @example store.getDecision(id)?.state */
  getDecision(decisionId: string): StoredDecision | null {
    const r = this.#s.getDecision.get(decisionId) as DecisionRow | undefined;
    return r ? rowToDecision(r) : null;
  }

  /** The alert a decision was made for (the executor sends it again with the delete). */
  getAlert(decisionId: string): AlertV1 | null {
    const r = this.#s.getAlert.get(decisionId) as { alert_json: string } | undefined;
    return r ? (JSON.parse(r.alert_json) as AlertV1) : null;
  }

  /**
   * Decisions matching all the given filters, newest first.
   * @example store.listDecisions({ active: true, ruleId: 5763 })
   */
  listDecisions(filter: DecisionFilter = {}): StoredDecision[] {
    const rows = this.#s.listDecisions.all({
      active: filter.active ? 1 : 0,
      state: filter.state ?? null,
      since: filter.since ?? null,
      ruleId: filter.ruleId ?? null,
      limit: filter.limit ?? 1000,
    }) as DecisionRow[];
    return rows.map(rowToDecision);
  }

  /**
   * Active decisions whose time has come (`until <= now`), earliest first.
   * @example for (const d of store.dueForRevert(now)) …
   */
  dueForRevert(now: number, limit = 1000): StoredDecision[] {
    return (this.#s.due.all(now, limit) as DecisionRow[]).map(rowToDecision);
  }

  /** The earliest `until` of any active decision, or null when none has a timeout. */
  nextRevertAt(): number | null {
    return (this.#s.nextUntil.get() as number | null | undefined) ?? null;
  }

  /**
   * Decisions in force or about to be for a target (pending approval, active, reverting), by
   * any response.
   * @example store.activeByTarget({ kind: 'ip', value: '192.0.2.7' })
   */
  activeByTarget(target: Target): StoredDecision[] {
    return (this.#s.byTarget.all(target.kind, target.value) as DecisionRow[]).map(rowToDecision);
  }

  // ── listing for people (paged, with the true total) ──────────────────────────────────────

  /**
   * How many decisions match the filter (its `limit` is ignored): the true total a paged list
   * shows, so no list ever hides rows behind a silent limit.
   * @example store.countDecisions({ active: true }) // 100001
   */
  countDecisions(filter: DecisionFilter = {}): number {
    return this.#listing().count.get(listParams(filter)) as number;
  }

  /**
   * One page of decisions, newest first, each with what its `add` run actually did: `applied`
   * (it succeeded), `failed`, or `pending` (no run recorded yet). `active` is desired state;
   * this is what the host has.
   * @param page `offset` rows skipped, at most `limit` returned
   * @example store.pageDecisions({ active: true }, { offset: 0, limit: 100 })
   */
  pageDecisions(filter: DecisionFilter, page: { readonly offset: number; readonly limit: number }): ListedDecision[] {
    const rows = this.#listing().page.all({ ...listParams(filter), limit: page.limit, offset: page.offset }) as Array<DecisionRow & { add_ok: number | null }>;
    return rows.map((r) => ({ ...rowToDecision(r), applied: r.add_ok === null ? 'pending' : r.add_ok === 1 ? 'applied' : 'failed' }));
  }

  /**
   * Decisions in `state` with an id after `afterId`, by id: a walk over every such decision in
   * chunks that neither skips nor repeats one while others change state.
   * @example for (let page = store.decisionsAfter('active', '', 500); page.length; page = store.decisionsAfter('active', page.at(-1)!.decisionId, 500)) …
   */
  decisionsAfter(state: DecisionState, afterId: string, limit: number, filter: { readonly ruleId?: number; readonly since?: number } = {}): StoredDecision[] {
    const rows = this.#listing().after.all({ state, afterId, limit, ruleId: filter.ruleId ?? null, since: filter.since ?? null }) as DecisionRow[];
    return rows.map(rowToDecision);
  }

  /**
   * SQLite's `data_version`: it changes whenever ANOTHER connection (an operator command, a
   * second process) commits to the file. One cheap read, for watchers that reload on change.
   * @example if (store.dataVersion() !== seen) reload();
   */
  dataVersion(): number {
    return this.#listing().dataVersion.get() as number;
  }

  /**
   * Decisions whose state changed after audit entry `afterId` (any writer), oldest first: how a
   * daemon learns what operator commands reverted behind its back, reading only what is new.
   * @returns the audit id and decision id of each change; pass the last `auditId` back
   * @example const changes = store.stateChangesAfter(seen, 500);
   */
  stateChangesAfter(afterId: number, limit: number): Array<{ readonly auditId: number; readonly decisionId: string }> {
    const rows = this.#listing().changes.all(afterId, limit) as Array<{ id: number; decision_id: string }>;
    return rows.map((r) => ({ auditId: r.id, decisionId: r.decision_id }));
  }

  /** The id of the latest audit entry (0 when there is none): where `stateChangesAfter` starts. */
  lastAuditId(): number {
    return (this.#listing().lastAudit.get() as number | null) ?? 0;
  }

  #listingStatements: ReturnType<typeof prepareListing> | null = null;

  #listing(): ReturnType<typeof prepareListing> {
    this.#listingStatements ??= prepareListing(this.#db);
    return this.#listingStatements;
  }

  // ── executions ───────────────────────────────────────────────────────────────────────────

  /**
   * Record one run of a response program.
   * @throws StoreError `RIPOSTE_ERR_STORE_NOT_FOUND` when the decision is unknown
   * @example store.recordExecution({ decisionId, action: 'add', startedAt, durationMs: 12, exitCode: 0, signal: null, timedOut: false, stderrExcerpt: '', answer: null });
   */
  recordExecution(e: ExecutionRecord): void {
    try {
      this.#s.insertExecution.run(e.decisionId, e.action, e.startedAt, e.durationMs, e.exitCode, e.signal, e.timedOut ? 1 : 0, e.stderrExcerpt, e.answer);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new StoreError('RIPOSTE_ERR_STORE_NOT_FOUND', `No decision "${e.decisionId}" for this execution`, { cause: err });
      }
      throw err;
    }
  }

  /** The runs of a decision's programs, in order. */
  listExecutions(decisionId: string): ExecutionRecord[] {
    const rows = this.#s.listExecutions.all(decisionId) as Array<{
      action: 'add' | 'delete';
      started_at: number;
      duration_ms: number;
      exit_code: number | null;
      signal: string | null;
      timed_out: number;
      stderr_excerpt: string;
      answer: string | null;
    }>;
    return rows.map((r) => ({
      decisionId,
      action: r.action,
      startedAt: r.started_at,
      durationMs: r.duration_ms,
      exitCode: r.exit_code,
      signal: r.signal,
      timedOut: r.timed_out === 1,
      stderrExcerpt: r.stderr_excerpt,
      answer: r.answer,
    }));
  }

  // ── decide state (survives restarts) ─────────────────────────────────────────────────────

  /**
   * The decide chain's state as of `now`: actions still in force (pending approval, active, or
   * simulated, whose `until` is later than `now` or unset) and every offender.
   * @example const ctx = { …, state: store.loadDecideState(Date.now() / 1000) };
   */
  loadDecideState(now: number): DecideState {
    const active = new Map<string, number>();
    for (const r of this.#s.inForce.all(now) as Array<{ response: string; target_kind: 'ip' | 'user'; target: string; until: number | null }>) {
      const key = activeKey(r.response, { kind: r.target_kind, value: r.target });
      const until = r.until ?? Infinity;
      if (until > (active.get(key) ?? -Infinity)) active.set(key, until);
    }
    const offenders = new Map<string, { count: number; last: number }>();
    for (const r of this.#s.allOffenders.all() as Array<{ key: string; count: number; last: number }>) {
      offenders.set(r.key, { count: r.count, last: r.last });
    }
    return { active, offenders };
  }

  /** One offender's history, or null. */
  getOffender(key: string): Offender | null {
    const r = this.#s.getOffender.get(key) as { count: number; last: number } | undefined;
    return r ? { count: r.count, last: r.last } : null;
  }

  /**
   * Save an offender's history after decide counted an offence (also for refusals: re-triggers
   * count).
   * @example store.saveOffence(key, state.offenders.get(key)!)
   */
  saveOffence(key: string, offender: Offender): void {
    this.#s.putOffender.run(key, offender.count, offender.last);
  }

  /** Forget offenders whose last offence is before `before`. @returns how many */
  pruneOffenders(before: number): number {
    return this.#s.pruneOffenders.run(before).changes;
  }

  // ── allowlist ────────────────────────────────────────────────────────────────────────────

  /**
   * Add (or replace) a runtime allowlist entry, and audit it.
   * @throws StoreError `RIPOSTE_ERR_STORE_INVALID` when the reason, value or author is empty or
   *   the value has control characters
   * @example store.allowlistAdd({ value: '192.0.2.0/24', kind: 'ip', reason: 'office NAT', addedBy: 'cli:alice' })
   */
  allowlistAdd(entry: AllowlistInput): void {
    const reason = entry.reason.trim();
    if (reason === '') throw new StoreError('RIPOSTE_ERR_STORE_INVALID', `Allowlist entry "${entry.value}" needs a reason`);
    if (entry.value === '' || entry.value.trim() !== entry.value || CONTROL.test(entry.value)) {
      throw new StoreError('RIPOSTE_ERR_STORE_INVALID', `Invalid allowlist value ${JSON.stringify(entry.value)}`);
    }
    if (entry.kind !== 'ip' && entry.kind !== 'account') throw new StoreError('RIPOSTE_ERR_STORE_INVALID', `Invalid allowlist kind "${String(entry.kind)}"`);
    if (entry.addedBy.trim() === '') throw new StoreError('RIPOSTE_ERR_STORE_INVALID', 'An allowlist entry needs its author (addedBy)');
    this.#tx.allowAdd({ ...entry, reason }, this.#now());
  }

  /** Remove an entry, and audit it. @returns false when there was none */
  allowlistRemove(value: string): boolean {
    return this.#tx.allowRemove(value, this.#now());
  }

  /** Every runtime entry, by value. Compatible with the config's AllowEntry shape. */
  allowlistList(): AllowlistRecord[] {
    const rows = this.#s.listAllow.all() as Array<{ value: string; kind: 'ip' | 'account'; reason: string; added_at: number; added_by: string }>;
    return rows.map((r) => ({ value: r.value, kind: r.kind, reason: r.reason, addedAt: r.added_at, addedBy: r.added_by }));
  }

  // ── audit ────────────────────────────────────────────────────────────────────────────────

  /**
   * Append to the audit trail (which the file itself keeps append-only).
   * @returns the entry's id
   * @example store.appendAudit('revert_failed', id, { exitCode: 1 })
   */
  appendAudit(event: string, decisionId: string | null, detail: unknown = null): number {
    return Number(this.#s.insertAudit.run(this.#now(), decisionId, event, JSON.stringify(detail ?? null)).lastInsertRowid);
  }

  /** Audit entries, oldest first. @example store.listAudit({ decisionId: id }) */
  listAudit(filter: AuditFilter = {}): AuditRecord[] {
    const rows = this.#s.listAudit.all({
      decisionId: filter.decisionId ?? null,
      afterId: filter.afterId ?? 0,
      limit: filter.limit ?? 1000,
    }) as Array<{ id: number; at: number; decision_id: string | null; event: string; detail_json: string }>;
    return rows.map((r) => ({ id: r.id, at: r.at, decisionId: r.decision_id, event: r.event, detail: JSON.parse(r.detail_json) as unknown }));
  }

  // ── checkpoints ──────────────────────────────────────────────────────────────────────────

  /** Where the tailer stopped in `source`, or null. */
  getCheckpoint(source: string): Checkpoint | null {
    const r = this.#s.getCheckpoint.get(source) as Checkpoint | undefined;
    return r ? { inode: r.inode, offset: r.offset, fingerprint: r.fingerprint } : null;
  }

  /** Save where the tailer stopped in `source`. @example store.putCheckpoint('/var/log/auth.log', { inode, offset, fingerprint }) */
  putCheckpoint(source: string, cp: Checkpoint): void {
    this.#s.putCheckpoint.run(source, cp.inode, cp.offset, cp.fingerprint);
  }

  // ── batches: checkpoint + the output it covers, in one transaction ──────────────────────

  /**
   * Commit what one batch of log lines produced, all or nothing: the checkpoint together with
   * the output mark (how far alerts.json is written and complete), offence counters and folded
   * refusals. A crash before the commit re-delivers the batch; after it, nothing is redone.
   * @example store.commitBatch({ checkpoint: { source, checkpoint }, output: { name: 'alerts.json', mark } })
   */
  commitBatch(b: BatchCommit): void {
    this.#tx.batch(b, this.#now());
  }

  /** How far the committed checkpoints say an output file reaches, or null. */
  getOutputMark(name: string): OutputMark | null {
    const r = this.#s.getOutput.get(name) as OutputMark | undefined;
    return r ? { inode: r.inode, size: r.size } : null;
  }

  /** Aggregated refusals, most recent first. @example store.listRefusals({ limit: 20 }) */
  listRefusals(filter: { readonly limit?: number } = {}): RefusalRecord[] {
    const rows = this.#s.listRefusals.all(filter.limit ?? 1000) as Array<{
      reason: string; response: string; rule_id: number; target: string | null; detail: string | null; count: number; first_at: number; last_at: number;
    }>;
    return rows.map((r) => ({ reason: r.reason, response: r.response, ruleId: r.rule_id, target: r.target, detail: r.detail, count: r.count, firstAt: r.first_at, lastAt: r.last_at }));
  }

  // ── audit retention ──────────────────────────────────────────────────────────────────────

  /**
   * Remove audit entries (and aggregated refusals) last seen more than `retentionSec` ago, the
   * only sanctioned way anything leaves the audit: the prune is recorded first (`audit_prunes`,
   * itself append-only, plus an `audit_pruned` audit entry), and the file's triggers refuse any
   * delete of an entry newer than the latest recorded horizon.
   * @returns how many audit entries were removed
   * @throws StoreError `RIPOSTE_ERR_STORE_INVALID` for a retention shorter than a day
   * @example store.pruneAudit(90 * 86400)
   */
  pruneAudit(retentionSec: number): number {
    if (!(retentionSec >= MIN_AUDIT_RETENTION_SEC)) {
      throw new StoreError('RIPOSTE_ERR_STORE_INVALID', `Audit retention "${retentionSec}" s is shorter than the minimum of ${MIN_AUDIT_RETENTION_SEC} s (one day)`);
    }
    const at = this.#now();
    const horizon = this.#s.lastPrune.get() as number | null;
    const before = Math.max(at - retentionSec, horizon ?? -Infinity);
    return this.#tx.prune(before, at);
  }
}

function listParams(filter: DecisionFilter): Record<string, unknown> {
  return { active: filter.active ? 1 : 0, state: filter.state ?? null, since: filter.since ?? null, ruleId: filter.ruleId ?? null };
}

const LIST_WHERE = `(@active = 0 OR state IN ('active', 'reverting'))
        AND (@state IS NULL OR state = @state)
        AND (@since IS NULL OR decided_at >= @since)
        AND (@ruleId IS NULL OR rule_id = @ruleId)`;

/** The listing statements (paged lists, totals, chunked walks), compiled on first use. */
function prepareListing(db: Database.Database) {
  return {
    count: db.prepare(`SELECT count(*) FROM decisions WHERE ${LIST_WHERE}`).pluck(),
    page: db.prepare(`
      SELECT ${DECISION_COLUMNS},
        (SELECT e.exit_code IS 0 AND e.timed_out = 0 FROM executions e
          WHERE e.decision_id = decisions.decision_id AND e.action = 'add' ORDER BY e.id DESC LIMIT 1) AS add_ok
      FROM decisions WHERE ${LIST_WHERE}
      ORDER BY decided_at DESC, decision_id LIMIT @limit OFFSET @offset`),
    after: db.prepare(`
      SELECT ${DECISION_COLUMNS} FROM decisions
      WHERE state = @state AND decision_id > @afterId
        AND (@since IS NULL OR decided_at >= @since)
        AND (@ruleId IS NULL OR rule_id = @ruleId)
      ORDER BY decision_id LIMIT @limit`),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    changes: db.prepare("SELECT id, decision_id FROM audit WHERE id > ? AND event = 'state_changed' AND decision_id IS NOT NULL ORDER BY id LIMIT ?"),
    lastAudit: db.prepare('SELECT max(id) FROM audit').pluck(),
  };
}

/** Every statement the store runs, compiled once per connection. */
function prepare(db: Database.Database) {
  return {
    insertDecision: db.prepare(`
      INSERT INTO decisions (${DECISION_COLUMNS}, alert_json)
      VALUES (@decision_id, @response, @command, @target_kind, @target, @alert_id, @rule_id, @mode, @simulated,
              @state, @decided_at, @timeout_sec, @until, @offence, @escalated, @updated_at, @alert_json)
      ON CONFLICT (decision_id) DO NOTHING`),
    updateState: db.prepare('UPDATE decisions SET state = ?, updated_at = ? WHERE decision_id = ? AND state = ?'),
    getState: db.prepare('SELECT state FROM decisions WHERE decision_id = ?'),
    getDecision: db.prepare(`SELECT ${DECISION_COLUMNS} FROM decisions WHERE decision_id = ?`),
    getAlert: db.prepare('SELECT alert_json FROM decisions WHERE decision_id = ?'),
    listDecisions: db.prepare(`
      SELECT ${DECISION_COLUMNS} FROM decisions
      WHERE (@active = 0 OR state IN ('active', 'reverting'))
        AND (@state IS NULL OR state = @state)
        AND (@since IS NULL OR decided_at >= @since)
        AND (@ruleId IS NULL OR rule_id = @ruleId)
      ORDER BY decided_at DESC, decision_id LIMIT @limit`),
    // The literal state and IS NOT NULL let SQLite use the partial index decisions_due.
    due: db.prepare(`
      SELECT ${DECISION_COLUMNS} FROM decisions
      WHERE state = 'active' AND until IS NOT NULL AND until <= ?
      ORDER BY until, decision_id LIMIT ?`),
    nextUntil: db.prepare("SELECT min(until) FROM decisions WHERE state = 'active' AND until IS NOT NULL").pluck(),
    byTarget: db.prepare(`
      SELECT ${DECISION_COLUMNS} FROM decisions
      WHERE target_kind = ? AND target = ? AND state IN ('pending_approval', 'active', 'reverting')
      ORDER BY decided_at, decision_id`),
    inForce: db.prepare(`
      SELECT response, target_kind, target, until FROM decisions
      WHERE state IN ('pending_approval', 'active', 'simulated') AND (until IS NULL OR until > ?)`),
    insertExecution: db.prepare(`
      INSERT INTO executions (decision_id, action, started_at, duration_ms, exit_code, signal, timed_out, stderr_excerpt, answer)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    listExecutions: db.prepare('SELECT * FROM executions WHERE decision_id = ? ORDER BY id'),
    allOffenders: db.prepare('SELECT key, count, last FROM offenders'),
    getOffender: db.prepare('SELECT count, last FROM offenders WHERE key = ?'),
    putOffender: db.prepare('INSERT INTO offenders (key, count, last) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET count = excluded.count, last = excluded.last'),
    pruneOffenders: db.prepare('DELETE FROM offenders WHERE last < ?'),
    upsertAllow: db.prepare(`
      INSERT INTO allowlist (value, kind, reason, added_at, added_by) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (value) DO UPDATE SET kind = excluded.kind, reason = excluded.reason, added_at = excluded.added_at, added_by = excluded.added_by`),
    deleteAllow: db.prepare('DELETE FROM allowlist WHERE value = ?'),
    listAllow: db.prepare('SELECT value, kind, reason, added_at, added_by FROM allowlist ORDER BY value'),
    insertAudit: db.prepare('INSERT INTO audit (at, decision_id, event, detail_json) VALUES (?, ?, ?, ?)'),
    listAudit: db.prepare(`
      SELECT id, at, decision_id, event, detail_json FROM audit
      WHERE (@decisionId IS NULL OR decision_id = @decisionId) AND id > @afterId
      ORDER BY id LIMIT @limit`),
    getCheckpoint: db.prepare('SELECT inode, offset, fingerprint FROM checkpoints WHERE source = ?'),
    putOutput: db.prepare('INSERT INTO outputs (name, inode, size) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET inode = excluded.inode, size = excluded.size'),
    getOutput: db.prepare('SELECT inode, size FROM outputs WHERE name = ?'),
    upsertRefusal: db.prepare(`
      INSERT INTO refusals (key, reason, response, rule_id, target, detail, count, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET count = count + excluded.count, last_at = excluded.last_at, detail = excluded.detail
      RETURNING count`).pluck(),
    listRefusals: db.prepare('SELECT reason, response, rule_id, target, detail, count, first_at, last_at FROM refusals ORDER BY last_at DESC, key LIMIT ?'),
    countAuditBefore: db.prepare('SELECT count(*) FROM audit WHERE at < ?').pluck(),
    deleteAuditBefore: db.prepare('DELETE FROM audit WHERE at < ?'),
    deleteRefusalsBefore: db.prepare('DELETE FROM refusals WHERE last_at < ?'),
    countRefusalsBefore: db.prepare('SELECT count(*) FROM refusals WHERE last_at < ?').pluck(),
    insertPrune: db.prepare('INSERT INTO audit_prunes (at, before, removed) VALUES (?, ?, ?)'),
    lastPrune: db.prepare('SELECT max(before) FROM audit_prunes').pluck(),
    putCheckpoint: db.prepare(`
      INSERT INTO checkpoints (source, inode, offset, fingerprint) VALUES (?, ?, ?, ?)
      ON CONFLICT (source) DO UPDATE SET inode = excluded.inode, offset = excluded.offset, fingerprint = excluded.fingerprint`),
  };
}
