import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { alertFor, decision, tempDir, tempStore } from './_fixtures.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { Store } from './store.ts';
import { canTransition, DECISION_STATES } from './transitions.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

/** A second, independent connection: it sees only what was committed. */
function peek<T>(file: string, sql: string, ...params: unknown[]): T | undefined {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T | undefined;
  } finally {
    db.close();
  }
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

test('Store.open() creates an owner-only WAL file at the current schema version, and reopens it', (t) => {
  const { store, file } = tempStore(t);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(peek<{ user_version: number }>(file, 'PRAGMA user_version')?.user_version, SCHEMA_VERSION);
  assert.equal(peek<{ journal_mode: string }>(file, 'PRAGMA journal_mode')?.journal_mode, 'wal');
  store.close();
  // Reopening does not run the migrations again (they would fail: the tables exist).
  const again = Store.open(file);
  assert.equal(again.listDecisions().length, 0);
  again.close();
});

test('Store.open() refuses a file written by a newer schema', (t) => {
  const { store, file } = tempStore(t);
  store.close();
  const db = new Database(file);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(() => Store.open(file), { code: 'RIPOSTE_ERR_STORE_SCHEMA' });
});

test('recordDecision() commits the decision before the caller executes anything', (t) => {
  const { store, file } = tempStore(t);
  const d = decision();
  let seenByExecutor: { state: string; until: number } | undefined;
  const execute = () => {
    seenByExecutor = peek(file, 'SELECT state, until FROM decisions WHERE decision_id = ?', d.decisionId);
  };
  if (store.recordDecision(d, alertFor(d))) execute();
  assert.deepEqual({ ...seenByExecutor }, { state: 'active', until: d.until });
  assert.deepEqual(store.getAlert(d.decisionId), alertFor(d));
  const audit = store.listAudit({ decisionId: d.decisionId });
  assert.deepEqual(audit.map((a) => a.event), ['decision_recorded']);
});

test('recordDecision() is idempotent on the decision id and refuses to run inside a transaction', (t) => {
  const { store } = tempStore(t);
  const d = decision();
  assert.equal(store.recordDecision(d, alertFor(d)), true);
  assert.equal(store.recordDecision(d, alertFor(d)), false);
  assert.equal(store.listAudit({ decisionId: d.decisionId }).length, 1);
  const e = decision();
  assert.throws(() => store.transaction(() => store.recordDecision(e, alertFor(e))), { code: 'RIPOSTE_ERR_STORE_INVALID' });
  assert.equal(store.getDecision(e.decisionId), null);
});

test('recordDecision() stores simulated decisions as simulated and can wait for approval', (t) => {
  const { store } = tempStore(t);
  const sim = decision({ simulated: true, mode: 'simulate' });
  const gated = decision();
  store.recordDecision(sim, alertFor(sim));
  store.recordDecision(gated, alertFor(gated), 'pending_approval');
  assert.equal(store.getDecision(sim.decisionId)?.state, 'simulated');
  assert.equal(store.getDecision(sim.decisionId)?.simulated, true);
  assert.equal(store.getDecision(gated.decisionId)?.state, 'pending_approval');
});

test('transition() follows the life cycle and audits every move', (t) => {
  const { store } = tempStore(t);
  const d = decision();
  store.recordDecision(d, alertFor(d), 'pending_approval');
  store.transition(d.decisionId, 'pending_approval', 'active', { by: 'alice' });
  store.transition(d.decisionId, 'active', 'reverting');
  store.transition(d.decisionId, 'reverting', 'reverted');
  assert.equal(store.getDecision(d.decisionId)?.state, 'reverted');
  const moves = store.listAudit({ decisionId: d.decisionId }).slice(1).map((a) => a.detail as { from: string; to: string; by?: string });
  assert.deepEqual(moves, [
    { by: 'alice', from: 'pending_approval', to: 'active' },
    { from: 'active', to: 'reverting' },
    { from: 'reverting', to: 'reverted' },
  ]);
});

