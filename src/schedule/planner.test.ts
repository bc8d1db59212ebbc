import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RETRY_DELAY_SEC, MAX_TIMER_MS, planReverts, reconcile, retryDelaySec, timerDelayMs } from './planner.ts';

test('planReverts() returns what is due, earliest first and each once, and the next wake-up', () => {
  const plan = planReverts(
    [
      { decisionId: 'c', until: 100 },
      { decisionId: 'a', until: 90 },
      { decisionId: 'b', until: 100 },
      { decisionId: 'a', until: 90 },
      { decisionId: 'n', until: null },
      { decisionId: 'x', until: 160 },
      { decisionId: 'y', until: 130 },
    ],
    100,
  );
  assert.deepEqual(plan, { due: ['a', 'b', 'c'], nextAt: 130 });
});

test('planReverts() with nothing timed has nothing due and no wake-up', () => {
  assert.deepEqual(planReverts([{ decisionId: 'n', until: null }], 5), { due: [], nextAt: null });
  assert.deepEqual(planReverts([], 5), { due: [], nextAt: null });
});

test('reconcile() retries reverts left by a crash, reverts what expired while down, reschedules the rest', () => {
  const plan = reconcile(
    {
      active: [
        { decisionId: 'expired', until: 50 },
        { decisionId: 'later', until: 500 },
        { decisionId: 'soon', until: 200 },
        { decisionId: 'forever', until: null },
        { decisionId: 'both', until: 10 },
      ],
      reverting: [{ decisionId: 'crashed' }, { decisionId: 'both' }, { decisionId: 'crashed' }],
    },
    100,
  );
  assert.deepEqual(plan, { retry: ['crashed', 'both'], revertNow: ['expired'], nextAt: 200 });
});

test('retryDelaySec() doubles from one second up to the cap', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 100].map(retryDelaySec), [1, 2, 4, 8, 16, 32, 60, 60]);
  assert.equal(retryDelaySec(0), 1);
  assert.equal(MAX_RETRY_DELAY_SEC, 60);
});

test('timerDelayMs() rounds up, never goes negative, and stays within setTimeout range', () => {
  assert.equal(timerDelayMs(100.5, 100), 500);
  assert.equal(timerDelayMs(100.0001, 100), 1);
  assert.equal(timerDelayMs(99, 100), 0);
  assert.equal(timerDelayMs(NaN, 100), 0);
  assert.equal(timerDelayMs(100 + 40 * 86400, 100), MAX_TIMER_MS);
});
