/**
 * A full disk under the data directory (a 2 MB tmpfs of our own): the daemon says so loudly,
 * stops reading (backpressure), never crashes or tears alerts.json, and once space is freed
 * resumes and writes every alert exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon } from '../src/daemon/start.ts';
import { alertNumbers, appendBurst, countLines, setupEnv, waitFor } from './support/burst.ts';

const root = process.getuid?.() === 0;


/** A test environment whose data directory is a 2 MB tmpfs (fills after ~3,000 alerts). */
function fullDataDir(prefix: string, fsName: string): ReturnType<typeof setupEnv> & { remove: () => void } {
  const env = setupEnv(prefix);
  mkdirSync(env.data);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', fsName, env.data]);
  return {
    ...env,
    remove: () => {
      execFileSync('umount', [env.data]);
      rmSync(env.dir, { recursive: true, force: true });
    },
  };
}

test('riposte start on a full disk: loud, paused, nothing torn, resumes without duplicates', { skip: root ? false : 'needs root (mounts a tmpfs)', timeout: 120_000 }, async (t) => {
  const env = fullDataDir('rpdurable-full-', 'rpdurable-full');
  let d: Daemon | null = null;
  t.after(async () => {
    await d?.stop();
    env.remove();
  });
  const logs: string[] = [];
  d = await Daemon.start({ configFile: env.conf, dataDir: env.data, pollMs: 50, outputRetryMs: 100, log: (m) => logs.push(m) });
  const N = 10_000;
  appendBurst(env.log, 0, N);
  await waitFor(() => (logs.some((m) => /DISK FULL/.test(m)) ? true : undefined), 'the disk-full message');
  const full = logs.find((m) => /DISK FULL/.test(m)) as string;
  assert.match(full, /alerts\.json/);
  assert.match(full, /nothing is lost/);
  // Backpressure: while nothing can be written, reading stops within the batch in hand (at most
  // 1,024 lines beyond what alerts.json holds).
  await new Promise((r) => setTimeout(r, 1000));
  const readWhileFull = d.stats.lines;
  const writtenWhileFull = countLines(join(env.data, 'alerts.json'));
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(d.stats.lines, readWhileFull, 'no lines read while the output is stuck');
  assert.ok(readWhileFull <= writtenWhileFull + 1024, `read ${readWhileFull} lines with ${writtenWhileFull} alerts written`);
  assert.equal(logs.filter((m) => /DISK FULL/.test(m)).length, 1, 'said once per outage, not at every retry');
  alertNumbers(join(env.data, 'alerts.json')); // every line whole while full

  execFileSync('mount', ['-o', 'remount,size=32m', env.data]);
  await waitFor(() => (countLines(join(env.data, 'alerts.json')) >= N ? true : undefined), `${N} alerts after space was freed`);
  await waitFor(() => (logs.some((m) => /writing resumed/.test(m)) ? true : undefined), 'the resumed message');
  await new Promise((r) => setTimeout(r, 500));
  await d.stop();
  d = null;
  const numbers = alertNumbers(join(env.data, 'alerts.json'));
  assert.equal(new Set(numbers).size, N, 'every line has its alert');
  assert.equal(numbers.length, N, 'no alert twice');
});

test('riposte start stopped while the disk is full: the next start, with space, writes every alert exactly once', { skip: root ? false : 'needs root (mounts a tmpfs)', timeout: 120_000 }, async (t) => {
  const env = fullDataDir('rpdurable-fullstop-', 'rpdurable-fullstop');
  let d: Daemon | null = null;
  t.after(async () => {
    await d?.stop();
    env.remove();
  });
  const logs: string[] = [];
  d = await Daemon.start({ configFile: env.conf, dataDir: env.data, pollMs: 50, outputRetryMs: 100, log: (m) => logs.push(m) });
  const N = 10_000;
  appendBurst(env.log, 0, N);
  await waitFor(() => (logs.some((m) => /DISK FULL/.test(m)) ? true : undefined), 'the disk-full message');
  await d.stop();
  d = null;
  assert.ok(logs.some((m) => /not committed: its lines are read again at the next start/.test(m)), 'the stop says what it left');
  execFileSync('mount', ['-o', 'remount,size=32m', env.data]);
  d = await Daemon.start({ configFile: env.conf, dataDir: env.data, pollMs: 50, log: (m) => logs.push(m) });
  await waitFor(() => (countLines(join(env.data, 'alerts.json')) >= N ? true : undefined), `${N} alerts after the restart`);
  await new Promise((r) => setTimeout(r, 500));
  await d.stop();
  d = null;
  const numbers = alertNumbers(join(env.data, 'alerts.json'));
  assert.equal(new Set(numbers).size, N, 'every line has its alert');
  assert.equal(numbers.length, N, 'no alert twice');
});