test('transition() throws on an illegal move, a stale state or an unknown id, and changes nothing', (t) => {
  const { store } = tempStore(t);
  const d = decision();
  store.recordDecision(d, alertFor(d));
  store.transition(d.decisionId, 'active', 'reverting');
  store.transition(d.decisionId, 'reverting', 'reverted');
  const auditBefore = store.listAudit().length;
  assert.equal(codeOf(() => store.transition(d.decisionId, 'reverted', 'active')), 'RIPOSTE_ERR_STORE_TRANSITION');
  assert.equal(codeOf(() => store.transition(d.decisionId, 'active', 'reverting')), 'RIPOSTE_ERR_STORE_TRANSITION');
  assert.equal(codeOf(() => store.transition(d.decisionId, 'simulated', 'active')), 'RIPOSTE_ERR_STORE_TRANSITION');
  assert.equal(codeOf(() => store.transition('nope', 'active', 'reverting')), 'RIPOSTE_ERR_STORE_NOT_FOUND');
  assert.equal(store.getDecision(d.decisionId)?.state, 'reverted');
  assert.equal(store.listAudit().length, auditBefore);
});

test('canTransition() leaves every terminal state terminal', () => {
  for (const from of ['reverted', 'rejected', 'expired', 'simulated', 'failed'] as const) {
    for (const to of DECISION_STATES) assert.equal(canTransition(from, to), false, `${from} → ${to}`);
  }
  assert.equal(canTransition('active', 'reverted'), false, 'a revert always passes through reverting');
});

test('listDecisions(), dueForRevert(), nextRevertAt() and activeByTarget() select the right rows', (t) => {
  const { store } = tempStore(t);
  const a = decision({ decidedAt: 100, timeoutSec: 50, ruleId: 1 }); // until 150
  const b = decision({ decidedAt: 110, timeoutSec: 10, ruleId: 2 }); // until 120
  const c = decision({ decidedAt: 120, timeoutSec: 0, ruleId: 1, target: a.target }); // no timeout
  const s = decision({ decidedAt: 130, timeoutSec: 1, simulated: true, mode: 'simulate' });
  for (const d of [a, b, c, s]) store.recordDecision(d, alertFor(d));
  assert.deepEqual(store.listDecisions().map((d) => d.decisionId), [s, c, b, a].map((d) => d.decisionId));
  assert.deepEqual(store.listDecisions({ ruleId: 1 }).map((d) => d.decisionId), [c.decisionId, a.decisionId]);
  assert.deepEqual(store.listDecisions({ since: 115 }).map((d) => d.decisionId), [s.decisionId, c.decisionId]);
  assert.equal(store.nextRevertAt(), 120);
  assert.deepEqual(store.dueForRevert(119), []);
  assert.deepEqual(store.dueForRevert(150).map((d) => d.decisionId), [b.decisionId, a.decisionId]);
  store.transition(b.decisionId, 'active', 'reverting');
  assert.equal(store.nextRevertAt(), 150);
  assert.deepEqual(store.listDecisions({ active: true }).map((d) => d.decisionId), [c, b, a].map((d) => d.decisionId));
  assert.deepEqual(store.activeByTarget(a.target).map((d) => d.decisionId), [a.decisionId, c.decisionId]);
  assert.deepEqual(store.getDecision(c.decisionId)?.until, null);
});

test('recordExecution() keeps each run and refuses an unknown decision', (t) => {
  const { store } = tempStore(t);
  const d = decision();
  store.recordDecision(d, alertFor(d));
  const run = { decisionId: d.decisionId, action: 'add', startedAt: 1.5, durationMs: 12.25, exitCode: null, signal: 'SIGKILL', timedOut: true, stderrExcerpt: 'killed', answer: 'continue' } as const;
  store.recordExecution(run);
  store.recordExecution({ ...run, action: 'delete', exitCode: 0, signal: null, timedOut: false, answer: null });
  assert.deepEqual(store.listExecutions(d.decisionId).map((e) => [e.action, e.exitCode, e.signal, e.timedOut]), [
    ['add', null, 'SIGKILL', true],
    ['delete', 0, null, false],
  ]);
  assert.deepEqual(store.listExecutions(d.decisionId)[0], run);
  assert.equal(codeOf(() => store.recordExecution({ ...run, decisionId: 'nope' })), 'RIPOSTE_ERR_STORE_NOT_FOUND');
});

