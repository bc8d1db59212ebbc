import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, renameSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { MAX_MESSAGE_BYTES } from '../engine/engine.ts';
import { fixture, numbered, numberedLines, settle, waitFor } from './_fixtures.ts';
import { JsonCheckpointStore } from './json-checkpoints.ts';

test('FileTailer delivers 6000 lines across 2 rename rotations exactly once, in order', async (t) => {
  const fx = await fixture(t);
  const path = join(fx.dir, 'app.log');
  writeFileSync(path, '');
  const r = fx.follow({ path, fromStart: true });
  await waitFor(() => r.notices.some((n) => n.kind === 'start-beginning'), 'the tailer to open the file');
  for (let i = 0; i < 6000; i += 100) {
    if (i === 2000 || i === 4000) {
      // Real rotations are far apart: the tailer must have moved to the previous new file (else
      // that whole file is renamed away unseen, a loss no tailer following a path can avoid).
      await waitFor(() => r.notices.filter((n) => n.kind === 'opened').length === i / 2000 - 1, 'the previous rotation');
      // No await in between: the tailer most likely has not read these lines when it sees the
      // new inode, so it must drain the old file first.
      appendFileSync(path, numbered('line', i, i + 100));
      renameSync(path, `${path}.${i / 2000}`);
      continue;
    }
    appendFileSync(path, numbered('line', i, i + 100));
    await delay(1);
  }
  await waitFor(() => r.lines.length >= 6000, '6000 lines', 20_000, () => ({
    count: r.lines.length,
    last: r.lines.at(-1),
    stats: r.tailer.stats,
    notices: r.notices,
  }));
  await settle();
  assert.deepEqual(r.lines, numberedLines('line', 0, 6000));
  assert.equal(r.tailer.stats.rotations, 2);
  assert.equal(r.notices.filter((n) => n.kind === 'opened').length, 2);
});

test('FileTailer copytruncate: exact when the writer pauses before truncating', async (t) => {
  const fx = await fixture(t);
  const path = join(fx.dir, 'app.log');
  writeFileSync(path, numbered('line', 0, 1000));
  const r = fx.follow({ path, fromStart: true });
  await waitFor(() => r.lines.length === 1000, 'the first 1000 lines');
  copyFileSync(path, `${path}.1`);
  truncateSync(path, 0);
  for (let i = 1000; i < 2000; i += 100) {
    appendFileSync(path, numbered('line', i, i + 100));
    await delay(1);
  }
  await waitFor(() => r.lines.length >= 2000, '2000 lines');
  await settle();
  assert.deepEqual(r.lines, numberedLines('line', 0, 2000));
  assert.equal(r.tailer.stats.truncations, 1);
});

test('FileTailer copytruncate without pause loses at most what was unread, never duplicates', async (t) => {
  const fx = await fixture(t);
  const path = join(fx.dir, 'app.log');
  writeFileSync(path, '');
  const r = fx.follow({ path, fromStart: true });
  await waitFor(() => r.notices.some((n) => n.kind === 'start-beginning'), 'the tailer to open the file');
  for (let i = 0; i < 6000; i += 100) {
    appendFileSync(path, numbered('line', i, i + 100));
    if (i === 3000) {
      copyFileSync(path, `${path}.1`);
      truncateSync(path, 0);
    }
    await delay(1);
  }
  await waitFor(() => r.lines.includes('line-05999'), 'the last line');
  await settle();
  const nums = r.lines.map((l) => Number(l.slice(5)));
  for (let k = 1; k < nums.length; k++) assert.ok(nums[k]! > nums[k - 1]!, `line ${nums[k]} after ${nums[k - 1]}`);
  // Everything written after the truncation must arrive; before it, only a tail may be missing.
  const after = r.lines.filter((l) => l >= 'line-03100');
  assert.deepEqual(after, numberedLines('line', 3100, 6000));
  assert.ok(r.lines.length >= 2900, `got ${r.lines.length}`);
  const before = r.lines.filter((l) => l < 'line-03100');
  assert.deepEqual(before, numberedLines('line', 0, before.length), 'only a tail of the old file may be lost');
});

test('FileTailer detects truncation + regrowth past the old offset by fingerprint', async (t) => {
  const fx = await fixture(t);
  const path = join(fx.dir, 'app.log');
  writeFileSync(path, numbered('old', 0, 100));
  const r = fx.follow({ path, fromStart: true });
  await waitFor(() => r.lines.length === 100, 'the old lines');
  // Same tick: the tailer next sees a file larger than its offset, same inode.
  truncateSync(path, 0);
  appendFileSync(path, numbered('new', 0, 300));
  await waitFor(() => r.lines.length >= 400, 'the new lines');
  await settle();
  assert.deepEqual(r.lines, [...numberedLines('old', 0, 100), ...numberedLines('new', 0, 300)]);
  assert.equal(r.tailer.stats.truncations, 1);
});

