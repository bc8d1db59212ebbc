/**
 * A damaged riposte.db: `riposte start` names the file, says the active blocks will not be
 * reverted and how to get out; `riposte store check` says what is wrong; `riposte store recover`
 * moves the file aside, starts a new store, and lifts what Riposte's own nftables set still holds
 * (in a network namespace of our own).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { nftSetupLines } from '../src/programs/_fw-nft.ts';
import { alertFor, decision } from '../src/store/_fixtures.ts';
import { Store } from '../src/store/index.ts';
import { BIN, setupEnv } from './support/burst.ts';

const root = process.getuid?.() === 0;
const NFT = ['/usr/sbin/nft', '/sbin/nft'].find((p) => existsSync(p));

test('a damaged store: start refuses with the way out, check reports it, recover moves it aside and lifts Riposte\'s blocks', {
  skip: root && NFT ? false : 'needs root and nft (a network namespace of our own)',
  timeout: 120_000,
}, (t) => {
  const env = setupEnv('rpdurable-recover-');
  const ns = `rpdurable-rec-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.after(() => {
    spawnSync('ip', ['netns', 'delete', ns]);
    rmSync(env.dir, { recursive: true, force: true });
  });
  const inNs = (args: string[]) => spawnSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', timeout: 60_000 });
  const nftIn = (script: string) => execFileSync('ip', ['netns', 'exec', ns, NFT as string, '-f', '-'], { input: script });
  nftIn(`${nftSetupLines().join('\n')}\nadd element inet riposte drop4 { 192.0.2.55 timeout 1h }\n`);
  mkdirSync(env.data);
  const db = join(env.data, 'riposte.db');
  writeFileSync(db, Buffer.alloc(8192, 0x5a));

  const start = inNs([BIN, 'start', '--config', env.conf, '--data-dir', env.data]);
  assert.equal(start.status, 1, start.stderr);
  assert.ok(start.stderr.includes(`"${db}"`), start.stderr);
  assert.match(start.stderr, /will not be reverted/);
  assert.match(start.stderr, /riposte store check --data-dir .*riposte store recover --data-dir /);

  const check = spawnSync(BIN, ['store', 'check', '--data-dir', env.data], { encoding: 'utf8' });
  assert.equal(check.status, 1);
  assert.match(check.stdout, /DAMAGED/);
  assert.match(check.stdout, /not a database/);

  const recover = inNs([BIN, 'store', 'recover', '--data-dir', env.data]);
  assert.equal(recover.status, 0, recover.stderr);
  assert.match(recover.stdout, /lifted 192\.0\.2\.55 from inet riposte drop4/);
  const list = inNs([NFT as string, 'list', 'set', 'inet', 'riposte', 'drop4']).stdout;
  assert.doesNotMatch(list, /192\.0\.2\.55/, 'the block no record accounts for is lifted');
  assert.equal(readdirSync(env.data).filter((f) => f.startsWith('riposte.db.corrupt-')).length, 1, 'the damaged file is kept aside');

  const again = spawnSync(BIN, ['store', 'check', '--data-dir', env.data], { encoding: 'utf8' });
  assert.equal(again.status, 0, again.stdout);
  assert.match(again.stdout, /: ok/);
});

test('store recover keeps what a damaged store still yields, and lifts only the blocks no kept decision accounts for', {
  skip: root && NFT ? false : 'needs root and nft (a network namespace of our own)',
  timeout: 120_000,
}, (t) => {
  const env = setupEnv('rpdurable-salvage-');
  const ns = `rpdurable-sal-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.after(() => {
    spawnSync('ip', ['netns', 'delete', ns]);
    rmSync(env.dir, { recursive: true, force: true });
  });
  mkdirSync(env.data);
  const file = join(env.data, 'riposte.db');
  const now = Math.floor(Date.now() / 1000);
  const store = Store.open(file);
  store.allowlistAdd({ value: '192.0.2.10', kind: 'ip', reason: 'bastion', addedBy: 'test' });
  const kept = { ...decision(), target: { kind: 'ip' as const, value: '192.0.2.56' }, decidedAt: now, until: now + 3600 };
  store.recordDecision(kept, alertFor(kept));
  for (let i = 0; i < 200; i++) store.appendAudit('filler', null, { i, pad: 'x'.repeat(200) });
  store.close();
  // Damage the audit table's first page (the header, the allowlist and the decisions stay readable).
  const db = new Database(file);
  const page = db.pragma('page_size', { simple: true }) as number;
  const root = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'audit'").pluck().get() as number;
  db.close();
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(page, 0xa5), 0, page, (root - 1) * page);
  closeSync(fd);
  assert.equal(spawnSync(BIN, ['store', 'check', '--data-dir', env.data], { encoding: 'utf8' }).status, 1);

  const nftIn = (script: string) => execFileSync('ip', ['netns', 'exec', ns, NFT as string, '-f', '-'], { input: script });
  nftIn(`${nftSetupLines().join('\n')}\nadd element inet riposte drop4 { 192.0.2.56 timeout 1h, 192.0.2.57 timeout 1h }\n`);
  const recover = spawnSync('ip', ['netns', 'exec', ns, BIN, 'store', 'recover', '--data-dir', env.data], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(recover.status, 0, recover.stderr);
  assert.match(recover.stdout, /kept 1 response\(s\) in force.*1 allowlist entries/);
  assert.match(recover.stdout, /lifted 192\.0\.2\.57 from inet riposte drop4/);
  assert.doesNotMatch(recover.stdout, /lifted 192\.0\.2\.56/);
  const list = execFileSync('ip', ['netns', 'exec', ns, NFT as string, 'list', 'set', 'inet', 'riposte', 'drop4'], { encoding: 'utf8' });
  assert.match(list, /192\.0\.2\.56/, 'the block a kept decision accounts for stays (reverted on time by the next start)');
  assert.doesNotMatch(list, /192\.0\.2\.57/);
  const fresh = Store.open(file);
  try {
    assert.deepEqual(fresh.listDecisions({ active: true }).map((d) => [d.target.value, d.until]), [['192.0.2.56', now + 3600]]);
    assert.deepEqual(fresh.allowlistList().map((a) => a.value), ['192.0.2.10']);
    assert.equal(fresh.listAudit().filter((a) => a.event === 'store_recovered').length, 1);
  } finally {
    fresh.close();
  }
});
