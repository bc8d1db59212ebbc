import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE, lockDataDir } from './lock.ts';

function dir(t: { after: (f: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'rpdurable-lock-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
}

test('lockDataDir() refuses while the holder runs, naming the lock file and its PID', (t) => {
  const d = dir(t);
  // PID 1 always runs: a lock naming it (with its real start time) is held.
  writeFileSync(join(d, LOCK_FILE), `1 ${startTime(1)}\n`);
  assert.throws(() => lockDataDir(d), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'RIPOSTE_ERR_DAEMON_LOCKED');
    assert.ok(e.message.includes('(PID 1)'), e.message);
    assert.ok(e.message.includes(`"${join(d, LOCK_FILE)}"`), e.message);
    return true;
  });
  assert.equal(readFileSync(join(d, LOCK_FILE), 'utf8'), `1 ${startTime(1)}\n`, 'the holder\'s lock is untouched');
});

test('lockDataDir() takes over a lock whose PID now belongs to another process (start time differs)', (t) => {
  const d = dir(t);
  writeFileSync(join(d, LOCK_FILE), '1 12345\n');
  const lock = lockDataDir(d);
  assert.equal(readFileSync(join(d, LOCK_FILE), 'utf8').split(' ')[0], String(process.pid));
  // Held by this process now: a second take refuses, the release removes it.
  assert.throws(() => lockDataDir(d), { code: 'RIPOSTE_ERR_DAEMON_LOCKED' });
  lock.release();
  assert.equal(existsSync(join(d, LOCK_FILE)), false);
  assert.deepEqual(readdirSync(d), [], 'no temporary or takeover file left behind');
});
