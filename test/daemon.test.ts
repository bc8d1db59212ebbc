/**
 * `riposte start` end to end on one host, with a recording response program: a brute force in
 * the tailed log triggers the program's `add`, the revert's `delete` comes on time, and a
 * `kill -9` during a block followed by a restart still reverts on time — not early, not never.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon } from '../src/daemon/start.ts';
import { recordingConfig, recordingEnv, sshBurst as burst, waitFor } from './support/recording.ts';

function setup(timeoutSec: number) {
  const env = recordingEnv('riposte-daemon-');
  return { ...env, conf: recordingConfig(env, { rulesId: '5712', timeoutSec }) };
}


const BIN = new URL('../bin/riposte.js', import.meta.url).pathname;

test('Daemon: a brute force runs the bound program, and the revert comes after the timeout', { timeout: 90_000 }, async (t) => {
  const env = setup(3);
  t.after(() => rmSync(env.dir, { recursive: true, force: true }));
  const d = await Daemon.start({ configFile: env.conf, dataDir: env.data, responseDirs: [env.resp], fromStart: true, pollMs: 50, log: () => {} });
  t.after(() => d.stop());
  burst(env.log, '203.0.113.50');
  const add = await waitFor(() => env.calls().find((c) => c.command === 'add'), 'the add run');
  assert.equal(add.srcip, '203.0.113.50');
  const del = await waitFor(() => env.calls().find((c) => c.command === 'delete'), 'the delete run');
  assert.equal(del.srcip, '203.0.113.50');
  assert.ok(del.at - add.at >= 2, `reverted after ${(del.at - add.at).toFixed(2)} s, before its 3 s timeout`);
  await d.idle();
  const alerts = readFileSync(join(env.data, 'alerts.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { rule: { id: string } });
  assert.ok(alerts.some((a) => a.rule.id === '5712'));
  // The revert's log line is written once its run is recorded, just after the program exits.
  const arLog = await waitFor(() => {
    const text = readFileSync(join(env.data, 'active-responses.log'), 'utf8');
    return /"command":"delete"/.test(text) ? text : undefined;
  }, 'the revert in active-responses.log');
  assert.match(arLog, /riposte: \{.*"command":"add".*"status":"succeeded"/);
  assert.match(arLog, /riposte: \{.*"command":"delete".*"status":"succeeded"/);
  assert.equal(env.calls().length, 2, 'exactly one add and one delete');
});

function startChild(env: ReturnType<typeof setup>): ChildProcess {
  return spawn(BIN, ['start', '--config', env.conf, '--data-dir', env.data, '--response-dir', env.resp, '--from-start'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

test('riposte start: kill -9 during a block, restart, and the block is still reverted on time', { timeout: 120_000 }, async (t) => {
  const env = setup(6);
  t.after(() => rmSync(env.dir, { recursive: true, force: true }));
  let child = startChild(env);
  t.after(() => {
    if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
  });
  // Give the daemon time to start tailing before the attack.
  await waitFor(() => (existsSync(join(env.data, 'riposte.db')) ? true : undefined), 'the store');
  await new Promise((r) => setTimeout(r, 1500));
  burst(env.log, '203.0.113.51');
  const add = await waitFor(() => env.calls().find((c) => c.command === 'add'), 'the add run');
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(child.pid as number, 'SIGKILL');
  await exited;
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(env.calls().filter((c) => c.command === 'delete').length, 0, 'no revert while Riposte is dead');
  child = startChild(env);
  const del = await waitFor(() => env.calls().find((c) => c.command === 'delete'), 'the delete run after restart', 60_000);
  const held = del.at - add.at;
  assert.ok(held >= 5, `reverted ${held.toFixed(2)} s after the block: too early for its 6 s timeout`);
  assert.ok(held < 15, `reverted ${held.toFixed(2)} s after the block: too late`);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(env.calls().filter((c) => c.command === 'delete').length, 1, 'reverted exactly once');
  assert.equal(env.calls().filter((c) => c.command === 'add').length, 1, 'the restart did not re-run the add (checkpointed log)');
  const stopped = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await stopped;
});
