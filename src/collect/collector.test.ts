import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fixture, numbered, numberedLines, waitFor } from './_fixtures.ts';
import { LogCollector } from './collector.ts';
import type { TailBatch } from './file-tail.ts';
import { JsonCheckpointStore } from './json-checkpoints.ts';

test('LogCollector feeds several files to one consumer, one batch at a time, in order per source', async (t) => {
  const fx = await fixture(t);
  const { dir } = fx;
  const paths = ['a.log', 'b.log', 'c.log'].map((n) => join(dir, n));
  for (const p of paths) writeFileSync(p, '');
  const store = new JsonCheckpointStore(join(dir, 'cp.json'));
  const c = new LogCollector(
    paths.map((path) => ({ path })),
    { store, fromStart: true, pollMs: 20, maxBatchLines: 50 },
  );
  const got = new Map<string, string[]>(paths.map((p) => [p, []]));
  let active = 0;
  let overlap = false;
  const done = c.run(async (b) => {
    overlap ||= active > 0;
    active++;
    await delay(1); // a slow consumer: tailers must wait for it
    got.get(b.source)!.push(...b.lines);
    active--;
  });
  fx.defer(async () => {
    await c.stop();
    await done.catch(() => {});
  });
  for (let i = 0; i < 1000; i += 100) {
    for (const [k, p] of paths.entries()) appendFileSync(p, numbered(`f${k}`, i, i + 100));
    await delay(1);
  }
  await waitFor(() => [...got.values()].every((l) => l.length >= 1000), '1000 lines from each file');
  await c.stop();
  await done;
  assert.equal(overlap, false);
  for (const [k, p] of paths.entries()) {
    assert.deepEqual(got.get(p), numberedLines(`f${k}`, 0, 1000));
    assert.equal(store.get(p)?.offset, 1000 * 9);
  }
});

test('LogCollector does not acknowledge a batch whose consumer failed, and rejects', async (t) => {
  const fx = await fixture(t);
  const { dir } = fx;
  const path = join(dir, 'a.log');
  writeFileSync(path, numbered('x', 0, 30));
  const store = new JsonCheckpointStore(join(dir, 'cp.json'));
  const c = new LogCollector([{ path }], { store, fromStart: true, pollMs: 20, maxBatchLines: 10 });
  const seen: TailBatch[] = [];
  const done = c.run((b) => {
    seen.push(b);
    if (seen.length === 2) throw new Error('consumer broke');
  });
  fx.defer(() => c.stop());
  await assert.rejects(done, /consumer broke/);
  assert.equal(store.get(path)?.offset, 10 * 8);
  assert.equal(seen.length, 2);
});

test('LogCollector rejects two tailers on one source', () => {
  assert.throws(() => new LogCollector([{ path: '/x' }, { path: '/y', source: '/x' }]), /Duplicate log source/);
});
