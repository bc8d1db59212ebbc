/**
 * Operator commands that must not lie or bypass safety (issue 8, items 7, 11, 12, 13): lists
 * page with the true total and tell desired state from what was applied, `revert --all` reverts
 * all, `ar test` goes through the allowlist and own-address refusal and records what it adds,
 * `allowlist add` lifts what it covers, and a failed or out-of-range `ar run` exits non-zero.
 * Real CLI processes on a real SQLite file, with recording response programs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Store } from '../src/store/index.ts';
import type { AlertV1, DecisionV1 } from '../src/decide/types.ts';

const BIN = new URL('../bin/riposte.js', import.meta.url).pathname;
const run = promisify(execFile);

interface Env {
  dir: string;
  common: string[];
  db: string;
  calls: () => Array<{ command: string; srcip: string | undefined }>;
}

/** A data directory, a config with a recording command, and a command whose add or delete fails. */
function setup(t: { after: (fn: () => void) => void }): Env {
  const dir = mkdtempSync(join(tmpdir(), 'rpsafety-op-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const resp = join(dir, 'responses');
  mkdirSync(resp);
  mkdirSync(join(dir, 'data'));
  // dash starts faster than bash: the bulk tests run a thousand of these.
  writeFileSync(join(resp, 'record'), '#!/bin/sh\nread -r line\nprintf "%s\\n" "$line" >> "$(dirname "$0")/../calls.log"\n');
  // Fails on delete for 198.51.100.66 only, otherwise records like `record`.
  writeFileSync(join(resp, 'flaky'), '#!/bin/sh\nread -r line\nprintf "%s\\n" "$line" >> "$(dirname "$0")/../calls.log"\ncase "$line" in *\'"delete"\'*198.51.100.66*) echo "cannot delete" >&2; exit 1;; esac\n');
  writeFileSync(join(resp, 'broken'), '#!/bin/sh\nread -r line\necho "Invalid --timeout" >&2\nexit 2\n');
  for (const p of ['record', 'flaky', 'broken']) chmodSync(join(resp, p), 0o755);
  const conf = join(dir, 'ossec.conf');
  writeFileSync(conf, `<ossec_config>
  <command><name>record</name><executable>record</executable><timeout_allowed>yes</timeout_allowed></command>
  <command><name>flaky</name><executable>flaky</executable><timeout_allowed>yes</timeout_allowed></command>
  <command><name>broken</name><executable>broken</executable><timeout_allowed>yes</timeout_allowed></command>
</ossec_config>
`);
  const calls = () => {
    const f = join(dir, 'calls.log');
    if (!existsSync(f)) return [];
    return readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
      const m = JSON.parse(l) as { command: string; parameters: { alert: { data?: { srcip?: string } } } };
      return { command: m.command, srcip: m.parameters.alert.data?.srcip };
    });
  };
  return { dir, common: ['--config', conf, '--data-dir', join(dir, 'data'), '--response-dir', resp], db: join(dir, 'data', 'riposte.db'), calls };
}

