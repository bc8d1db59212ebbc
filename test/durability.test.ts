/**
 * Nothing lost, nothing twice: `riposte start` killed with `kill -9` in the middle of a burst and
 * restarted writes every alert to alerts.json exactly once, whole; two starts on one data
 * directory cannot both run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon } from '../src/daemon/start.ts';
import { Store } from '../src/store/index.ts';
import { alertNumbers, appendBurst, BIN, countLines, killed, setupEnv, startDaemon, waitFor } from './support/burst.ts';


/**
 * Put `script` in a response directory of `env` as program `name`, and write env.conf binding it
 * to `rulesId` with `timeoutSec` (Riposte's default ruleset, env.log tailed); returns the directory.
 */
function bindProgram(env: { dir: string; conf: string; log: string }, name: string, script: string, o: { rulesId: string; timeoutSec: number }): string {
  const resp = join(env.dir, 'responses');
  mkdirSync(resp);
  writeFileSync(join(resp, name), script);
  chmodSync(join(resp, name), 0o755);
  writeFileSync(env.conf, `<ossec_config>
  <command><name>${name}</name><executable>${name}</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response><command>${name}</command><location>local</location><rules_id>${o.rulesId}</rules_id><timeout>${o.timeoutSec}</timeout></active-response>
  <localfile><log_format>syslog</log_format><location>${env.log}</location></localfile>
  <ruleset><decoder_dir>ruleset/decoders</decoder_dir><rule_dir>ruleset/rules</rule_dir></ruleset>
</ossec_config>
`);
  return resp;
}

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

