import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInProcess, type InProcessMain } from './in-process.ts';
import type { ArMessageV1 } from './message.ts';

const message = (command: 'add' | 'delete'): ArMessageV1 => ({
  version: 1, origin: { name: '', module: 'wazuh-execd' }, command,
  parameters: { extra_args: [], alert: { data: { srcip: '192.0.2.5' } }, program: 'active-response/bin/fake' },
} as unknown as ArMessageV1);

/** A program following the Wazuh contract: message, check_keys on add, answer; records what it saw. */
function fakeMain(seen: string[]): InProcessMain {
  return async (req) => {
    const first = req.message as unknown as { command: string };
    seen.push(first.command);
    if (first.command === 'add') seen.push(await req.checkKeys(['192.0.2.5']));
    req.stderr.write('done\n');
    return 0;
  };
}

test('runInProcess() performs the check_keys exchange and reports the outcome', async () => {
  const seen: string[] = [];
  const o = await runInProcess(fakeMain(seen), { message: message('add'), onKeys: () => 'continue' });
  assert.deepEqual(seen, ['add', 'continue']);
  assert.deepEqual(o.keys, ['192.0.2.5']);
  assert.equal(o.answer, 'continue');
  assert.equal(o.exitCode, 0);
  assert.equal(o.stderrExcerpt, 'done\n');
});

test('runInProcess() answers abort when told to, and sends delete without a handshake', async () => {
  const seen: string[] = [];
  await runInProcess(fakeMain(seen), { message: message('add'), onKeys: () => 'abort' });
  await runInProcess(fakeMain(seen), { message: message('delete') });
  assert.deepEqual(seen, ['add', 'abort', 'delete']);
});

test('runInProcess() reports a throwing program as failed and a stuck one as timed out', async () => {
  const threw = await runInProcess(async () => { throw new Error('boom'); }, { message: message('delete') });
  assert.equal(threw.exitCode, 1);
  assert.equal(threw.error, 'boom');
  const stuck = await runInProcess(() => new Promise<number>(() => {}), { message: message('delete'), timeoutMs: 50 });
  assert.equal(stuck.timedOut, true);
});
