/**
 * `riposte start` end to end on one host, with a recording response program: a brute force in
 * the tailed log triggers the program's `add`, the revert's `delete` comes on time, and a
 * `kill -9` during a block followed by a restart still reverts on time — not early, not never.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../src/daemon/start.ts';

const BIN = new URL('../bin/riposte.js', import.meta.url).pathname;

interface Call {
  at: number;
  command: string;
  srcip: string | undefined;
}

function setup(timeoutSec: number): { dir: string; log: string; conf: string; data: string; resp: string; calls: () => Call[] } {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-daemon-'));
  const resp = join(dir, 'responses');
  mkdirSync(resp);
  const record = join(resp, 'record');
  // A Wazuh-style custom program: one JSON line on stdin; it records when and what it was asked.
  writeFileSync(record, '#!/bin/bash\nread -r line\nprintf "%s %s\\n" "$(date +%s.%N)" "$line" >> "$(dirname "$0")/../calls.log"\n');
  chmodSync(record, 0o755);
  const log = join(dir, 'auth.log');
  writeFileSync(log, '');
  const conf = join(dir, 'ossec.conf');
  writeFileSync(conf, `<ossec_config>
  <command><name>record</name><executable>record</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response><command>record</command><location>local</location><rules_id>5712</rules_id><timeout>${timeoutSec}</timeout></active-response>
  <localfile><log_format>syslog</log_format><location>${log}</location></localfile>
  <ruleset><decoder_dir>ruleset/decoders</decoder_dir><rule_dir>ruleset/rules</rule_dir></ruleset>
</ossec_config>
`);
  const calls = (): Call[] => {
    const f = join(dir, 'calls.log');
    if (!existsSync(f)) return [];
    return readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
      const sp = l.indexOf(' ');
      const msg = JSON.parse(l.slice(sp + 1)) as { command: string; parameters: { alert: { data?: { srcip?: string } } } };
      return { at: Number(l.slice(0, sp)), command: msg.command, srcip: msg.parameters.alert.data?.srcip };
    });
  };
  return { dir, log, conf, data: join(dir, 'data'), resp, calls };
}

function burst(log: string, ip: string): void {
  const lines: string[] = [];
  for (let i = 0; i < 10; i++) lines.push(`Mar 10 10:00:0${i} srv1 sshd[4242]: Failed password for invalid user admin from ${ip} port ${40000 + i} ssh2`);
  appendFileSync(log, lines.join('\n') + '\n');
}

async function waitFor<T>(f: () => T | undefined, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

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
