/**
 * The allowlist is live in the running daemon (issue 8, item 12): `riposte allowlist add` while
 * `riposte start` runs keeps the address from being blocked from then on, and an entry added by
 * another writer lifts the daemon's active blocks on it within a second, audited with its reason.
 * A real daemon tailing a real log file, a real SQLite file, a recording response program.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Daemon } from '../src/daemon/start.ts';
import { Store } from '../src/store/index.ts';
import { recordingConfig, recordingEnv, waitFor } from './support/recording.ts';

function setup(t: { after: (fn: () => void) => void }) {
  const env = recordingEnv('rpsafety-live-', t);
  const conf = recordingConfig(env, { rulesId: '5710', timeoutSec: 600 });
  return { ...env, conf, common: ['--config', conf, '--data-dir', env.data, '--response-dir', env.resp] };
}

/** One failed login for a non-existent user: rule 5710, bound to `record` (no frequency, no ignore window). */
function burst(log: string, ip: string): void {
  appendFileSync(log, `Mar 10 10:00:01 srv1 sshd[4242]: Failed password for invalid user admin from ${ip} port 40000 ssh2\n`);
}


const BIN = new URL('../bin/riposte.js', import.meta.url).pathname;
const run = promisify(execFile);

test('allowlist add while the daemon runs: the address is not blocked afterwards', { timeout: 90_000 }, async (t) => {
  const env = setup(t);
  const d = await Daemon.start({ configFile: env.conf, dataDir: env.data, responseDirs: [env.resp], fromStart: true, pollMs: 50, log: () => {} });
  t.after(() => d.stop());
  // The daemon blocks as usual…
  burst(env.log, '203.0.113.76');
  await waitFor(() => env.calls().find((c) => c.command === 'add' && c.srcip === '203.0.113.76'), 'the first block');
  // …then the operator allowlists another address, and the attack from it comes right after.
  const added = await run(BIN, ['allowlist', 'add', '203.0.113.77', '--reason', 'pentest', ...env.common], { encoding: 'utf8' });
  assert.match(added.stdout, /allowlisted ip 203\.0\.113\.77/);
  burst(env.log, '203.0.113.77');
  // A control attack after it, so we know the daemon has read past the allowlisted one.
  burst(env.log, '203.0.113.75');
  await waitFor(() => env.calls().find((c) => c.command === 'add' && c.srcip === '203.0.113.75'), 'the control block');
  await d.idle();
  assert.equal(env.calls().filter((c) => c.srcip === '203.0.113.77').length, 0, 'the allowlisted address was never acted on');
  const store = Store.open(join(env.data, 'riposte.db'));
  t.after(() => store.close());
  await waitFor(() => (store.listAudit({}).some((a) => a.event === 'refused:allowlisted') ? true : undefined), 'the refusal audit', 5000);
  // Removing the entry takes effect at once too.
  await run(BIN, ['allowlist', 'remove', '203.0.113.77', ...env.common], { encoding: 'utf8' });
  burst(env.log, '203.0.113.77');
  await waitFor(() => env.calls().find((c) => c.command === 'add' && c.srcip === '203.0.113.77'), 'the block once no longer allowlisted', 10_000);
});

