/**
 * `riposte start` reading sshd from the journal (issue 8, item 19): a real systemd-journald
 * (test/support/journald.ts) that sshd-like entries reach through its syslog socket, Wazuh
 * 4.14's journald `<localfile>`, and the shipped default configuration's choice of sources.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planSources } from '../src/collect/sources.ts';
import { loadConfig } from '../src/config/load.ts';
import { journaldUnavailable, startJournal } from './support/journald.ts';
import { waitFor } from './support/recording.ts';

const BIN = new URL('../bin/riposte.js', import.meta.url).pathname;
const DEFAULT_CONF = new URL('../config/ossec.conf', import.meta.url).pathname;
const skip = journaldUnavailable() ?? false;

test('riposte start follows sshd in the journal, and a kill -9 and restart neither re-read nor skip it', { skip, timeout: 120_000 }, async (t) => {
  const journal = await startJournal();
  const dir = mkdtempSync(join(tmpdir(), 'rpjournald-daemon-'));
  let child: ChildProcess | null = null;
  t.after(async () => {
    if (child?.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
    await journal.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const resp = join(dir, 'responses');
  mkdirSync(resp);
  writeFileSync(join(resp, 'record'), '#!/bin/bash\nread -r line\nprintf "%s\\n" "$line" >> "$(dirname "$0")/../calls.log"\n');
  chmodSync(join(resp, 'record'), 0o755);
  const conf = join(dir, 'ossec.conf');
  // Wazuh 4.14's journald block; the filter is on SYSLOG_IDENTIFIER because logger cannot set
  // _SYSTEMD_UNIT (journald derives it from the sender's cgroup).
  writeFileSync(conf, `<ossec_config>
  <command><name>record</name><executable>record</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response><command>record</command><location>local</location><rules_id>5763</rules_id><timeout>600</timeout></active-response>
  <localfile>
    <log_format>journald</log_format>
    <location>journald</location>
    <filter field="SYSLOG_IDENTIFIER">^sshd$</filter>
  </localfile>
  <ruleset><decoder_dir>ruleset/decoders</decoder_dir><rule_dir>ruleset/rules</rule_dir></ruleset>
</ossec_config>
`);
  const data = join(dir, 'data');
  const out = join(dir, 'riposte.out');
  const calls = (): { command: string; srcip: string | undefined }[] => {
    const f = join(dir, 'calls.log');
    if (!existsSync(f)) return [];
    return readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => {
      const m = JSON.parse(l) as { command: string; parameters: { alert: { data?: { srcip?: string } } } };
      return { command: m.command, srcip: m.parameters.alert.data?.srcip };
    });
  };
  const start = async (): Promise<void> => {
    const before = existsSync(out) ? readFileSync(out, 'utf8').length : 0;
    const fd = openSync(out, 'a');
    child = spawn(BIN, ['start', '--config', conf, '--data-dir', data, '--response-dir', resp], { stdio: ['ignore', fd, fd], env: { ...process.env, RIPOSTE_JOURNAL_DIR: journal.journalDir } });
    closeSync(fd);
    await waitFor(() => (/riposte: started:/.test(readFileSync(out, 'utf8').slice(before)) ? true : undefined), 'riposte to start');
  };
  const burst = (ip: string): void => {
    for (let i = 0; i < 8; i++) journal.log('sshd', `Failed password for root from ${ip} port ${41000 + i} ssh2`, 3000 + i);
  };

  await start();
  assert.match(readFileSync(out, 'utf8'), /journald: reading the journal in /);
  // A first start reads entries from now on: wait until journalctl follows.
  await waitFor(() => (/journald: No checkpoint/.test(readFileSync(out, 'utf8')) ? true : undefined), 'the journal source to open');
  await new Promise((r) => setTimeout(r, 1000));
  burst('203.0.113.61');
  const add = await waitFor(() => calls().find((c) => c.command === 'add'), 'the add run for the brute force in the journal');
  assert.equal(add.srcip, '203.0.113.61');
  const alerts = readFileSync(join(data, 'alerts.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { rule: { id: string }; location: string; full_log: string });
  const brute = alerts.find((a) => a.rule.id === '5763');
  assert.ok(brute, 'rule 5763 from journal entries');
  assert.equal(brute.location, 'journald');
  assert.match(brute.full_log, /^[A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \S+ sshd\[\d+\]: Failed password for root from 203\.0\.113\.61 port \d+ ssh2$/);

  // kill -9, an attack while Riposte is down, restart: the first burst is not read again (no
  // second add for .61), the one written while down is not skipped.
  await new Promise((r) => setTimeout(r, 1500)); // the checkpoint is written after the batch
  const exited = new Promise((r) => child?.once('exit', r));
  process.kill((child as unknown as ChildProcess).pid as number, 'SIGKILL');
  await exited;
  burst('203.0.113.62');
  await start();
  const second = await waitFor(() => calls().find((c) => c.command === 'add' && c.srcip === '203.0.113.62'), 'the add run for the attack written while Riposte was down');
  assert.equal(second.srcip, '203.0.113.62');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(calls().filter((c) => c.command === 'add' && c.srcip === '203.0.113.61').length, 1, 'the first burst was not read again');
  assert.match(readFileSync(out, 'utf8'), /journald: Resuming after journal cursor/);
  const stopped = new Promise((r) => child?.once('exit', r));
  (child as ChildProcess | null)?.kill('SIGTERM');
  await stopped;
});

test('the default configuration reads sshd from the journal where there is one, else /var/log/auth.log, never both', () => {
  const config = loadConfig(DEFAULT_CONF);
  const journalBlock = config.localfiles.find((l) => l.logFormat === 'journald');
  assert.deepEqual(journalBlock?.filters, [{ field: '_SYSTEMD_UNIT', expression: '^ssh.service$', ignoreIfMissing: false }]);
  const logs: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'rpjournald-plan-'));
  try {
    // A journal (Debian 12, with or without rsyslog): the journal only.
    const withJournal = planSources(config.localfiles, { log: (m) => logs.push(m), env: { ...process.env, RIPOSTE_JOURNAL_DIR: dir } });
    withJournal.close();
    if (withJournal.journalActive) {
      assert.deepEqual(withJournal.specs.map((s) => ('journal' in s ? 'journald' : s.path)), ['journald']);
      assert.ok(logs.some((m) => /\/var\/log\/auth\.log: not read while the journal is read/.test(m)));
    } else {
      assert.ok(logs.some((m) => /journalctl is not installed/.test(m)), logs.join('\n'));
    }
    // No journal (no systemd-journald: containers, CI): auth.log, and a warning naming the block.
    logs.length = 0;
    const without = planSources(config.localfiles, { log: (m) => logs.push(m), env: { ...process.env, RIPOSTE_JOURNAL_DIR: join(dir, 'missing') } });
    without.close();
    assert.equal(without.journalActive, false);
    assert.deepEqual(without.specs, [{ path: '/var/log/auth.log' }]);
    assert.ok(logs.some((m) => m.startsWith(`Warning: ${DEFAULT_CONF}:`) && /the journald <localfile> reads nothing/.test(m)), logs.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