async function cli(args: string[]): Promise<{ out: string; status: number }> {
  try {
    const r = await run(BIN, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { out: `${r.stdout}${r.stderr}`, status: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { out: `${e.stdout ?? ''}${e.stderr ?? ''}`, status: typeof e.code === 'number' ? e.code : -1 };
  }
}

/** Record `n` active decisions straight into the store (as the daemon would have). */
function seed(db: string, n: number, command: string, ip: (i: number) => string, now = Math.floor(Date.now() / 1000)): string[] {
  const store = Store.open(db);
  const ids: string[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const target = { kind: 'ip' as const, value: ip(i) };
      const alert: AlertV1 = { id: `${now}.${i}`, time: now, agentId: '000', rule: { id: 5712, level: 10, groups: 'sshd,', noAr: false }, data: { srcip: target.value }, location: 'test', fullLog: 'test' };
      const d: DecisionV1 = {
        kind: 'decision', decisionId: `rpsafety-${String(i).padStart(6, '0')}`, response: `${command}600`, command, target, alertId: alert.id, ruleId: 5712,
        decidedAt: now - i, timeoutSec: 600, until: now + 600, offence: 1, escalated: false, simulated: false, mode: 'enforce',
      };
      store.recordDecision(d, alert);
      ids.push(d.decisionId);
    }
  } finally {
    store.close();
  }
  return ids;
}

/** Distinct documentation addresses (2001:db8::/32, the IPv6 TEST-NET). */
function ipOf(i: number): string {
  return `2001:db8::${(i + 1).toString(16)}`;
}

test('responses list pages with the true total and shows what was applied; revert --all reverts every one and says how many', { timeout: 240_000 }, async (t) => {
  const env = setup(t);
  const N = 1005; // more than the old silent limit of 1000
  const ids = seed(env.db, N, 'record', ipOf);
  {
    const store = Store.open(env.db);
    const exec = { action: 'add' as const, startedAt: 0, durationMs: 1, signal: null, timedOut: false, stderrExcerpt: '', answer: null };
    store.recordExecution({ ...exec, decisionId: ids[0] as string, exitCode: 0 });
    store.recordExecution({ ...exec, decisionId: ids[1] as string, exitCode: 1 });
    store.close();
  }
  const text = await cli(['responses', 'list', '--active', ...env.common]);
  assert.equal(text.status, 0, text.out);
  assert.match(text.out, /1-1000 of 1005 response\(s\) shown \(--offset 1000 for the next page\)/);
  assert.doesNotMatch(text.out, /^1000 response\(s\)$/m, 'no count that is only the page');
  assert.match(text.out, new RegExp(`${ids[0]} +active +add:applied `), 'an add that succeeded is applied');
  assert.match(text.out, new RegExp(`${ids[1]} +active +add:failed `), 'an add that failed is not shown as in force');
  assert.match(text.out, new RegExp(`${ids[2]} +active +add:pending `), 'no add run yet: pending');
  const page2 = JSON.parse((await cli(['responses', 'list', '--active', '--json', '--offset', '1000', ...env.common])).out) as { total: number; responses: Array<{ decisionId: string }> };
  assert.equal(page2.total, N);
  assert.deepEqual(page2.responses.map((d) => d.decisionId), ids.slice(1000), 'the second page holds the rest, newest first');

  const rev = await cli(['responses', 'revert', '--all', ...env.common]);
  assert.equal(rev.status, 0, rev.out.slice(-2000));
  assert.match(rev.out, /reverted 1005 of 1005 response\(s\)/);
  const deletes = env.calls().filter((c) => c.command === 'delete');
  assert.equal(deletes.length, N, 'every active response got its delete');
  assert.equal(new Set(deletes.map((d) => d.srcip)).size, N, 'each one once');
  const after = JSON.parse((await cli(['responses', 'list', '--active', '--json', ...env.common])).out) as { total: number };
  assert.equal(after.total, 0);
});

test('responses revert --all exits non-zero when a revert failed, and retries what an earlier revert left reverting', { timeout: 60_000 }, async (t) => {
  const env = setup(t);
  const ids = seed(env.db, 3, 'flaky', (i) => `198.51.100.${64 + i}`);
  {
    // An earlier revert claimed this one and then failed: it is still `reverting`.
    const store = Store.open(env.db);
    store.transition(ids[0] as string, 'active', 'reverting', { by: 'test' });
    store.close();
  }
  const rev = await cli(['responses', 'revert', '--all', ...env.common]);
  assert.equal(rev.status, 1, rev.out);
  assert.match(rev.out, /rpsafety-000002 revert FAILED/);
  assert.match(rev.out, /reverted 2 of 3 response\(s\), 1 FAILED/);
  const deleted = env.calls().filter((c) => c.command === 'delete').map((c) => c.srcip).sort();
  assert.deepEqual(deleted, ['198.51.100.64', '198.51.100.65', '198.51.100.66'], 'the reverting one was retried too');
  const store = Store.open(env.db);
  t.after(() => store.close());
  assert.equal(store.getDecision(ids[0] as string)?.state, 'reverted');
  assert.equal(store.getDecision(ids[2] as string)?.state, 'reverting', 'the failed one stays claimed, for riposte start to retry');
});

test('ar test goes through the allowlist and own-address refusal, records what it adds with a 60 s timeout, and revert --all lifts it', { timeout: 60_000 }, async (t) => {
  const env = setup(t);
  const own = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address;
  for (const [ip, refusal] of [['127.0.0.1', 'own_address'], ['::1', 'own_address'], ['224.0.0.1', 'invalid_target'], ['fe80::1', 'invalid_target'], ...(own ? [[own, 'own_address']] : [])] as Array<[string, string]>) {
    const r = await cli(['ar', 'test', 'record', 'add', '--srcip', ip, ...env.common]);
    assert.equal(r.status, 1, `${ip}: ${r.out}`);
    assert.match(r.out, new RegExp(`refused: ${refusal}`), ip);
  }
  assert.equal(await cli(['allowlist', 'add', '192.0.2.0/24', '--reason', 'bastions', ...env.common]).then((r) => r.status), 0);
  const allowed = await cli(['ar', 'test', 'record', 'add', '--srcip', '192.0.2.9', ...env.common]);
  assert.equal(allowed.status, 1);
  assert.match(allowed.out, /refused: allowlisted/);
  assert.equal(env.calls().length, 0, 'no refused test ever ran the program');

  const before = Date.now() / 1000;
  const ok = await cli(['ar', 'test', 'record', 'add', '--srcip', '203.0.113.80', ...env.common]);
  const after = Date.now() / 1000;
  assert.equal(ok.status, 0, ok.out);
  assert.match(ok.out, /203\.0\.113\.80 active until \d{4}-\d\d-\d\dT/);
  const list = JSON.parse((await cli(['responses', 'list', '--active', '--json', ...env.common])).out) as { responses: Array<{ target: { value: string }; until: number; applied: string }> };
  assert.equal(list.responses.length, 1, 'ar test recorded its add');
  const rec = list.responses[0] as { target: { value: string }; until: number; applied: string };
  assert.equal(rec.target.value, '203.0.113.80');
  assert.equal(rec.applied, 'applied');
  assert.ok(rec.until >= Math.floor(before) + 60 && rec.until <= after + 60, `until ${rec.until} is not 60 s after the test (${before}…${after})`);
  const rev = await cli(['responses', 'revert', '--all', ...env.common]);
  assert.match(rev.out, /reverted 1 of 1/);
  assert.deepEqual(env.calls().map((c) => c.command), ['add', 'delete']);
});

test('ar run refuses an out-of-range --timeout before anything runs, and exits non-zero when the program failed', { timeout: 60_000 }, async (t) => {
  const env = setup(t);
  for (const bad of ['99999999999', '2147483648', '-1', '1e3', '']) {
    const r = await cli(['ar', 'run', 'record', '--srcip', '203.0.113.9', '--timeout', bad, ...env.common]);
    assert.equal(r.status, 1, `--timeout ${bad}: ${r.out}`);
    assert.match(r.out, /Invalid --timeout/);
  }
  assert.equal(env.calls().length, 0, 'nothing ran');
  assert.equal(existsSync(env.db) ? Store.open(env.db).countDecisions({}) : 0, 0, 'nothing was recorded');

  const failed = await cli(['ar', 'run', 'broken', '--srcip', '203.0.113.9', '--timeout', '600', ...env.common]);
  assert.equal(failed.status, 1, failed.out);
  assert.match(failed.out, /FAILED: failed \(exit 2, \d+ ms\); nothing is in force/);
  assert.match(failed.out, /Invalid --timeout/, 'the program\'s own words are shown');
  assert.doesNotMatch(failed.out, /active until/);
  const store = Store.open(env.db);
  t.after(() => store.close());
  assert.equal(store.countDecisions({ active: true }), 0);
  assert.equal(store.countDecisions({ state: 'failed' }), 1);
});

test('allowlist add lifts the active responses it covers when no daemon runs, audited with its reason', { timeout: 60_000 }, async (t) => {
  const env = setup(t);
  assert.equal((await cli(['ar', 'run', 'record', '--srcip', '203.0.113.77', ...env.common])).status, 0);
  assert.equal((await cli(['ar', 'run', 'record', '--srcip', '203.0.113.78', ...env.common])).status, 0);
  const add = await cli(['allowlist', 'add', '203.0.113.77', '--reason', 'pentest', ...env.common]);
  assert.equal(add.status, 0, add.out);
  assert.match(add.out, /lifted 1 of 1 active response\(s\)/);
  assert.deepEqual(env.calls().map((c) => `${c.command} ${c.srcip}`), ['add 203.0.113.77', 'add 203.0.113.78', 'delete 203.0.113.77']);
  const store = Store.open(env.db);
  t.after(() => store.close());
  const lifted = store.listDecisions({ state: 'reverted' });
  assert.equal(lifted.length, 1);
  const audit = store.listAudit({ decisionId: (lifted[0] as { decisionId: string }).decisionId }).filter((a) => a.event === 'state_changed');
  assert.ok(audit.some((a) => (a.detail as { reason?: string; allowlist?: string }).reason === 'pentest' && (a.detail as { allowlist?: string }).allowlist === '203.0.113.77'), JSON.stringify(audit));
  assert.equal(store.countDecisions({ active: true }), 1, 'the other block stays');
});

test('allowlist add refuses an entry the allowlist would ignore instead of storing it to allowlist nothing', { timeout: 30_000 }, async (t) => {
  const env = setup(t);
  for (const bad of ['203.0.113.0/33', '2001:db8::/129']) {
    const r = await cli(['allowlist', 'add', bad, '--reason', 'typo', ...env.common]);
    assert.equal(r.status, 1, `${bad}: ${r.out}`);
    assert.match(r.out, /Invalid allowlist entry/);
  }
  assert.doesNotMatch((await cli(['allowlist', 'list', ...env.common])).out, /typo/);
});