test('offender state and the decide state survive closing and reopening the file', (t) => {
  const { store, reopen } = tempStore(t);
  store.saveOffence('firewall-drop|ip:203.0.113.9', { count: 3, last: 1_700_000_500 });
  store.saveOffence('simulate:firewall-drop|ip:203.0.113.9', { count: 1, last: 1_700_000_100 });
  const live = decision({ decidedAt: 1000, timeoutSec: 600 });
  const forever = decision({ decidedAt: 1000, timeoutSec: 0 });
  const over = decision({ decidedAt: 1000, timeoutSec: 10 });
  const undone = decision({ decidedAt: 1000, timeoutSec: 600 });
  for (const d of [live, forever, over, undone]) store.recordDecision(d, alertFor(d));
  store.transition(undone.decisionId, 'active', 'reverting');
  store.close();

  const again = reopen();
  assert.deepEqual(again.getOffender('firewall-drop|ip:203.0.113.9'), { count: 3, last: 1_700_000_500 });
  const state = again.loadDecideState(1100);
  assert.deepEqual(
    [...state.active].sort(),
    [
      [`firewall-drop600|ip:${forever.target.value}`, Infinity],
      [`firewall-drop600|ip:${live.target.value}`, 1600],
    ].sort(),
  );
  assert.deepEqual(state.offenders.get('firewall-drop|ip:203.0.113.9'), { count: 3, last: 1_700_000_500 });
  assert.equal(state.offenders.size, 2);
  assert.equal(again.pruneOffenders(1_700_000_200), 1);
  assert.equal(again.getOffender('simulate:firewall-drop|ip:203.0.113.9'), null);
});

test('allowlistAdd() requires a reason, and the file itself refuses an empty one', (t) => {
  const { store, file } = tempStore(t);
  for (const reason of ['', '   ', '\t']) {
    assert.equal(codeOf(() => store.allowlistAdd({ value: '192.0.2.1', kind: 'ip', reason, addedBy: 'cli:alice' })), 'RIPOSTE_ERR_STORE_INVALID');
  }
  assert.equal(codeOf(() => store.allowlistAdd({ value: ' x', kind: 'account', reason: 'r', addedBy: 'a' })), 'RIPOSTE_ERR_STORE_INVALID');
  assert.equal(codeOf(() => store.allowlistAdd({ value: 'x', kind: 'account', reason: 'r', addedBy: ' ' })), 'RIPOSTE_ERR_STORE_INVALID');
  assert.deepEqual(store.allowlistList(), []);
  store.allowlistAdd({ value: '192.0.2.0/24', kind: 'ip', reason: ' office NAT ', addedBy: 'cli:alice' });
  store.allowlistAdd({ value: 'backup', kind: 'account', reason: 'service account', addedBy: 'api:bob' });
  assert.deepEqual(
    store.allowlistList().map((e) => [e.value, e.kind, e.reason, e.addedBy]),
    [
      ['192.0.2.0/24', 'ip', 'office NAT', 'cli:alice'],
      ['backup', 'account', 'service account', 'api:bob'],
    ],
  );
  assert.equal(store.allowlistRemove('backup'), true);
  assert.equal(store.allowlistRemove('backup'), false);
  assert.deepEqual(store.listAudit().map((a) => a.event), ['allowlist_added', 'allowlist_added', 'allowlist_removed']);
  store.close();
  const db = new Database(file);
  t.after(() => db.close());
  assert.throws(() => db.prepare("INSERT INTO allowlist VALUES ('198.51.100.1', 'ip', ' ', 0, 'sql')").run(), /CHECK constraint/);
});

