import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { DecisionV1 } from '../decide/types.ts';
import { alertFor, decision, tempStore } from '../store/_fixtures.ts';
import type { Store } from '../store/store.ts';
import type { StoredDecision } from '../store/types.ts';
import { MAX_TIMER_MS } from './planner.ts';
import { RevertScheduler } from './scheduler.ts';

/** Start of every test's (mocked) clock, seconds. */
const T0 = 1_700_000_000;

function fakeTime(t: TestContext): void {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 * 1000 });
}

/** A revert that records each call and answers with `result`. */
function recorder(result: (d: StoredDecision, n: number) => boolean | Promise<boolean> = () => true) {
  const calls: string[] = [];
  return {
    calls,
    revert: async (d: StoredDecision) => {
      calls.push(d.decisionId);
      return result(d, calls.length);
    },
  };
}

/** Advance the mocked clock and timers, then let the pass they started finish. */
async function advance(t: TestContext, scheduler: RevertScheduler, ms: number): Promise<void> {
  t.mock.timers.tick(ms);
  await scheduler.idle();
}

function record(store: Store, over: Partial<DecisionV1>): DecisionV1 {
  const d = decision({ decidedAt: T0, ...over });
  assert.equal(store.recordDecision(d, alertFor(d)), true);
  return d;
}

function scheduler(t: TestContext, store: Store, revert: (d: StoredDecision) => Promise<boolean>): RevertScheduler {
  const s = new RevertScheduler({ store, revert, onError: (e) => assert.fail(e as Error) });
  t.after(() => s.stop());
  return s;
}

test('RevertScheduler reverts a decision at its until, once', async (t) => {
  fakeTime(t);
  const { store } = tempStore(t);
  const d = record(store, { timeoutSec: 10 });
  const r = recorder();
  const s = scheduler(t, store, r.revert);
  await s.start();
  await advance(t, s, 9_999);
  assert.deepEqual(r.calls, []);
  assert.equal(store.getDecision(d.decisionId)?.state, 'active');
  await advance(t, s, 1);
  assert.deepEqual(r.calls, [d.decisionId]);
  assert.equal(store.getDecision(d.decisionId)?.state, 'reverted');
  await advance(t, s, 3_600_000);
  assert.equal(r.calls.length, 1);
  const moves = store.listAudit({ decisionId: d.decisionId }).slice(1).map((a) => (a.detail as { to: string }).to);
  assert.deepEqual(moves, ['reverting', 'reverted']);
});

test('RevertScheduler after a restart: expired-while-down at once, a crashed revert retried, the rest on time, none twice', async (t) => {
  fakeTime(t);
  const { store, reopen } = tempStore(t);
  const expired = record(store, { timeoutSec: 5 });
  const later = record(store, { timeoutSec: 100 });
  const crashed = record(store, { timeoutSec: 2 });
  const forever = record(store, { timeoutSec: 0 });
  const simulated = record(store, { timeoutSec: 1, simulated: true, mode: 'simulate' });
  const first = recorder();
  const s1 = scheduler(t, store, first.revert);
  await s1.start();
  // The crash: `crashed` was claimed (active → reverting) and then the process died before its
  // revert was recorded; the process's timers die with it.
  store.transition(crashed.decisionId, 'active', 'reverting', { by: 'scheduler' });
  await s1.stop();
  store.close();
  t.mock.timers.tick(50_000); // down for 50 s: `expired` (5 s) passes its time

  const store2 = reopen();
  const second = recorder();
  const s2 = scheduler(t, store2, second.revert);
  await s2.start();
  assert.deepEqual(second.calls, [crashed.decisionId, expired.decisionId], 'at once, before start() resolves');
  for (const d of [crashed, expired]) assert.equal(store2.getDecision(d.decisionId)?.state, 'reverted');
  assert.equal(store2.getDecision(later.decisionId)?.state, 'active');
  await advance(t, s2, 49_999); // T0 + 99.999
  assert.equal(second.calls.length, 2);
  await advance(t, s2, 1); // T0 + 100
  assert.deepEqual(second.calls, [crashed.decisionId, expired.decisionId, later.decisionId]);
  await s2.stop();
  store2.close();

  const store3 = reopen();
  const third = recorder();
  const s3 = scheduler(t, store3, third.revert);
  await s3.start();
  await advance(t, s3, 86_400_000);
  assert.deepEqual(third.calls, []);
  const all = [...first.calls, ...second.calls, ...third.calls];
  assert.equal(new Set(all).size, all.length, 'nothing reverted twice');
  assert.equal(store3.getDecision(forever.decisionId)?.state, 'active', 'no timeout: never reverted automatically');
  assert.equal(store3.getDecision(simulated.decisionId)?.state, 'simulated', 'nothing ran, nothing to revert');
});