test('FileTailer restart from a checkpoint neither re-reads nor skips', async (t) => {
  const fx = await fixture(t);
  const path = join(fx.dir, 'app.log');
  const cpFile = join(fx.dir, 'state', 'checkpoints.json');
  writeFileSync(path, numbered('a', 0, 50));
  const first = fx.follow({ path, fromStart: true, store: new JsonCheckpointStore(cpFile) });
  await waitFor(() => first.lines.length === 50, 'the first 50 lines');
  await first.stop();
  appendFileSync(path, numbered('b', 0, 30));
  // A fresh store reads the file back; fromStart false shows it is the checkpoint that counts.
  const second = fx.follow({ path, store: new JsonCheckpointStore(cpFile) });
  await waitFor(() => second.lines.length >= 30, 'the 30 appended lines');
  await settle();
  assert.deepEqual(second.lines, numberedLines('b', 0, 30));
  assert.equal(second.notices.find((n) => n.kind === 'resume')?.message, `Resuming at offset ${50 * 8}`);
  await second.stop();

  // Rotated while stopped: the checkpoint's inode is gone, so the new file is read from 0.
  renameSync(path, `${path}.1`);
  writeFileSync(path, numbered('c', 0, 5));
  const third = fx.follow({ path, store: new JsonCheckpointStore(cpFile) });
  await waitFor(() => third.lines.length >= 5, 'the new file');
  await settle();
  assert.deepEqual(third.lines, numberedLines('c', 0, 5));
  assert.ok(third.notices.some((n) => n.kind === 'checkpoint-mismatch'));
});

test('FileTailer re-delivers unacknowledged lines after a restart', async (t) => {
  const fx = await fixture(t);
  const path = join(fx.dir, 'app.log');
  const cpFile = join(fx.dir, 'cp.json');
  writeFileSync(path, numbered('x', 0, 20));
  const first = fx.follow({ path, fromStart: true, maxBatchLines: 10, store: new JsonCheckpointStore(cpFile), ackIf: (n) => n === 0 });
  await waitFor(() => first.lines.length === 20, '20 lines');
  await first.stop();
  const second = fx.follow({ path, store: new JsonCheckpointStore(cpFile) });
  await waitFor(() => second.lines.length >= 10, 'the unacknowledged lines');
  await settle();
  assert.deepEqual(second.lines, numberedLines('x', 10, 20));
});

test('FileTailer holds a partial line until its newline arrives', async (t) => {
  const fx = await fixture(t);
  const path = join(fx.dir, 'app.log');
  writeFileSync(path, '');
  const r = fx.follow({ path, fromStart: true, partialFlushMs: 60_000 });
  appendFileSync(path, 'first\nsec');
  await waitFor(() => r.lines.length === 1 && r.tailer.stats.bytes === 9, 'the first line');
  await settle();
  assert.deepEqual(r.lines, ['first']);
  appendFileSync(path, 'ond\n');
  await waitFor(() => r.lines.length === 2, 'the completed line');
  assert.deepEqual(r.lines, ['first', 'second']);
  assert.deepEqual(r.ends, [6, 13]);
});

test('FileTailer flushes a partial line after a quiet period and on stop', async (t) => {
  const fx = await fixture(t);
  const path = join(fx.dir, 'app.log');
  writeFileSync(path, '');
  const r = fx.follow({ path, fromStart: true, partialFlushMs: 100 });
  appendFileSync(path, 'quiet');
  await waitFor(() => r.lines.length === 1, 'the quiet-period flush');
  assert.deepEqual(r.lines, ['quiet']);
  assert.equal(r.tailer.stats.partialFlushes, 1);
  // Documented: bytes that later extend a flushed line arrive as a line of their own.
  appendFileSync(path, '-rest\n');
  await waitFor(() => r.lines.length === 2, 'the continuation');
  assert.deepEqual(r.lines, ['quiet', '-rest']);

  const s = fx.follow({ path: join(fx.dir, 'b.log'), fromStart: true, partialFlushMs: 60_000 });
  writeFileSync(join(fx.dir, 'b.log'), 'done\nunfinished');
  await waitFor(() => s.lines.length === 1 && s.tailer.stats.bytes === 15, 'the first line of b.log');
  await s.stop();
  assert.deepEqual(s.lines, ['done', 'unfinished']);
  assert.deepEqual(s.ends, [5, 15]);
});

