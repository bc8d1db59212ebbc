import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EXIT } from './_contract.ts';
import { accountRefusal, uidRange } from './disable-account.ts';
import { arMessage, cannotRun, runResponse, sh } from './_testkit.ts';

test('uidRange() reads login.defs and falls back to the shadow-utils defaults', () => {
  assert.deepEqual(uidRange('# x\nUID_MIN\t\t\t 500\nUID_MAX 29999\n'), { min: 500, max: 29999 });
  assert.deepEqual(uidRange('#UID_MIN 5\n'), { min: 1000, max: 60000 });
});

test('accountRefusal() refuses uid 0 always and system accounts unless allowed', () => {
  const range = { min: 1000, max: 60000 };
  assert.equal(accountRefusal('toor', 0, range, true), 'has uid 0');
  assert.match(accountRefusal('daemon', 1, range, false) ?? '', /system account \(uid 1\)/);
  assert.match(accountRefusal('nobody', 65534, range, false) ?? '', /system account/);
  assert.equal(accountRefusal('daemon', 1, range, true), null);
  assert.equal(accountRefusal('alice', 1000, range, false), null);
});

describe('disable-account on throwaway accounts', { skip: cannotRun(['useradd', 'userdel', 'usermod', 'getent']) }, () => {
  const user = `riposte-t${process.pid}`;
  const system = `riposte-t${process.pid}s`;
  const shadow = (name: string) => {
    const f = sh('getent', ['shadow', name]).trim().split(':');
    return { password: f[1], expire: f[7] };
  };
  const run = (command: string, dstuser: string, extra: string[] = [], answer: 'continue' | 'abort' = 'continue') =>
    runResponse('disable-account', { line: arMessage(command, { data: { dstuser } }, extra, 'disable-account'), answer });
  before(() => {
    sh('useradd', ['-M', '-s', '/usr/sbin/nologin', user]);
    // A password field that is not locked, so the lock is visible.
    sh('usermod', ['-p', 'riposteTestHash', user]);
    sh('useradd', ['-r', '-M', '-s', '/usr/sbin/nologin', system]);
  });
  after(() => {
    for (const name of [user, system]) {
      try {
        sh('userdel', [name]);
      } catch {
        // Never created (an earlier step failed).
      }
    }
  });

  test('add locks the password and expires the account; delete restores both', async () => {
    const add = await run('add', user);
    assert.equal(add.code, EXIT.OK, add.stderr);
    assert.deepEqual(add.keys, [user]);
    assert.deepEqual(shadow(user), { password: '!riposteTestHash', expire: '1' });
    const again = await run('add', user);
    assert.equal(again.code, EXIT.OK, again.stderr);
    assert.match(again.stderr, /already disabled/);
    assert.deepEqual(shadow(user), { password: '!riposteTestHash', expire: '1' });
    const del = await run('delete', user);
    assert.equal(del.code, EXIT.OK, del.stderr);
    assert.deepEqual(shadow(user), { password: 'riposteTestHash', expire: '' });
  });

  test('a password an administrator locked stays locked after delete', async () => {
    sh('usermod', ['-L', user]);
    assert.equal((await run('add', user)).code, EXIT.OK);
    assert.deepEqual(shadow(user), { password: '!riposteTestHash', expire: '2' });
    assert.equal((await run('delete', user)).code, EXIT.OK);
    assert.deepEqual(shadow(user), { password: '!riposteTestHash', expire: '' });
    sh('usermod', ['-U', user]);
  });

  test('abort leaves the account alone', async () => {
    const out = await run('add', user, [], 'abort');
    assert.equal(out.code, EXIT.OK);
    assert.deepEqual(shadow(user), { password: 'riposteTestHash', expire: '' });
  });

  test('root, uid-0 and system accounts are refused with exit 3; --allow-system allows the latter', async () => {
    const root = await run('add', 'root');
    assert.equal(root.code, EXIT.REFUSED);
    assert.equal(root.keys, null);
    const sys = await run('add', system);
    assert.equal(sys.code, EXIT.REFUSED);
    assert.match(sys.stderr, /system account/);
    assert.equal(shadow(system).expire, '');
    const allowed = await run('add', system, ['--allow-system']);
    assert.equal(allowed.code, EXIT.OK, allowed.stderr);
    // useradd -r leaves the password locked ("!"): marker 2, so delete will not unlock it.
    assert.deepEqual(shadow(system), { password: '!', expire: '2' });
    assert.equal((await run('delete', system, ['--allow-system'])).code, EXIT.OK);
    assert.deepEqual(shadow(system), { password: '!', expire: '' });
  });

  test('a missing account fails on add and is nothing to do on delete', async () => {
    const missing = `riposte-t${process.pid}x`;
    const add = await run('add', missing);
    assert.equal(add.code, EXIT.FAILED);
    assert.equal(add.keys, null);
    assert.match(add.stderr, /No account named/);
    assert.equal((await run('delete', missing)).code, EXIT.OK);
  });

  test('an unsafe name is invalid input', async () => {
    for (const bad of ['-o', 'a b', '../etc']) assert.equal((await run('add', bad)).code, EXIT.INVALID_INPUT, bad);
  });
});
