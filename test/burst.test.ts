/**
 * `riposte start` (a separate process, as users run it) under a burst of attackers: the runs of
 * the first decisions finish, and are recorded, while the rest of the burst is still being
 * analysed — a backlog of lines does not hold back the responses already decided.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const BIN = new URL('../bin/riposte.js', import.meta.url).pathname;
const ATTACKERS = 30_000;

test('riposte start finishes the first runs of a burst while the rest of it is still being analysed', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-rpburst-burst-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const resp = join(dir, 'responses');
  mkdirSync(resp);
  writeFileSync(join(resp, 'record'), '#!/bin/sh\nread -r line\n');
  chmodSync(join(resp, 'record'), 0o755);
  const log = join(dir, 'auth.log');
  writeFileSync(log, '');
  const conf = join(dir, 'ossec.conf');
  writeFileSync(conf, `<ossec_config>
  <command><name>record</name><executable>record</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response><command>record</command><location>local</location><rules_id>5710</rules_id><timeout>600</timeout></active-response>
  <localfile><log_format>syslog</log_format><location>${log}</location></localfile>
  <ruleset><decoder_dir>ruleset/decoders</decoder_dir><rule_dir>ruleset/rules</rule_dir></ruleset>
</ossec_config>
`);
  const data = join(dir, 'data');
  const out = join(dir, 'riposte.out');
  writeFileSync(out, '');
  const child = spawn(process.execPath, [BIN, 'start', '--config', conf, '--data-dir', data, '--from-start', '--response-dir', resp], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, 'SIGKILL');
    await exited;
  });
  for (const end = Date.now() + 60_000; !/started:/.test(text); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`riposte did not start: ${text}`);
  }

  // One line per attacker (IPv6 documentation addresses), all in one write.
  let burst = '';
  for (let i = 0; i < ATTACKERS; i++) burst += `Mar 10 10:00:00 srv1 sshd[4242]: Failed password for invalid user admin from 2001:db8:b:${(1 + (i >>> 12)).toString(16)}:${(1 + (i & 0xfff)).toString(16)}::1 port 4000 ssh2\n`;
  appendFileSync(log, burst);

  // The first run recorded as done (its line in active-responses.log): how many decisions exist then?
  const arLog = join(data, 'active-responses.log');
  for (const end = Date.now() + 120_000; !(existsSync(arLog) && readFileSync(arLog, 'utf8').includes('"status":"succeeded"')); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() > end) throw new Error('no run finished');
  }
  const db = new Database(join(data, 'riposte.db'), { readonly: true });
  t.after(() => {
    db.close();
  });
  const decided = (db.prepare('SELECT count(*) AS n FROM decisions').get() as { n: number }).n;
  assert.ok(decided < ATTACKERS, `the first run finished only once all ${decided} decisions of the burst were made`);
});
