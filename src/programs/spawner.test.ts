import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { run, runLocal, useToolRunner } from './_exec.ts';
import { Spawner } from './_spawner.ts';

/** The parent pid of a `cat /proc/self/stat` run: who forked it. */
function parentOf(stat: string): number {
  // Field 4, after the parenthesised command name (which may hold spaces).
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

test('Spawner runs tools in its helper with the results of a direct run', async (t) => {
  const s = new Spawner().start();
  t.after(() => s.close());
  const before = useToolRunner(s);
  t.after(() => useToolRunner(before));

  // Routed: run() is answered by the helper, whose pid is the tool's parent, not ours.
  const stat = await run('/bin/cat', ['/proc/self/stat']);
  const parent = parentOf(stat.stdout);
  assert.notEqual(parent, process.pid);
  assert.match(readFileSync(`/proc/${parent}/cmdline`, 'utf8'), /_spawner-main\.ts/);

  // Same results as a local run: input, output, exit status, the environment given.
  const args = ['-e', 'let d="";process.stdin.on("data",(c)=>d+=c).on("end",()=>{console.log(d.toUpperCase());console.error(process.env.X);process.exit(3)})'];
  const opts = { input: 'hello; $(rm -rf /)\n', env: { PATH: '/usr/bin:/bin', X: 'y' } };
  const [remote, local] = await Promise.all([run(process.execPath, args, opts), runLocal(process.execPath, args, opts)]);
  assert.deepEqual(remote, local);
  assert.equal(remote.code, 3);
  assert.equal(remote.stdout, 'HELLO; $(RM -RF /)\n\n');
  assert.equal(remote.stderr, 'y\n');

  // Failures keep their error code: a tool that cannot start, one that runs too long.
  await assert.rejects(run('/nonexistent/tool', []), { code: 'RIPOSTE_ERR_AR_FAILED', message: /Cannot run \/nonexistent\/tool/ });
  await assert.rejects(run('/bin/sleep', ['5'], { timeoutMs: 100 }), { code: 'RIPOSTE_ERR_AR_FAILED', message: /did not finish within 100 ms/ });

  // Many at once are matched to their own requests.
  const many = await Promise.all(Array.from({ length: 20 }, (_, i) => run('/bin/echo', [String(i)])));
  assert.deepEqual(many.map((r) => r.stdout), Array.from({ length: 20 }, (_, i) => `${i}\n`));
});

test('Spawner fails pending runs when its helper dies, and starts a new one for the next', async (t) => {
  const s = new Spawner().start();
  t.after(() => s.close());
  const pending = s.run('/bin/sleep', ['2']);
  const stat = await s.run('/bin/cat', ['/proc/self/stat']);
  const helper = parentOf(stat.stdout);
  process.kill(helper, 'SIGKILL');
  await assert.rejects(pending, { code: 'RIPOSTE_ERR_AR_FAILED', message: /helper exited/ });
  const again = await s.run('/bin/cat', ['/proc/self/stat']);
  assert.notEqual(parentOf(again.stdout), helper);
});
