/**
 * The store's batched writes (the burst path): many decisions in one transaction.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertFor, decision, tempStore } from './_fixtures.ts';

test('Store.recordDecisions() commits a batch at once and refuses ids already recorded', (t) => {
  const { store, reopen } = tempStore(t);
  const a = decision();
  const b = decision();
  assert.equal(store.recordDecision(a, alertFor(a)), true);
  const c = decision({ simulated: true });
  assert.deepEqual(store.recordDecisions([a, b, c].map((d) => ({ decision: d, alert: alertFor(d) }))), [false, true, true]);
  // Committed: another connection sees them, with their audit lines.
  const other = reopen();
  assert.equal(other.stateOf(b.decisionId), 'active');
  assert.equal(other.stateOf(c.decisionId), 'simulated');
  assert.equal(other.stateOf('nope'), null);
  assert.deepEqual(other.listAudit({ decisionId: b.decisionId }).map((e) => e.event), ['decision_recorded']);
  assert.deepEqual(other.getAlert(b.decisionId), alertFor(b));
});

test('Store.recordDecisions() refuses to run inside a transaction', (t) => {
  const { store } = tempStore(t);
  const d = decision();
  assert.throws(() => store.transaction(() => store.recordDecisions([{ decision: d, alert: alertFor(d) }])), { code: 'RIPOSTE_ERR_STORE_INVALID' });
});
