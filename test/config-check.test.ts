/**
 * Configurations that cannot do what they say are refused or warned about, the same way by
 * `riposte start`, `riposte replay`, the operator commands and `riposte config check`: no
 * `<ruleset>` loads the default ruleset, warnings are printed, every error comes at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigCheckV1 } from '../src/cli/commands/config.ts';
import { Daemon } from '../src/daemon/start.ts';
import { RiposteAggregateError } from '../src/errors.ts';
import { recordingEnv, sshBurst as burst, waitFor, type RecordingEnv as Env } from './support/recording.ts';

const env = (t: { after: (f: () => void) => void }): Env => recordingEnv('riposte-rpconfig-', t);


const BIN = new URL('../bin/riposte.js', import.meta.url).pathname;
const SHIPPED = new URL('../config/ossec.conf', import.meta.url).pathname;

/** The seed article's blocks as an operator pastes them: no <ruleset>, a host name in white_list. */
function seedConfig(e: Env, extra = ''): string {
  const conf = join(e.dir, 'ossec.conf');
  writeFileSync(conf, `<ossec_config>
  <global>
    <white_list>bastion.example.com</white_list>
    <white_list>fe80::1%eth0</white_list>
  </global>
  <command><name>record</name><executable>record</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response><command>record</command><location>local</location><rules_id>5712</rules_id><timeout>600</timeout></active-response>
  <localfile><log_format>syslog</log_format><location>${e.log}</location></localfile>
${extra}</ossec_config>
`);
  return conf;
}