test('the audit trail is append-only, even for a raw SQL connection', (t) => {
  const { store, file } = tempStore(t);
  const id = store.appendAudit('note', null, { n: 1 });
  assert.deepEqual(store.listAudit({ afterId: id - 1 }).map((a) => a.detail), [{ n: 1 }]);
  const db = new Database(file);
  t.after(() => db.close());
  assert.throws(() => db.prepare("UPDATE audit SET event = 'x'").run(), /append-only/);
  assert.throws(() => db.prepare('DELETE FROM audit').run(), /append-only/);
  assert.equal(store.listAudit().length, 1);
});

test('checkpoints round-trip, are replaced, and survive reopening', (t) => {
  const { store, reopen } = tempStore(t);
  assert.equal(store.getCheckpoint('/var/log/auth.log'), null);
  store.putCheckpoint('/var/log/auth.log', { inode: 1234, offset: 10, fingerprint: 'aa' });
  store.putCheckpoint('/var/log/auth.log', { inode: 99, offset: 2 ** 40, fingerprint: 'ff00' });
  store.putCheckpoint('/var/log/syslog', { inode: 7, offset: 0, fingerprint: '' });
  store.close();
  const again = reopen();
  assert.deepEqual(again.getCheckpoint('/var/log/auth.log'), { inode: 99, offset: 2 ** 40, fingerprint: 'ff00' });
  assert.deepEqual(again.getCheckpoint('/var/log/syslog'), { inode: 7, offset: 0, fingerprint: '' });
});

test('a failure in the middle of recordDecision() leaves no decision without its audit line', (t) => {
  const { store, file } = tempStore(t);
  const raw = new Database(file);
  t.after(() => raw.close());
  // The decision row is written first; then the audit insert fails.
  raw.exec("CREATE TRIGGER boom BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
  const d = decision();
  assert.throws(() => store.recordDecision(d, alertFor(d)), /disk on fire/);
  assert.equal(store.getDecision(d.decisionId), null);
  assert.equal(peek(file, 'SELECT 1 FROM decisions'), undefined);
  raw.exec('DROP TRIGGER boom');
  assert.equal(store.recordDecision(d, alertFor(d)), true, 'the store is usable again');
});

test('a throw inside transaction() rolls back every write made in it', (t) => {
  const { store, reopen } = tempStore(t);
  const d = decision();
  store.recordDecision(d, alertFor(d));
  store.saveOffence('k', { count: 1, last: 1 });
  assert.throws(
    () =>
      store.transaction(() => {
        store.saveOffence('k', { count: 2, last: 2 });
        store.transition(d.decisionId, 'active', 'reverting');
        store.allowlistAdd({ value: 'root', kind: 'account', reason: 'admin', addedBy: 'test' });
        store.putCheckpoint('/x', { inode: 1, offset: 1, fingerprint: '' });
        throw new Error('crash');
      }),
    /crash/,
  );
  store.close();
  const again = reopen();
  assert.deepEqual(again.getOffender('k'), { count: 1, last: 1 });
  assert.equal(again.getDecision(d.decisionId)?.state, 'active');
  assert.deepEqual(again.allowlistList(), []);
  assert.equal(again.getCheckpoint('/x'), null);
  assert.deepEqual(again.listAudit().map((a) => a.event), ['decision_recorded']);
});

test('a process killed in the middle of a transaction leaves nothing half-written', (t) => {
  const file = path.join(tempDir(t), 'riposte.db');
  const storeUrl = new URL('./store.ts', import.meta.url).href;
  const script = `
    import { Store } from ${JSON.stringify(storeUrl)};
    const store = Store.open(${JSON.stringify(file)});
    store.saveOffence('committed', { count: 1, last: 1 });
    store.transaction(() => {
      store.saveOffence('committed', { count: 9, last: 9 });
      store.saveOffence('half', { count: 1, last: 1 });
      store.allowlistAdd({ value: 'root', kind: 'account', reason: 'admin', addedBy: 'test' });
      process.kill(process.pid, 'SIGKILL');
    });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.signal, 'SIGKILL', r.stderr);
  const store = Store.open(file);
  t.after(() => store.close());
  assert.deepEqual(store.getOffender('committed'), { count: 1, last: 1 });
  assert.equal(store.getOffender('half'), null);
  assert.deepEqual(store.allowlistList(), []);
});
