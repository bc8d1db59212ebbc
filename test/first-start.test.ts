/**
 * Operator commands before the first `riposte start`: `allowlist add` creates the data directory
 * and the store (the seed asks to allowlist before enabling anything), `responses list` works on
 * a fresh directory, and a user who may not use the data directory is told what to do instead of
 * a raw ENOENT or EACCES.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../bin/riposte.js', import.meta.url).pathname;

function cli(args: string[], user?: string): { out: string; err: string; status: number | null } {
  const r = user ? spawnSync('runuser', ['-u', user, '--', BIN, ...args], { encoding: 'utf8' }) : spawnSync(BIN, args, { encoding: 'utf8' });
  return { out: r.stdout, err: r.stderr, status: r.status };
}

test('allowlist add before the first start creates the data directory and the store; responses list works on it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rpdurable-first-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'not', 'yet');
  const add = cli(['allowlist', 'add', '192.0.2.10', '--reason', 'bastion host', '--data-dir', data]);
  assert.equal(add.status, 0, add.err);
  assert.equal(statSync(data).mode & 0o777, 0o700, 'created owner-only');
  assert.ok(existsSync(join(data, 'riposte.db')));
  assert.match(cli(['allowlist', 'list', '--data-dir', data]).out, /192\.0\.2\.10 +bastion host/);
  const fresh = cli(['responses', 'list', '--data-dir', join(dir, 'fresh')]);
  assert.equal(fresh.status, 0, fresh.err);
  assert.match(fresh.out, /^0 response\(s\)$/m);
});

test('a user who may not use the data directory gets the path and what to do, not a raw EACCES', { skip: process.getuid?.() === 0 ? false : 'needs root (runs as nobody)' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rpdurable-perm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o755 });
  assert.equal(cli(['allowlist', 'add', '192.0.2.11', '--reason', 'x', '--data-dir', data]).status, 0);
  for (const args of [['responses', 'list'], ['allowlist', 'add', '192.0.2.12', '--reason', 'x']]) {
    const r = cli([...args, '--data-dir', data], 'nobody');
    assert.equal(r.status, 1, r.err);
    assert.ok(r.err.includes(`"${join(data, 'riposte.db')}"`), r.err);
    assert.match(r.err, /permission denied\. .*run this command as that user \(e\.g\. with sudo\)/);
    assert.doesNotMatch(r.err, /EACCES|SQLITE_/);
  }
  const missing = cli(['responses', 'list', '--data-dir', join(dir, 'private', 'data')], 'nobody');
  chmodSync(dir, 0o700);
  assert.equal(missing.status, 1);
  assert.match(missing.err, /Cannot create or enter the data directory ".*private\/data": permission denied\. Run this command as/);
  assert.doesNotMatch(missing.err, /EACCES/);
});
