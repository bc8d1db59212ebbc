import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NODE, sandbox } from './_programs.ts';
import { ExecQueue, targetKey } from './queue.ts';
import { runProgram, type ExecOutcome } from './run.ts';

/** A job the test ends by hand. */
function gate(): { job: () => Promise<string>; started: boolean; open: (v?: string) => void; fail: (e: Error) => void } {
  let resolve!: (v: string) => void;
  let reject!: (e: Error) => void;
  const p = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const g = {
    started: false,
    job: () => {
      g.started = true;
      return p;
    },
    open: (v = 'ok') => resolve(v),
    fail: (e: Error) => reject(e),
  };
  return g;
}

const tick = () => new Promise((r) => setImmediate(r));

test('ExecQueue runs one job at a time per key and keys in parallel', async () => {
  const q = new ExecQueue({ concurrency: 4 });
  const a1 = gate();
  const a2 = gate();
  const b1 = gate();
  const r1 = q.run('ip:1', a1.job);
  const r2 = q.run('ip:1', a2.job);
  const r3 = q.run('ip:2', b1.job);
  await tick();
  assert.deepEqual([a1.started, a2.started, b1.started], [true, false, true]);
  assert.equal(q.running, 2);
  assert.equal(q.pending, 1);
  b1.open('b1');
  assert.equal(await r3, 'b1');
  assert.equal(a2.started, false);
  a1.fail(new Error('boom'));
  await assert.rejects(r1, /boom/);
  await tick();
  assert.equal(a2.started, true, 'a failed job does not block its key');
  a2.open('a2');
  assert.equal(await r2, 'a2');
  await q.idle();
  assert.equal(q.running + q.pending, 0);
});

test('ExecQueue honours the global cap, and a waiting key holds no slot', async () => {
  const q = new ExecQueue({ concurrency: 2 });
  const a1 = gate();
  const a2 = gate();
  const b = gate();
  const c = gate();
  void q.run('a', a1.job);
  void q.run('a', a2.job);
  void q.run('b', b.job);
  void q.run('c', c.job);
  await tick();
  // a1 and b run; a2 waits for its key, c for a slot.
  assert.deepEqual([a1.started, a2.started, b.started, c.started], [true, false, true, false]);
  a1.open();
  await tick();
  await tick();
  // The freed slot goes to c (ready earlier), not to a2 (ready again only now).
  assert.deepEqual([a2.started, c.started], [false, true]);
  b.open();
  await tick();
  await tick();
  assert.equal(a2.started, true);
  a2.open();
  c.open();
  await q.idle();
  assert.throws(() => new ExecQueue({ concurrency: 0 }), RangeError);
});

test('targetKey() names a target', () => {
  assert.equal(targetKey({ kind: 'ip', value: '2001:db8::1' }), 'ip:2001:db8::1');
  assert.equal(targetKey({ kind: 'user', value: 'bob' }), 'user:bob');
});

test('ExecQueue: a hanging program is killed at its timeout while another key finishes first', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const hang = sb.program('hang', '#!/bin/bash\nsleep 300\n');
  const quick = sb.program('quick', `${NODE}\nprocess.stdout.write('ok');\n`);
  const q = new ExecQueue({ concurrency: 4 });
  const order: string[] = [];
  const job = (name: string, path: string, timeoutMs: number) => async (): Promise<ExecOutcome> => {
    order.push(`start ${name}`);
    const out = await runProgram(path, { timeoutMs, killGraceMs: 500 });
    sb.track(out.pid);
    order.push(`end ${name}`);
    return out;
  };
  const a = q.run('ip:203.0.113.7', job('A', hang, 3000));
  const b = q.run('ip:198.51.100.1', job('B', quick, 30_000));
  const c = q.run('ip:203.0.113.7', job('C', quick, 30_000));
  const [oa, ob, oc] = await Promise.all([a, b, c]);
  assert.equal(oa.timedOut, true);
  assert.equal(ob.timedOut, false);
  assert.equal(ob.stdoutExcerpt, 'ok');
  assert.equal(oc.exitCode, 0);
  // B (another key) is not held up by A; C (A's key) starts only after A ended.
  assert.deepEqual(order, ['start A', 'start B', 'end B', 'end A', 'start C', 'end C']);
});

test('ExecQueue starts an urgent job at once, past a full cap and a backlog, but after its own key', async () => {
  const q = new ExecQueue({ concurrency: 1 });
  const holder = gate();
  const backlog = [gate(), gate(), gate()];
  const sameKey = gate();
  const done: string[] = [];
  void q.run('ip:1', holder.job);
  backlog.forEach((g, i) => void q.run(`ip:${i + 10}`, g.job).then(() => done.push(`backlog${i}`)));
  void q.run('ip:1', sameKey.job).then(() => done.push('same-key'));
  const urgent = gate();
  const u = q.run('ip:2', urgent.job, 'urgent').then(() => done.push('urgent'));
  const urgentSameKey = gate();
  const us = q.run('ip:1', urgentSameKey.job, 'urgent');
  await tick();
  assert.equal(urgent.started, true, 'the urgent job did not wait for the full cap nor the backlog');
  assert.equal(urgentSameKey.started, false, 'an urgent job still waits for the earlier jobs of its key');
  assert.ok(backlog.every((g) => !g.started));
  urgent.open();
  await u;
  assert.deepEqual(done, ['urgent']);
  // The rest in FIFO order; the urgent job of ip:1 starts only once ip:1's earlier job ended.
  holder.open();
  for (const g of backlog) g.open();
  for (let i = 0; i < 10 && !sameKey.started; i++) await tick();
  assert.equal(sameKey.started, true);
  assert.equal(urgentSameKey.started, false);
  sameKey.open();
  for (let i = 0; i < 10 && !urgentSameKey.started; i++) await tick();
  assert.equal(urgentSameKey.started, true);
  urgentSameKey.open();
  await us;
  await q.idle();
});

test('ExecQueue with freshFirst starts a fresh job within two slots, however long the backlog', async () => {
  const q = new ExecQueue({ concurrency: 1, freshFirst: true });
  const holder = gate();
  void q.run('ip:0', holder.job);
  const order: string[] = [];
  const jobs: Array<Promise<unknown>> = [];
  for (let i = 1; i <= 50; i++) jobs.push(q.run(`ip:${i}`, async () => void order.push(`old${i}`)));
  jobs.push(q.run('ip:fresh', async () => void order.push('fresh')));
  holder.open();
  await Promise.all(jobs);
  assert.ok(order.indexOf('fresh') <= 1, `the fresh job ran at position ${order.indexOf('fresh')}`);
  // Every other slot still goes to the oldest: old1, old2, … keep their order.
  assert.deepEqual(order.filter((_, i) => i % 2 === 0).slice(0, 10), ['old1', 'old2', 'old3', 'old4', 'old5', 'old6', 'old7', 'old8', 'old9', 'old10']);
  assert.equal(order.length, 51);
});