test('RevertScheduler retries a failing revert with a growing delay and never drops it', async (t) => {
  fakeTime(t);
  const { store } = tempStore(t);
  const d = record(store, { timeoutSec: 1 });
  const r = recorder((_, n) => {
    if (n === 2) throw new Error('nft: busy');
    return n >= 3;
  });
  const s = scheduler(t, store, r.revert);
  await s.start();
  await advance(t, s, 1_000);
  assert.equal(r.calls.length, 1);
  assert.equal(store.getDecision(d.decisionId)?.state, 'reverting');
  assert.deepEqual([...s.retrying()], [[d.decisionId, 1]]);
  await advance(t, s, 999);
  assert.equal(r.calls.length, 1);
  await advance(t, s, 1); // 1 s after the first failure
  assert.equal(r.calls.length, 2);
  await advance(t, s, 1_999);
  assert.equal(r.calls.length, 2);
  await advance(t, s, 1); // 2 s after the second
  assert.equal(r.calls.length, 3);
  assert.equal(store.getDecision(d.decisionId)?.state, 'reverted');
  assert.equal(s.retrying().size, 0);
  const failures = store.listAudit({ decisionId: d.decisionId }).filter((a) => a.event === 'revert_failed');
  assert.deepEqual(failures.map((a) => (a.detail as { error: string | null }).error), [null, 'nft: busy']);
});

test('RevertScheduler.changed() re-arms the one timer for an earlier until', async (t) => {
  fakeTime(t);
  const { store } = tempStore(t);
  const r = recorder();
  const s = scheduler(t, store, r.revert);
  await s.start();
  const late = record(store, { timeoutSec: 100 });
  s.changed();
  const early = record(store, { timeoutSec: 10 });
  s.changed();
  await advance(t, s, 10_000);
  assert.deepEqual(r.calls, [early.decisionId]);
  await advance(t, s, 90_000);
  assert.deepEqual(r.calls, [early.decisionId, late.decisionId]);
});

test('RevertScheduler skips a decision someone else already claimed (manual unblock)', async (t) => {
  fakeTime(t);
  const { store } = tempStore(t);
  const d = record(store, { timeoutSec: 10 });
  const r = recorder();
  const s = scheduler(t, store, r.revert);
  await s.start();
  store.transition(d.decisionId, 'active', 'reverting', { by: 'cli:alice' });
  await advance(t, s, 10_000);
  assert.deepEqual(r.calls, []);
});

test('RevertScheduler does not start a second revert of a decision whose revert is still running', async (t) => {
  fakeTime(t);
  const { store } = tempStore(t);
  const d = record(store, { timeoutSec: 1 });
  let finish: (ok: boolean) => void = () => {};
  const r = recorder(() => new Promise<boolean>((resolve) => (finish = resolve)));
  const s = scheduler(t, store, r.revert);
  await s.start();
  t.mock.timers.tick(1_000);
  await Promise.resolve();
  s.changed();
  s.changed();
  t.mock.timers.tick(60_000);
  assert.equal(r.calls.length, 1);
  finish(true);
  await s.idle();
  assert.equal(store.getDecision(d.decisionId)?.state, 'reverted');
  await advance(t, s, 60_000);
  assert.equal(r.calls.length, 1);
});

test('RevertScheduler.stop() clears the timer', async (t) => {
  fakeTime(t);
  const { store } = tempStore(t);
  const d = record(store, { timeoutSec: 10 });
  const r = recorder();
  const s = scheduler(t, store, r.revert);
  await s.start();
  await s.stop();
  await advance(t, s, 20_000);
  assert.deepEqual(r.calls, []);
  assert.equal(store.getDecision(d.decisionId)?.state, 'active');
});

test('RevertScheduler waits beyond setTimeout\'s 24.8-day limit without firing early', async (t) => {
  fakeTime(t);
  const { store } = tempStore(t);
  const d = record(store, { timeoutSec: 30 * 86_400 });
  const r = recorder();
  const s = scheduler(t, store, r.revert);
  await s.start();
  await advance(t, s, MAX_TIMER_MS);
  assert.deepEqual(r.calls, []);
  await advance(t, s, 30 * 86_400_000 - MAX_TIMER_MS - 1);
  assert.deepEqual(r.calls, []);
  await advance(t, s, 1);
  assert.deepEqual(r.calls, [d.decisionId]);
});

test('RevertScheduler reverts a backlog larger than one store batch, each once', async (t) => {
  fakeTime(t);
  const { store } = tempStore(t);
  const ids = new Set<string>();
  for (let i = 0; i < 1_200; i++) ids.add(record(store, { timeoutSec: 1 }).decisionId);
  const r = recorder();
  const s = scheduler(t, store, r.revert);
  await s.start();
  await advance(t, s, 1_000);
  assert.equal(r.calls.length, 1_200);
  assert.deepEqual(new Set(r.calls), ids);
  assert.equal(store.listDecisions({ state: 'reverted', limit: -1 }).length, 1_200);
});
