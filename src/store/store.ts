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
import type { AlertV1, DecideState, DecisionV1, Target } from '../decide/types.ts';
import { activeKey } from '../decide/index.ts';
import { StoreError } from './errors.ts';
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
  Offender,
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
    };
  }

  /**
   * Open (or create) the store file and bring its schema up to date. A new file is created
   * readable by its owner only: it holds alert data.
   * @throws StoreError `RIPOSTE_ERR_STORE_SCHEMA` when the file is newer than this code
   * @example const store = Store.open(path.join(dir, 'riposte.db'));
   */
  static open(file: string, opts: StoreOptions = {}): Store {
    if (file !== ':memory:') closeSync(openSync(file, 'a', 0o600));
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma('foreign_keys = ON');
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? 5000))}`);
      migrate(db);
      return new Store(db, opts.now ?? (() => Date.now() / 1000));
    } catch (e) {
      db.close();
      throw e;
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
    putCheckpoint: db.prepare(`
      INSERT INTO checkpoints (source, inode, offset, fingerprint) VALUES (?, ?, ?, ?)
      ON CONFLICT (source) DO UPDATE SET inode = excluded.inode, offset = excluded.offset, fingerprint = excluded.fingerprint`),
  };
}
