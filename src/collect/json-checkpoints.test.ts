import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture } from './_fixtures.ts';
import { JsonCheckpointStore } from './json-checkpoints.ts';

test('JsonCheckpointStore persists checkpoints across instances', async (t) => {
  const { dir } = await fixture(t);
  const file = join(dir, 'sub', 'cp.json');
  const a = new JsonCheckpointStore(file);
  assert.equal(a.get('/var/log/x'), null);
  a.put('/var/log/x', { inode: 12, offset: 340, fingerprint: '340:ab' });
  a.put('/var/log/y', { inode: 13, offset: 0, fingerprint: '0:cd' });
  const b = new JsonCheckpointStore(file);
  assert.deepEqual(b.get('/var/log/x'), { inode: 12, offset: 340, fingerprint: '340:ab' });
  assert.deepEqual(b.get('/var/log/y'), { inode: 13, offset: 0, fingerprint: '0:cd' });
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).version, 1);
});

test('JsonCheckpointStore warns about a malformed file or entry and ignores it', async (t) => {
  const { dir } = await fixture(t);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"sources": ');
  const warnings: string[] = [];
  assert.equal(new JsonCheckpointStore(bad, (m) => warnings.push(m)).get('x'), null);
  assert.match(warnings[0] ?? '', /malformed checkpoints file/);

  const partly = join(dir, 'partly.json');
  writeFileSync(partly, JSON.stringify({ version: 1, sources: { ok: { inode: 1, offset: 2, fingerprint: '2:x' }, no: { inode: 'x' } } }));
  const store = new JsonCheckpointStore(partly, (m) => warnings.push(m));
  assert.deepEqual(store.get('ok'), { inode: 1, offset: 2, fingerprint: '2:x' });
  assert.equal(store.get('no'), null);
  assert.match(warnings[1] ?? '', /malformed checkpoint for "no"/);
});
