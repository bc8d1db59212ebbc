import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { Refusal } from '../decide/types.ts';
import { tempStore } from './_fixtures.ts';
import { foldRefusals } from './store.ts';

const DAY = 86_400;

function refusal(target: string, reason: Refusal['reason'] = 'duplicate'): Refusal {
  return { kind: 'refusal', reason, response: 'firewall-drop600', ruleId: 5763, target: { kind: 'ip', value: target }, detail: '' };
}

test('commitBatch() folds identical refusals into one counted row; only the first sighting is an audit entry', (t) => {
  let now = 1_700_000_000;
  const { store } = tempStore(t, { now: () => now });
  const batch = [...Array.from({ length: 1000 }, () => refusal('203.0.113.5')), refusal('203.0.113.6', 'allowlisted')];
  store.commitBatch({ refusals: foldRefusals(batch, now) });
  now += 60;
  store.commitBatch({ refusals: foldRefusals(batch.slice(0, 500), now) });
  const rows = store.listRefusals();
  assert.deepEqual(rows.map((r) => [r.reason, r.target, r.count, r.firstAt, r.lastAt]), [
    ['duplicate', 'ip:203.0.113.5', 1500, 1_700_000_000, 1_700_000_060],
    ['allowlisted', 'ip:203.0.113.6', 1, 1_700_000_000, 1_700_000_000],
  ]);
  const audit = store.listAudit().map((a) => a.event);
  assert.deepEqual(audit.sort(), ['refused:allowlisted', 'refused:duplicate'], '1,501 refusals, two audit entries');
});

test('pruneAudit() removes only entries older than the retention, records the prune, and keeps the rest append-only', (t) => {
  let now = 1_700_000_000;
  const { store, file } = tempStore(t, { now: () => now });
  for (let i = 0; i < 5; i++) store.appendAudit('old', null, { i });
  store.commitBatch({ refusals: foldRefusals([refusal('203.0.113.7')], now) });
  now += 100 * DAY;
  const keptId = store.appendAudit('recent', null, {});
  assert.throws(() => store.pruneAudit(3600), { code: 'RIPOSTE_ERR_STORE_INVALID' });
  assert.equal(store.pruneAudit(200 * DAY), 0, 'nothing that old: nothing removed, nothing recorded');
  assert.equal(store.pruneAudit(90 * DAY), 6, 'five old entries and the old refusal\'s first sighting');
  assert.deepEqual(store.listAudit().map((a) => a.event), ['recent', 'audit_pruned']);
  assert.deepEqual(store.listRefusals(), [], 'aggregated refusals last seen before the horizon go too');
  const pruned = store.listAudit().find((a) => a.event === 'audit_pruned');
  assert.deepEqual(pruned?.detail, { before: now - 90 * DAY, removed: 6 });

  // What is kept stays append-only, whatever writes to the file.
  const raw = new Database(file);
  t.after(() => raw.close());
  assert.throws(() => raw.prepare('DELETE FROM audit WHERE id = ?').run(keptId), /append-only/);
  assert.throws(() => raw.prepare("UPDATE audit SET event = 'x' WHERE id = ?").run(keptId), /append-only/);
  assert.throws(() => raw.prepare('DELETE FROM audit_prunes').run(), /append-only/);
  // A prune record cannot open the whole trail: its horizon is at least a day old, and never moves back.
  assert.throws(() => raw.prepare('INSERT INTO audit_prunes (at, before, removed) VALUES (?, ?, 0)').run(now, now), /CHECK constraint/);
  assert.throws(() => raw.prepare('INSERT INTO audit_prunes (at, before, removed) VALUES (?, ?, 0)').run(now, now - 200 * DAY), /never moves back/);
  assert.equal(raw.prepare('SELECT count(*) FROM audit_prunes').pluck().get(), 1);
});