test('riposte start: a second start on the same data directory refuses, naming the lock and the running PID; a stale lock is taken over', { timeout: 120_000 }, async (t) => {
  const env = setupEnv('rpdurable-lock-');
  t.after(() => rmSync(env.dir, { recursive: true, force: true }));
  const first = await startDaemon(env);
  t.after(() => killed(first.child, 'SIGKILL'));
  const second = spawnSync(BIN, ['start', '--config', env.conf, '--data-dir', env.data], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(second.status, 1, `the second start exits 1 (stderr: ${second.stderr})`);
  assert.match(second.stderr, new RegExp(`PID ${first.child.pid}\\b`));
  assert.ok(second.stderr.includes(`"${join(env.data, 'riposte.lock')}"`), second.stderr);
  // kill -9 leaves the lock behind: the next start sees its holder is gone and takes it over.
  await killed(first.child, 'SIGKILL');
  assert.equal(readFileSync(join(env.data, 'riposte.lock'), 'utf8').split(' ')[0], String(first.child.pid));
  const third = await startDaemon(env);
  t.after(() => killed(third.child, 'SIGKILL'));
  assert.equal(readFileSync(join(env.data, 'riposte.lock'), 'utf8').split(' ')[0], String(third.child.pid));
  await killed(third.child, 'SIGTERM');
  assert.equal(existsSync(join(env.data, 'riposte.lock')), false, 'a clean stop removes its lock');
});

test('riposte start: two starts racing on a fresh data directory, exactly one runs', { timeout: 120_000 }, async (t) => {
  const env = setupEnv('rpdurable-race-');
  t.after(() => rmSync(env.dir, { recursive: true, force: true }));
  const children = [0, 1].map(() => spawn(BIN, ['start', '--config', env.conf, '--data-dir', env.data], { stdio: ['ignore', 'ignore', 'pipe'] }));
  const errs = children.map(() => '');
  children.forEach((c, i) => c.stderr?.on('data', (b: Buffer) => (errs[i] += b.toString())));
  t.after(async () => {
    for (const c of children) await killed(c, 'SIGKILL');
  });
  // One refuses (exits 1, naming the lock), the other starts.
  const loser = await waitFor(() => {
    const i = children.findIndex((c) => c.exitCode !== null);
    return i === -1 ? undefined : i;
  }, 'one start to refuse');
  const winner = 1 - loser;
  assert.equal(children[loser]?.exitCode, 1);
  assert.match(errs[loser] as string, new RegExp(`PID ${children[winner]?.pid}\\b.*riposte\\.lock`));
  await waitFor(() => ((errs[winner] as string).includes('started:') ? true : undefined), 'the other to start');
  assert.equal(children[winner]?.exitCode, null);
});

test('Daemon.stop() while a revert runs: the revert finishes and is recorded, no database error', { timeout: 90_000 }, async (t) => {
  const env = setupEnv('rpdurable-stop-');
  t.after(() => rmSync(env.dir, { recursive: true, force: true }));
  // Its delete takes a second: long enough for stop() to come in the middle.
  const resp = bindProgram(env, 'slow', `#!/bin/bash\nread -r line\ncase "$line" in *'"command":"delete"'*) touch "${env.dir}/deleting"; sleep 1;; esac\n`, { rulesId: '5712', timeoutSec: 1 });
  const logs: string[] = [];
  const d = await Daemon.start({ configFile: env.conf, dataDir: env.data, responseDirs: [resp], pollMs: 50, log: (m) => logs.push(m) });
  let stopped = false;
  t.after(async () => {
    if (!stopped) await d.stop();
  });
  const lines: string[] = [];
  for (let i = 0; i < 10; i++) lines.push(`Mar 10 10:00:0${i} srv1 sshd[4242]: Failed password for invalid user admin from 203.0.113.52 port ${40000 + i} ssh2`);
  appendFileSync(env.log, `${lines.join('\n')}\n`);
  await waitFor(() => (existsSync(join(env.dir, 'deleting')) ? true : undefined), 'the revert to start', 30_000);
  await d.stop();
  stopped = true;
  assert.deepEqual(logs.filter((m) => /database|not open|revert scheduler/i.test(m)), [], 'no store error at stop');
  const store = Store.open(join(env.data, 'riposte.db'));
  try {
    const states = store.listDecisions().map((x) => x.state);
    assert.deepEqual(states, ['reverted'], 'the revert that was running is recorded');
  } finally {
    store.close();
  }
});

test('riposte start: a flood of identical refusals is one audit entry with a count, not one row each', { timeout: 90_000 }, async (t) => {
  const env = setupEnv('rpdurable-refusals-');
  t.after(() => rmSync(env.dir, { recursive: true, force: true }));
  const resp = bindProgram(env, 'noop', '#!/bin/sh\ncat >/dev/null\n', { rulesId: '5710', timeoutSec: 600 });
  const d = await Daemon.start({ configFile: env.conf, dataDir: env.data, responseDirs: [resp], pollMs: 50, log: () => {} });
  let stopped = false;
  t.after(async () => {
    if (!stopped) await d.stop();
  });
  const N = 3000;
  const lines: string[] = [];
  for (let i = 0; i < N; i++) lines.push(`Mar 10 10:00:00 srv1 sshd[4242]: Failed password for invalid user admin from 203.0.113.53 port ${10000 + i} ssh2`);
  appendFileSync(env.log, `${lines.join('\n')}\n`);
  await waitFor(() => (countLines(join(env.data, 'alerts.json')) >= N ? true : undefined), `${N} alerts`);
  await d.idle();
  await d.stop();
  stopped = true;
  assert.equal(d.stats.decisions, 1);
  // Every later 5710 is a duplicate of the block (every 8th line matches 5712 instead, unbound:
  // the default ruleset has no ignore window on it).
  assert.ok(d.stats.refusals > N - N / 8 - 10, `${d.stats.refusals} refusals`);
  const store = Store.open(join(env.data, 'riposte.db'));
  try {
    const refusalRows = store.listAudit({ limit: -1 }).filter((a) => a.event.startsWith('refused:'));
    assert.equal(refusalRows.length, 1, `${refusalRows.length} audit rows for ${d.stats.refusals} identical refusals`);
    assert.deepEqual(store.listRefusals().map((r) => [r.reason, r.target, r.count]), [['duplicate', 'ip:203.0.113.53', d.stats.refusals]]);
  } finally {
    store.close();
  }
});

test('riposte start: a block in front of a backlog runs at once and is logged when it ran, not after the backlog', { timeout: 120_000 }, async (t) => {
  const env = setupEnv('rpdurable-arlog-');
  t.after(() => rmSync(env.dir, { recursive: true, force: true }));
  const resp = bindProgram(env, 'record', `#!/bin/bash\nread -r line\ndate +%s.%N >> "${env.dir}/ran"\n`, { rulesId: '5712', timeoutSec: 600 });
  const d = await Daemon.start({ configFile: env.conf, dataDir: env.data, responseDirs: [resp], pollMs: 50, log: () => {} });
  let stopped = false;
  t.after(async () => {
    if (!stopped) await d.stop();
  });
  // The attack, then in the same write a backlog that takes seconds to analyse.
  const lines: string[] = [];
  for (let i = 0; i < 10; i++) lines.push(`Mar 10 10:00:0${i} srv1 sshd[4242]: Failed password for invalid user admin from 203.0.113.54 port ${40000 + i} ssh2`);
  for (let i = 0; i < 400_000; i++) lines.push(`Mar 10 10:00:00 srv1 sshd[4242]: Failed password for invalid user n${i} from 198.51.100.${i % 200} port ${1024 + (i % 60000)} ssh2`);
  const written = Date.now() / 1000;
  appendFileSync(env.log, `${lines.join('\n')}\n`);
  await waitFor(() => (d.stats.lines >= lines.length ? true : undefined), 'the backlog to be read', 100_000);
  const backlogSec = Date.now() / 1000 - written;
  await d.idle();
  await d.stop();
  stopped = true;
  const ran = Number(readFileSync(join(env.dir, 'ran'), 'utf8').trim().split('\n')[0]);
  // The bound is a batch or two, not the backlog (which took several seconds).
  assert.ok(backlogSec > 3, `the backlog took ${backlogSec.toFixed(1)} s: too short to tell`);
  assert.ok(ran - written < 2, `the block ran ${(ran - written).toFixed(1)} s after its line was written, behind a ${backlogSec.toFixed(1)} s backlog`);
  const line = readFileSync(join(env.data, 'active-responses.log'), 'utf8').split('\n').find((l) => l.includes('"command":"add"')) as string;
  const m = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) /.exec(line) as RegExpExecArray;
  const stamped = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])).getTime() / 1000;
  assert.ok(Math.abs(stamped - Math.floor(ran)) <= 1, `run at ${new Date(ran * 1000).toISOString()}, stamped ${new Date(stamped * 1000).toISOString()}`);
});
