/**
 * The store's schema as an ordered list of migrations. `PRAGMA user_version` holds how many have
 * been applied; each runs in its own transaction together with the version bump, so a crash
 * during an upgrade leaves the file at the previous version. Never edit a published migration:
 * append a new one.
 * @module
 */
import type Database from 'better-sqlite3';
import { StoreError } from './errors.ts';

/** Migration n (1-based) brings the file from version n-1 to n. */
const MIGRATIONS: readonly string[] = [
  // 1: the initial schema. STRICT tables: SQLite refuses a value of the wrong type instead of
  // storing it as is. Times are REAL seconds since the epoch, as in DecisionV1.
  `
  CREATE TABLE decisions (
    decision_id TEXT PRIMARY KEY,
    response    TEXT NOT NULL,
    command     TEXT NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('ip', 'user')),
    target      TEXT NOT NULL,
    alert_id    TEXT NOT NULL,
    rule_id     INTEGER NOT NULL,
    mode        TEXT NOT NULL CHECK (mode IN ('enforce', 'simulate')),
    simulated   INTEGER NOT NULL CHECK (simulated IN (0, 1)),
    state       TEXT NOT NULL CHECK (state IN ('pending_approval', 'active', 'reverting', 'reverted',
                                               'rejected', 'expired', 'simulated', 'failed')),
    decided_at  REAL NOT NULL,
    timeout_sec INTEGER NOT NULL,
    until       REAL,
    offence     INTEGER NOT NULL,
    escalated   INTEGER NOT NULL CHECK (escalated IN (0, 1)),
    alert_json  TEXT NOT NULL,
    updated_at  REAL NOT NULL
  ) STRICT;
  -- The scheduler's two questions (what is due, when is the next one) read only this index.
  CREATE INDEX decisions_due ON decisions (until, decision_id) WHERE state = 'active' AND until IS NOT NULL;
  CREATE INDEX decisions_target ON decisions (target_kind, target) WHERE state IN ('pending_approval', 'active', 'reverting');
  -- Listing walks this newest first and filters; few indexes keep each insert cheap.
  CREATE INDEX decisions_decided ON decisions (decided_at);

  CREATE TABLE executions (
    id             INTEGER PRIMARY KEY,
    decision_id    TEXT NOT NULL REFERENCES decisions (decision_id) ON DELETE CASCADE,
    action         TEXT NOT NULL CHECK (action IN ('add', 'delete')),
    started_at     REAL NOT NULL,
    duration_ms    REAL NOT NULL,
    exit_code      INTEGER,
    signal         TEXT,
    timed_out      INTEGER NOT NULL CHECK (timed_out IN (0, 1)),
    stderr_excerpt TEXT NOT NULL,
    answer         TEXT
  ) STRICT;
  CREATE INDEX executions_decision ON executions (decision_id);

  CREATE TABLE offenders (
    key   TEXT PRIMARY KEY,
    count INTEGER NOT NULL CHECK (count >= 1),
    last  REAL NOT NULL
  ) STRICT;

  CREATE TABLE allowlist (
    value    TEXT PRIMARY KEY,
    kind     TEXT NOT NULL CHECK (kind IN ('ip', 'account')),
    reason   TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    added_at REAL NOT NULL,
    added_by TEXT NOT NULL
  ) STRICT;

  -- No foreign key to decisions: the trail outlives any pruning of decisions.
  CREATE TABLE audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          REAL NOT NULL,
    decision_id TEXT,
    event       TEXT NOT NULL,
    detail_json TEXT NOT NULL
  ) STRICT;
  CREATE INDEX audit_decision ON audit (decision_id, id);
  -- Append-only, enforced by the file itself, whatever code (or sqlite3 shell) writes to it.
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

  CREATE TABLE checkpoints (
    source      TEXT PRIMARY KEY,
    inode       INTEGER NOT NULL,
    offset      INTEGER NOT NULL CHECK (offset >= 0),
    fingerprint TEXT NOT NULL
  ) STRICT;
  `,
  // 2: durable output marks, aggregated refusals, and the audit's retention.
  // - outputs: how much of an output file (alerts.json) the committed checkpoints cover; written
  //   in the same transaction as the checkpoints, so a restart cuts the file back to it and
  //   re-delivered events are written once.
  // - refusals: repeated identical refusals are one counted row (first and last seen), not one
  //   audit row each; the first sighting is also an audit row.
  // - audit_prunes: the only way rows leave the audit. A prune is itself an append-only record,
  //   its horizon is at least a day old and never moves back, and the delete trigger lets through
  //   only rows older than the latest recorded horizon: what the audit keeps stays append-only.
  `
  CREATE TABLE outputs (
    name  TEXT PRIMARY KEY,
    inode INTEGER NOT NULL,
    size  INTEGER NOT NULL CHECK (size >= 0)
  ) STRICT;

  CREATE TABLE refusals (
    key      TEXT PRIMARY KEY,
    reason   TEXT NOT NULL,
    response TEXT NOT NULL,
    rule_id  INTEGER NOT NULL,
    target   TEXT,
    detail   TEXT,
    count    INTEGER NOT NULL CHECK (count >= 1),
    first_at REAL NOT NULL,
    last_at  REAL NOT NULL
  ) STRICT;
  CREATE INDEX refusals_last ON refusals (last_at);

  CREATE TABLE audit_prunes (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      REAL NOT NULL,
    before  REAL NOT NULL,
    removed INTEGER NOT NULL CHECK (removed >= 0),
    CHECK (before <= at - 86400)
  ) STRICT;
  CREATE TRIGGER audit_prunes_no_update BEFORE UPDATE ON audit_prunes BEGIN SELECT RAISE(ABORT, 'audit_prunes is append-only'); END;
  CREATE TRIGGER audit_prunes_no_delete BEFORE DELETE ON audit_prunes BEGIN SELECT RAISE(ABORT, 'audit_prunes is append-only'); END;
  CREATE TRIGGER audit_prunes_forward BEFORE INSERT ON audit_prunes
    WHEN NEW.before < coalesce((SELECT max(before) FROM audit_prunes), -1e308)
    BEGIN SELECT RAISE(ABORT, 'an audit prune horizon never moves back'); END;

  CREATE INDEX audit_at ON audit (at);
  DROP TRIGGER audit_no_delete;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    WHEN OLD.at >= coalesce((SELECT max(before) FROM audit_prunes), -1e308)
    BEGIN SELECT RAISE(ABORT, 'audit is append-only: only entries older than a recorded prune may be removed'); END;
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Bring the file up to {@link SCHEMA_VERSION}.
 * @throws StoreError `RIPOSTE_ERR_STORE_SCHEMA` when the file is newer than this code
 * @returns the version the file had before
 * @example migrate(db) // 0 for a new file
 */
export function migrate(db: Database.Database): number {
  const before = db.pragma('user_version', { simple: true }) as number;
  if (before > SCHEMA_VERSION) {
    throw new StoreError('RIPOSTE_ERR_STORE_SCHEMA', `Store schema version ${before} is newer than this Riposte knows (${SCHEMA_VERSION})`);
  }
  for (let v = before; v < SCHEMA_VERSION; v++) {
    // IMMEDIATE: two processes opening a new file at once must not both run migration v.
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current !== v) return;
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
  return before;
}
