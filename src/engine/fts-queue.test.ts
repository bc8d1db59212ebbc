import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FtsQueueFile } from './fts-queue.ts';

test('FtsQueueFile keeps first-time-seen keys across a reopen, byte strings included', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-fts-rpfields-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'fts-queue');
  const q = FtsQueueFile.open(path, () => assert.fail('no warning expected'));
  const key = 'cisco-ios\u00003051\u0000192.168.100.11\u0000\u00e9\n';
  assert.equal(q.has(key), false);
  q.add(key);
  q.add(key);
  assert.equal(readFileSync(path, 'latin1').split('\n').filter(Boolean).length, 1, 'one line per key');
  const again = FtsQueueFile.open(path, () => assert.fail('no warning expected'));
  assert.equal(again.has(key), true);
  assert.equal(again.size, 1);
});

test('FtsQueueFile skips a torn last line with a warning naming file and line', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-fts-rpfields-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'fts-queue');
  writeFileSync(path, '"a"\n');
  appendFileSync(path, '"b');
  const warnings: string[] = [];
  const q = FtsQueueFile.open(path, (m) => warnings.push(m));
  assert.equal(q.has('a'), true);
  assert.equal(q.has('b'), false);
  assert.deepEqual(warnings, [`${path}:2: unreadable fts queue line skipped (its key counts as not seen)`]);
});

test('FtsQueueFile keeps a key in memory and warns when the append fails', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-fts-rpfields-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const warnings: string[] = [];
  // A queue path inside a missing directory: every append fails.
  const q = FtsQueueFile.open(join(dir, 'missing', 'fts-queue'), (m) => warnings.push(m));
  q.add('k');
  assert.equal(q.has('k'), true);
  assert.equal(q.unsaved, 1);
  assert.match(warnings[0] ?? '', /^Cannot append to the fts queue ".*missing\/fts-queue": /);
});

test('FtsQueueFile stops remembering past its bound, with one warning', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-fts-rpfields-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const warnings: string[] = [];
  const q = FtsQueueFile.open(join(dir, 'fts-queue'), (m) => warnings.push(m), 2);
  for (const k of ['a', 'b', 'c', 'd']) q.add(k);
  assert.deepEqual([q.has('a'), q.has('b'), q.has('c'), q.has('d')], [true, true, false, false]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /holds 2 keys: new keys are no longer remembered/);
});
