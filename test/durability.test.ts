/**
 * Nothing lost, nothing twice: `riposte start` killed with `kill -9` in the middle of a burst and
 * restarted writes every alert to alerts.json exactly once, whole; two starts on one data
 * directory cannot both run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { alertNumbers, appendBurst, countLines, killed, setupEnv, startDaemon, waitFor } from './support/burst.ts';

test('riposte start: kill -9 during a 100,000-line burst, restart: every alert in alerts.json once, none torn', { timeout: 240_000 }, async (t) => {
  const env = setupEnv('rpdurable-crash-');
  t.after(() => rmSync(env.dir, { recursive: true, force: true }));
  const N = 100_000;
  const alerts = join(env.data, 'alerts.json');
  const first = await startDaemon(env);
  t.after(() => killed(first.child, 'SIGKILL'));
  appendBurst(env.log, 0, N);
  // Mid-burst: some alerts out, many lines still to read.
  await waitFor(() => (countLines(alerts) >= 5_000 ? true : undefined), '5,000 alerts', 120_000);
  await killed(first.child, 'SIGKILL');
  const atKill = countLines(alerts);
  assert.ok(atKill < N, `the burst was still being read when killed (${atKill} alerts)`);

  const second = await startDaemon(env);
  t.after(() => killed(second.child, 'SIGKILL'));
  await waitFor(() => {
    const n = countLines(alerts);
    return n >= N ? n : undefined;
  }, `${N} alerts after the restart`, 200_000);
  // A little longer: duplicates would arrive after the count was reached.
  await new Promise((r) => setTimeout(r, 1500));
  await killed(second.child, 'SIGTERM');
  const numbers = alertNumbers(alerts);
  const seen = new Set(numbers);
  const missing = N - [...seen].filter((n) => n >= 0 && n < N).length;
  assert.equal(missing, 0, `${missing} of ${N} lines have no alert`);
  assert.equal(numbers.length, N, `${numbers.length - N} duplicate alerts`);
});