test('an allowlist entry added by another writer lifts the daemon\'s active block on it within one second, audited with its reason', { timeout: 90_000 }, async (t) => {
  const env = setup(t);
  const lines: string[] = [];
  const d = await Daemon.start({ configFile: env.conf, dataDir: env.data, responseDirs: [env.resp], fromStart: true, pollMs: 50, log: (m) => lines.push(m) });
  t.after(() => d.stop());
  burst(env.log, '198.51.100.90');
  burst(env.log, '198.51.100.91');
  await waitFor(() => (env.calls().filter((c) => c.command === 'add').length === 2 ? true : undefined), 'both blocks');
  // Not the CLI: a writer that only records the entry, so the lift can only come from the daemon.
  const writer = Store.open(join(env.data, 'riposte.db'));
  t.after(() => writer.close());
  const addedAt = Date.now() / 1000;
  writer.allowlistAdd({ value: '198.51.100.90/32', kind: 'ip', reason: 'pentest', addedBy: 'test' });
  const del = await waitFor(() => env.calls().find((c) => c.command === 'delete'), 'the lift', 5000);
  assert.equal(del.srcip, '198.51.100.90');
  assert.ok(del.at - addedAt < 1, `lifted ${(del.at - addedAt).toFixed(3)} s after the entry was added: more than one second`);
  await waitFor(() => (writer.listDecisions({ state: 'reverted' }).length === 1 ? true : undefined), 'the lift recorded', 5000);
  const lifted = writer.listDecisions({ state: 'reverted' })[0];
  assert.equal(lifted?.target.value, '198.51.100.90');
  const audit = writer.listAudit({ decisionId: lifted?.decisionId as string }).filter((a) => a.event === 'state_changed').map((a) => a.detail as Record<string, unknown>);
  assert.ok(audit.some((a) => a['by'] === 'daemon' && a['reason'] === 'pentest' && a['allowlist'] === '198.51.100.90/32' && a['to'] === 'reverted'), JSON.stringify(audit));
  assert.equal(writer.countDecisions({ active: true }), 1, 'the other block stays');
  // Logged once the whole walk of active decisions is over, a turn or two after the settlement.
  const liftLog = /lifted record on 198\.51\.100\.90 .*allowlisted by "198\.51\.100\.90\/32" \(pentest\)/;
  await waitFor(() => (lines.some((l) => liftLog.test(l)) ? true : undefined), `the lift in the daemon's log:\n${lines.join('\n')}`, 5000);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(env.calls().filter((c) => c.command === 'delete').length, 1, 'lifted once');
});

test('a response recorded by ar run while the daemon runs is reverted by the daemon within one second of its time', { timeout: 90_000 }, async (t) => {
  const env = setup(t);
  const d = await Daemon.start({ configFile: env.conf, dataDir: env.data, responseDirs: [env.resp], fromStart: true, pollMs: 50, log: () => {} });
  t.after(() => d.stop());
  // The daemon's scheduler has nothing to wait for; the CLI records a 3 s block behind its back.
  const r = await run(BIN, ['ar', 'run', 'record', '--srcip', '192.0.2.44', '--timeout', '3', ...env.common], { encoding: 'utf8' });
  assert.match(r.stdout, /active until/);
  const writer = Store.open(join(env.data, 'riposte.db'));
  t.after(() => writer.close());
  const until = writer.listDecisions({})[0]?.until as number;
  const del = await waitFor(() => env.calls().find((c) => c.command === 'delete'), 'the revert', 10_000);
  assert.ok(del.at >= until - 0.05, `reverted ${(until - del.at).toFixed(3)} s early`);
  assert.ok(del.at - until < 1, `reverted ${(del.at - until).toFixed(3)} s after its time: more than one second`);
});

test('after responses revert while the daemon runs, the next offence is blocked again (not refused as a duplicate)', { timeout: 90_000 }, async (t) => {
  const env = setup(t);
  const d = await Daemon.start({ configFile: env.conf, dataDir: env.data, responseDirs: [env.resp], fromStart: true, pollMs: 50, log: () => {} });
  t.after(() => d.stop());
  burst(env.log, '203.0.113.60');
  await waitFor(() => env.calls().find((c) => c.command === 'add'), 'the block');
  const reverted = await run(BIN, ['responses', 'revert', '--all', ...env.common], { encoding: 'utf8' });
  assert.match(reverted.stdout, /reverted 1 of 1/);
  // The daemon looks at the store every 250 ms; give it one second, then the attacker returns.
  await new Promise((r) => setTimeout(r, 1000));
  burst(env.log, '203.0.113.60');
  await waitFor(() => (env.calls().filter((c) => c.command === 'add').length === 2 ? true : undefined), 'the second block', 10_000);
});
