/**
 * Operator commands on a real data directory: `ar run` (through the decide chain), `responses
 * list/revert`, `allowlist add/remove` — an allowlisted address is refused on the manual path too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../bin/riposte.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'riposte-op-'));
const resp = join(dir, 'responses');
mkdirSync(resp);
writeFileSync(join(resp, 'record'), '#!/bin/bash\nread -r line\nprintf "%s\\n" "$line" >> "$(dirname "$0")/../calls.log"\n');
chmodSync(join(resp, 'record'), 0o755);
const conf = join(dir, 'ossec.conf');
writeFileSync(conf, '<ossec_config><command><name>record</name><executable>record</executable><timeout_allowed>yes</timeout_allowed></command></ossec_config>\n');
const common = ['--config', conf, '--data-dir', join(dir, 'data'), '--response-dir', resp];
mkdirSync(join(dir, 'data'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): { out: string; status: number } {
  try {
    return { out: execFileSync(BIN, args, { encoding: 'utf8', stdio: 'pipe' }), status: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; status?: number };
    return { out: `${e.stdout ?? ''}${e.stderr ?? ''}`, status: e.status ?? -1 };
  }
}

function calls(): Array<{ command: string }> {
  const f = join(dir, 'calls.log');
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { command: string }) : [];
}

test('ar run → responses list → responses revert runs add then delete once', () => {
  const run = cli(['ar', 'run', 'record', '--srcip', '203.0.113.60', '--timeout', '600', ...common]);
  assert.equal(run.status, 0, run.out);
  assert.deepEqual(calls().map((c) => c.command), ['add']);
  const list = (JSON.parse(cli(['responses', 'list', '--active', '--json', ...common]).out) as { responses: Array<{ decisionId: string; target: { value: string } }> }).responses;
  assert.equal(list.length, 1);
  assert.equal(list[0]?.target.value, '203.0.113.60');
  const rev = cli(['responses', 'revert', list[0]?.decisionId as string, ...common]);
  assert.match(rev.out, /reverted/);
  assert.deepEqual(calls().map((c) => c.command), ['add', 'delete']);
  assert.equal((JSON.parse(cli(['responses', 'list', '--active', '--json', ...common]).out) as { total: number }).total, 0);
  assert.equal(cli(['responses', 'revert', '--all', ...common]).status, 0);
  assert.equal(calls().length, 2, 'nothing reverted twice');
});

test('allowlist add needs a reason, and an allowlisted address is refused by ar run', () => {
  assert.notEqual(cli(['allowlist', 'add', '203.0.113.0/24', ...common]).status, 0);
  assert.equal(cli(['allowlist', 'add', '203.0.113.0/24', '--reason', 'lab range', ...common]).status, 0);
  assert.match(cli(['allowlist', 'list', ...common]).out, /203\.0\.113\.0\/24 +lab range/);
  const before = calls().length;
  const run = cli(['ar', 'run', 'record', '--srcip', '203.0.113.61', ...common]);
  assert.equal(run.status, 1);
  assert.match(run.out, /refused: allowlisted/);
  assert.equal(calls().length, before, 'the program never ran');
  assert.equal(cli(['allowlist', 'remove', '203.0.113.0/24', ...common]).status, 0);
});

test('ar run refuses a hostile target before any program runs', () => {
  const before = calls().length;
  const run = cli(['ar', 'run', 'record', '--srcip', '203.0.113.7; rm -rf /', ...common]);
  assert.equal(run.status, 1);
  assert.match(run.out, /refused: invalid_target/);
  assert.equal(calls().length, before);
});