function cli(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const WHITE_LIST_WARNING = /warning: .*ossec\.conf:3: <white_list>: Entry "bastion\.example\.com" is not an IP address or network: ignored/;

test('start: a configuration without <ruleset> loads the default ruleset, says so, prints its warnings and responds', { timeout: 90_000 }, async (t) => {
  const e = env(t);
  const conf = seedConfig(e);
  const logged: string[] = [];
  const d = await Daemon.start({ configFile: conf, dataDir: e.data, responseDirs: [e.resp], fromStart: true, pollMs: 50, log: (m) => logged.push(m) });
  t.after(() => d.stop());
  assert.ok(logged.some((m) => /^ruleset: default ruleset ".*\/ruleset" \(no <ruleset> in the configuration\): \d+ rules$/.test(m)), logged.join('\n'));
  assert.ok(logged.some((m) => WHITE_LIST_WARNING.test(m)), logged.join('\n'));
  assert.ok(logged.some((m) => /warning: .*ossec\.conf:4: <white_list>: Entry "fe80::1%eth0": the zone index is ignored/.test(m)), logged.join('\n'));
  burst(e.log, '203.0.113.71');
  const calls = await waitFor(() => (e.calls().length > 0 ? e.calls() : undefined), 'the bound program to run');
  assert.equal(calls[0]?.command, 'add');
  assert.equal(calls[0]?.srcip, '203.0.113.71');
});

test('start: refuses, with every error at once, a configuration whose problems show only when an attack happens', { timeout: 60_000 }, async (t) => {
  const e = env(t);
  // Owned by a non-root user: it must not run as root.
  writeFileSync(join(e.resp, 'theirs'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  chownSync(join(e.resp, 'theirs'), 65534, 65534);
  const conf = join(e.dir, 'ossec.conf');
  const text = `<ossec_config>
  <command><name>record</name><executable>record</executable><timeout_allowed>yes</timeout_allowed></command>
  <command><name>gone</name><executable>not-installed</executable></command>
  <command><name>theirs</name><executable>theirs</executable></command>
  <active-response><command>record</command><location>local</location><rules_id>5712,100999</rules_id></active-response>
  <active-response><command>gone</command><location>local</location><rules_id>5712</rules_id></active-response>
  <active-response><command>theirs</command><location>local</location><rules_id>5712</rules_id></active-response>
  stray line
  <active-response><command>nosuchcmd</command><location>local</location><level>soon</level></active-response>
</ossec_config>
`;
  writeFileSync(conf, text);
  const lines = text.split('\n');
  const at = (needle: string): number => lines.findIndex((l) => l.includes(needle)) + 1;
  await assert.rejects(Daemon.start({ configFile: conf, dataDir: e.data, responseDirs: [e.resp], log: () => {} }), (err: unknown) => {
    assert.ok(err instanceof RiposteAggregateError, String(err));
    assert.equal(err.code, 'RIPOSTE_ERR_CONFIG_INVALID');
    const got = err.errors.map((x) => [x.location?.line, x.code]);
    assert.deepEqual(got, [
      [1, 'RIPOSTE_ERR_CONFIG_INVALID'], // no <localfile>
      [at('not-installed'), 'RIPOSTE_ERR_EXEC_NOT_FOUND'],
      [at('<executable>theirs'), 'RIPOSTE_ERR_EXEC_REFUSED'],
      [at('100999'), 'RIPOSTE_ERR_CONFIG_INVALID'],
      [at('stray line'), 'RIPOSTE_ERR_CONFIG_INVALID'],
      [at('nosuchcmd'), 'RIPOSTE_ERR_CONFIG_INVALID'],
      [at('nosuchcmd'), 'RIPOSTE_ERR_CONFIG_INVALID'],
    ], err.message);
    assert.match(err.message, /theirs is owned by a non-root user \(owner uid 65534, group gid 65534, mode 0755\)/);
    assert.match(err.message, /Unknown command "nosuchcmd"/);
    assert.match(err.message, /rule 100999, not in the default ruleset/);
    return true;
  });
  assert.equal(existsSync(join(e.data, 'riposte.db')), false, 'nothing was set up for a refused configuration');
});

test('config check lists errors and warnings with file and line, as JSON too, and exits 1 on errors', { timeout: 60_000 }, (t) => {
  const e = env(t);
  const conf = seedConfig(e, '  <active-response><command>record</command><location>local</location><rules_id>424242</rules_id></active-response>\n');
  const human = cli(['config', 'check', '--config', conf, '--response-dir', e.resp]);
  assert.equal(human.status, 1, human.stdout + human.stderr);
  assert.match(human.stdout, /^error: .*ossec\.conf:9: <rules_id> names rule 424242/m);
  assert.match(human.stdout, WHITE_LIST_WARNING);
  assert.match(human.stdout, /ruleset: default ruleset/);
  assert.match(human.stdout, /1 error\(s\), 2 warning\(s\)/);
  const json = cli(['config', 'check', '--config', conf, '--response-dir', e.resp, '--json']);
  assert.equal(json.status, 1);
  const r = JSON.parse(json.stdout) as ConfigCheckV1;
  assert.deepEqual(r.issues.map((i) => [i.level, i.code, i.file, i.line]), [
    ['error', 'RIPOSTE_ERR_CONFIG_INVALID', conf, 9],
    ['warning', 'RIPOSTE_WARN_CONFIG', conf, 3],
    ['warning', 'RIPOSTE_WARN_CONFIG', conf, 4],
  ]);
  assert.ok(r.rules !== null && r.rules > 0);
  // Without --response-dir the program is in no response directory: one more error.
  const bare = JSON.parse(cli(['config', 'check', '--config', conf, '--json']).stdout) as ConfigCheckV1;
  assert.deepEqual(bare.issues.filter((i) => i.level === 'error').map((i) => i.code), ['RIPOSTE_ERR_EXEC_NOT_FOUND', 'RIPOSTE_ERR_CONFIG_INVALID']);
  const missing = cli(['config', 'check', '--config', join(e.dir, 'absent.conf'), '--json']);
  assert.equal(missing.status, 1);
  assert.equal((JSON.parse(missing.stdout) as ConfigCheckV1).issues[0]?.code, 'RIPOSTE_ERR_CONFIG_READ');
});

test('config check passes the shipped config/ossec.conf with no error and no warning', { timeout: 60_000 }, () => {
  const r = cli(['config', 'check', '--config', SHIPPED, '--json']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout) as ConfigCheckV1;
  assert.deepEqual([out.errors, out.warnings], [0, 0], r.stdout);
});

test('replay and the operator commands print the configuration warnings on stderr', { timeout: 60_000 }, (t) => {
  const e = env(t);
  const conf = seedConfig(e);
  burst(e.log, '203.0.113.72');
  // No <ruleset> and no --ruleset-dir: replay runs on the default ruleset (it used to refuse).
  const replay = cli(['replay', '--config', conf, '--year', '2024', '--json', e.log]);
  assert.equal(replay.status, 0, replay.stderr);
  assert.match(replay.stderr, new RegExp(`^riposte: ${WHITE_LIST_WARNING.source}`, 'm'));
  assert.match(replay.stderr, /^riposte: ruleset: default ruleset/m);
  assert.equal((JSON.parse(replay.stdout) as { decisions: number }).decisions, 1);
  mkdirSync(e.data);
  for (const args of [['responses', 'list'], ['allowlist', 'list']]) {
    const r = cli([...args, '--config', conf, '--data-dir', e.data]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^riposte: ${WHITE_LIST_WARNING.source}`, 'm'), args.join(' '));
  }
});

test('config check lists the ruleset compiler warnings with their rule file and line', { timeout: 60_000 }, (t) => {
  const e = env(t);
  const conf = seedConfig(e);
  const stock = new URL('../../shared/wazuh-ruleset', import.meta.url).pathname;
  const r = cli(['config', 'check', '--config', conf, '--response-dir', e.resp, '--ruleset-dir', stock, '--json']);
  const out = JSON.parse(r.stdout) as ConfigCheckV1;
  assert.equal(out.errors, 0, r.stdout);
  const rules = out.issues.filter((i) => i.code === 'RIPOSTE_WARN_RULESET');
  assert.ok(rules.some((i) => i.file.endsWith('rules/0015-ossec_rules.xml') && i.line > 0 && /Rule 594: unknown decoder/.test(i.message)), r.stdout);
  assert.match(out.ruleset, /--ruleset-dir/);
});