test('FileTailer cuts overlong lines at MAX_MESSAGE_BYTES, drops the rest, counts them; keeps NUL and high bytes', async (t) => {
  const fx = await fixture(t);
  const path = join(fx.dir, 'app.log');
  writeFileSync(path, '');
  const r = fx.follow({ path, fromStart: true });
  const long = 'h'.repeat(10) + 'x'.repeat(MAX_MESSAGE_BYTES + 70_000); // spans several reads
  const exact = 'e'.repeat(MAX_MESSAGE_BYTES);
  const bin = Buffer.from([0x61, 0x00, 0x62, 0xff, 0xc3, 0x28, 0x0a]);
  appendFileSync(path, `${long}\n${exact}\n`);
  appendFileSync(path, bin);
  appendFileSync(path, 'after\n');
  await waitFor(() => r.lines.length >= 4, '4 lines');
  await settle();
  assert.equal(r.lines.length, 4);
  assert.equal(r.lines[0], long.slice(0, MAX_MESSAGE_BYTES));
  assert.equal(r.lines[1], exact);
  assert.equal(r.lines[2], 'a\x00b\xff\xc3(');
  assert.equal(r.lines[3], 'after');
  assert.equal(r.tailer.stats.cut, 1);
  assert.equal(r.ends[0], long.length + 1);
  assert.equal(r.ends[3], long.length + exact.length + 2 + bin.length + 6);
  assert.equal(r.notices.filter((n) => n.kind === 'cut').length, 1);
});

test('FileTailer follows a file deleted and recreated', async (t) => {
  const fx = await fixture(t);
  const path = join(fx.dir, 'app.log');
  writeFileSync(path, numbered('one', 0, 10));
  const r = fx.follow({ path, fromStart: true });
  await waitFor(() => r.lines.length === 10, 'the first file');
  unlinkSync(path);
  await waitFor(() => r.tailer.stats.rotations === 1, 'the deletion');
  await settle();
  writeFileSync(path, numbered('two', 0, 5));
  await waitFor(() => r.lines.length >= 15, 'the recreated file');
  // Deleted and recreated in one tick (a new inode: the tailer still holds the old one).
  unlinkSync(path);
  writeFileSync(path, numbered('three', 0, 5));
  await waitFor(() => r.lines.length >= 20, 'the second recreation');
  await settle();
  assert.deepEqual(r.lines, [...numberedLines('one', 0, 10), ...numberedLines('two', 0, 5), ...numberedLines('three', 0, 5)]);
});

test('FileTailer starts at the end of an existing file, and at 0 of a file that appears later', async (t) => {
  const fx = await fixture(t);
  const existing = join(fx.dir, 'existing.log');
  const later = join(fx.dir, 'later.log');
  writeFileSync(existing, numbered('old', 0, 5));
  const a = fx.follow({ path: existing });
  const b = fx.follow({ path: later });
  await waitFor(() => a.notices.some((n) => n.kind === 'start-end') && b.notices.some((n) => n.kind === 'missing'), 'both tailers to look');
  appendFileSync(existing, numbered('new', 0, 2));
  writeFileSync(later, numbered('later', 0, 3));
  await waitFor(() => a.lines.length >= 2 && b.lines.length >= 3, 'new lines');
  await settle();
  assert.deepEqual(a.lines, numberedLines('new', 0, 2));
  assert.deepEqual(b.lines, numberedLines('later', 0, 3));
});

test('FileTailer works on polling alone (watch disabled)', async (t) => {
  const fx = await fixture(t);
  const path = join(fx.dir, 'app.log');
  writeFileSync(path, '');
  const r = fx.follow({ path, fromStart: true, watch: false, pollMs: 30 });
  appendFileSync(path, numbered('p', 0, 50));
  await waitFor(() => r.lines.length >= 50, '50 lines');
  assert.deepEqual(r.lines, numberedLines('p', 0, 50));
});

test('FileTailer detects truncation with an unchanged prefix by size', async (t) => {
  const fx = await fixture(t);
  const path = join(fx.dir, 'app.log');
  writeFileSync(path, numbered('a', 0, 100));
  const r = fx.follow({ path, fromStart: true, fingerprintBytes: 8 });
  await waitFor(() => r.lines.length === 100, 'the first 100 lines');
  // Same first 8 bytes, so only the size shows the truncation.
  truncateSync(path, 0);
  appendFileSync(path, numbered('a', 0, 10) + numbered('z', 0, 5));
  await waitFor(() => r.lines.length >= 115, 'the rewritten file');
  await settle();
  assert.deepEqual(r.lines.slice(100), [...numberedLines('a', 0, 10), ...numberedLines('z', 0, 5)]);
});

test('FileTailer delivers the unterminated last line of a rotated file', async (t) => {
  const fx = await fixture(t);
  const path = join(fx.dir, 'app.log');
  writeFileSync(path, '');
  const r = fx.follow({ path, fromStart: true, partialFlushMs: 60_000 });
  await waitFor(() => r.notices.some((n) => n.kind === 'start-beginning'), 'the tailer to open the file');
  appendFileSync(path, 'a\nb');
  renameSync(path, `${path}.1`);
  writeFileSync(path, 'c\n');
  await waitFor(() => r.lines.length >= 3, '3 lines');
  await settle();
  assert.deepEqual(r.lines, ['a', 'b', 'c']);
});
