import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertFor, decision, tempStore } from './_fixtures.ts';

const exec = { action: 'add' as const, startedAt: 0, durationMs: 1, signal: null, timedOut: false, stderrExcerpt: '', answer: null };

test('countDecisions() is the true total, whatever the page size', (t) => {
  const { store } = tempStore(t);
  for (let i = 0; i < 1203; i++) {
    const d = decision({ decidedAt: 1_700_000_000 + i, ruleId: i % 2 });
    store.recordDecision(d, alertFor(d));
  }
  assert.equal(store.countDecisions({ active: true }), 1203);
  assert.equal(store.countDecisions({ active: true, ruleId: 1 }), 601);
  assert.equal(store.countDecisions({ active: true, limit: 10 }), 1203, 'a limit does not cut the total');
  assert.equal(store.listDecisions({ active: true }).length, 1000, 'listDecisions keeps its default page');
});

test('pageDecisions() pages newest first and tells applied, failed and pending apart', (t) => {
  const { store } = tempStore(t);
  const ds = [0, 1, 2, 3].map((i) => decision({ decidedAt: 1_700_000_000 + i }));
  for (const d of ds) store.recordDecision(d, alertFor(d));
  store.recordExecution({ ...exec, decisionId: ds[0]!.decisionId, exitCode: 0 });
  store.recordExecution({ ...exec, decisionId: ds[1]!.decisionId, exitCode: 1 });
  store.recordExecution({ ...exec, decisionId: ds[2]!.decisionId, exitCode: 0, timedOut: true });
  // A failed add then a successful retry: the latest run counts.
  store.recordExecution({ ...exec, decisionId: ds[3]!.decisionId, exitCode: 1 });
  store.recordExecution({ ...exec, decisionId: ds[3]!.decisionId, exitCode: 0 });
  const all = store.pageDecisions({ active: true }, { offset: 0, limit: 10 });
  assert.deepEqual(all.map((d) => [d.decisionId, d.applied]), [
    [ds[3]!.decisionId, 'applied'], [ds[2]!.decisionId, 'failed'], [ds[1]!.decisionId, 'failed'], [ds[0]!.decisionId, 'applied'],
  ]);
  assert.deepEqual(store.pageDecisions({ active: true }, { offset: 1, limit: 2 }).map((d) => d.decisionId), [ds[2]!.decisionId, ds[1]!.decisionId]);
  const pending = decision({ decidedAt: 1_700_000_010 });
  store.recordDecision(pending, alertFor(pending));
  assert.equal(store.pageDecisions({ active: true }, { offset: 0, limit: 1 })[0]?.applied, 'pending');
});

test('decisionsAfter() walks every decision in a state once, while the walk changes their state', (t) => {
  const { store } = tempStore(t);
  for (let i = 0; i < 25; i++) {
    const d = decision({ ruleId: i < 20 ? 7 : 8 });
    store.recordDecision(d, alertFor(d));
  }
  const seen: string[] = [];
  let after = '';
  for (;;) {
    const page = store.decisionsAfter('active', after, 4, { ruleId: 7 });
    if (page.length === 0) break;
    after = page[page.length - 1]!.decisionId;
    for (const d of page) {
      seen.push(d.decisionId);
      store.transition(d.decisionId, 'active', 'reverting');
    }
  }
  assert.equal(seen.length, 20);
  assert.equal(new Set(seen).size, 20);
  assert.equal(store.decisionsAfter('reverting', '', 100).length, 20);
  assert.equal(store.decisionsAfter('active', '', 100).length, 5, 'the other rule was not walked');
});

test('dataVersion() changes when another connection commits, not for our own; stateChangesAfter() reads only what is new', (t) => {
  const { store, reopen } = tempStore(t);
  const other = reopen();
  const d = decision();
  store.recordDecision(d, alertFor(d));
  const v0 = store.dataVersion();
  const seen = store.lastAuditId();
  const d2 = decision();
  store.recordDecision(d2, alertFor(d2));
  assert.equal(store.dataVersion(), v0, 'our own commit');
  other.transition(d.decisionId, 'active', 'reverting', { by: 'cli' });
  assert.notEqual(store.dataVersion(), v0, 'another connection committed');
  const changes = store.stateChangesAfter(seen, 10);
  assert.deepEqual(changes.map((c) => c.decisionId), [d.decisionId], 'only the state change, not the new decision');
  assert.deepEqual(store.stateChangesAfter(changes[0]!.auditId, 10), []);
});
