import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RiposteError } from '../errors.ts';
import { sandbox } from './_programs.ts';
import { badProgramName, resolveProgram } from './resolve.ts';

function rejectsWith(code: string): (e: unknown) => boolean {
  return (e) => e instanceof RiposteError && e.code === code;
}

test('resolveProgram() refuses names that are not plain file names', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  sb.program('ok', '#!/bin/sh\n');
  for (const name of ['', '/bin/sh', 'a/b', '../ok', '..', 'x..y', 'a\\b', 'ok\0', '-ok', 'ok\n', 'x'.repeat(256)]) {
    await assert.rejects(resolveProgram(name, [sb.dir]), rejectsWith('RIPOSTE_ERR_EXEC_REFUSED'), JSON.stringify(name));
    assert.notEqual(badProgramName(name), null);
  }
  assert.equal(badProgramName('firewall-drop'), null);
  assert.equal(badProgramName('restart-wazuh.sh'), null);
});

test('resolveProgram() searches the directories in order and skips missing ones', async (t) => {
  const bundled = sandbox();
  const user = sandbox();
  t.after(() => {
    bundled.dispose();
    user.dispose();
  });
  bundled.program('firewall-drop', '#!/bin/sh\n');
  user.program('firewall-drop', '#!/bin/sh\n');
  user.program('custom', '#!/bin/sh\n');
  const missing = join(bundled.dir, 'no-such-dir');
  assert.equal(await resolveProgram('firewall-drop', [missing, bundled.dir, user.dir]), realpathSync(join(bundled.dir, 'firewall-drop')));
  assert.equal(await resolveProgram('firewall-drop', [user.dir, bundled.dir]), realpathSync(join(user.dir, 'firewall-drop')));
  assert.equal(await resolveProgram('custom', [bundled.dir, user.dir]), realpathSync(join(user.dir, 'custom')));
  await assert.rejects(resolveProgram('absent', [bundled.dir, user.dir]), rejectsWith('RIPOSTE_ERR_EXEC_NOT_FOUND'));
  await assert.rejects(resolveProgram('custom', []), rejectsWith('RIPOSTE_ERR_EXEC_NOT_FOUND'));
});

test('resolveProgram() refuses a symlink that escapes its directory, and does not fall through', async (t) => {
  const outside = sandbox();
  const dir = sandbox();
  const user = sandbox();
  t.after(() => {
    outside.dispose();
    dir.dispose();
    user.dispose();
  });
  const target = outside.program('evil', '#!/bin/sh\n');
  symlinkSync(target, join(dir.dir, 'firewall-drop'));
  symlinkSync('/bin/sh', join(dir.dir, 'sh'));
  symlinkSync(join(outside.dir, 'missing'), join(dir.dir, 'dangling'));
  user.program('firewall-drop', '#!/bin/sh\n');
  await assert.rejects(resolveProgram('firewall-drop', [dir.dir, user.dir]), rejectsWith('RIPOSTE_ERR_EXEC_REFUSED'));
  await assert.rejects(resolveProgram('sh', [dir.dir]), rejectsWith('RIPOSTE_ERR_EXEC_REFUSED'));
  await assert.rejects(resolveProgram('dangling', [dir.dir, user.dir]), rejectsWith('RIPOSTE_ERR_EXEC_REFUSED'));
  // A directory that is itself a symlink is fine: containment is checked on real paths.
  const linkedDir = join(outside.dir, 'linked');
  symlinkSync(user.dir, linkedDir);
  assert.equal(await resolveProgram('firewall-drop', [linkedDir]), realpathSync(join(user.dir, 'firewall-drop')));
});

test('resolveProgram() accepts a symlink to a program inside the same directory', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const real = sb.program('firewall-drop', '#!/bin/sh\n');
  symlinkSync('firewall-drop', join(sb.dir, 'fw'));
  assert.equal(await resolveProgram('fw', [sb.dir]), realpathSync(real));
});

test('resolveProgram() requires a regular executable file not writable by others', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  sb.program('plain', '#!/bin/sh\n', 0o644);
  sb.program('open', '#!/bin/sh\n', 0o757);
  mkdirSync(join(sb.dir, 'adir'));
  writeFileSync(join(sb.dir, 'fine'), '#!/bin/sh\n', { mode: 0o750 });
  await assert.rejects(resolveProgram('plain', [sb.dir]), rejectsWith('RIPOSTE_ERR_EXEC_REFUSED'));
  await assert.rejects(resolveProgram('open', [sb.dir]), rejectsWith('RIPOSTE_ERR_EXEC_REFUSED'));
  await assert.rejects(resolveProgram('adir', [sb.dir]), rejectsWith('RIPOSTE_ERR_EXEC_REFUSED'));
  assert.equal(await resolveProgram('fine', [sb.dir]), realpathSync(join(sb.dir, 'fine')));
});

/** A root-owned 0700 scratch directory whose name says whose it is (parallel engineers). */
function strictSandbox(): ReturnType<typeof sandbox> {
  return sandbox('riposte-rpconfig-strict-');
}

// StrictModes: uid/gid 65534 (nobody/nogroup) stand for "a non-root user/group"; chown to a
// number needs no account to exist.
const NOBODY = 65534;

test('resolveProgram() refuses a program owned by a non-root user, naming the file, its owner and mode', async (t) => {
  const sb = strictSandbox();
  t.after(() => sb.dispose());
  const p = sb.program('mine', '#!/bin/sh\n', 0o755);
  chownSync(p, NOBODY, 0);
  await assert.rejects(resolveProgram('mine', [sb.dir]), (e: unknown) => {
    assert.ok(e instanceof RiposteError && e.code === 'RIPOSTE_ERR_EXEC_REFUSED', String(e));
    assert.match(e.message, new RegExp(`${realpathSync(p)} is owned by a non-root user \\(owner uid ${NOBODY}, group gid 0, mode 0755\\)`));
    return true;
  });
});

test('resolveProgram() refuses a program group-writable by a non-root group, accepts one of group root', async (t) => {
  const sb = strictSandbox();
  t.after(() => sb.dispose());
  const p = sb.program('grp', '#!/bin/sh\n', 0o775);
  chownSync(p, 0, NOBODY);
  chmodSync(p, 0o775);
  await assert.rejects(resolveProgram('grp', [sb.dir]), /writable by a non-root group \(owner uid 0, group gid 65534, mode 0775\)/);
  chownSync(p, 0, 0);
  chmodSync(p, 0o775);
  assert.equal(await resolveProgram('grp', [sb.dir]), realpathSync(p));
});

test('resolveProgram() refuses a program in a world-writable (1777) response directory or below a non-root one', async (t) => {
  const sb = strictSandbox();
  t.after(() => sb.dispose());
  const open = join(sb.dir, 'open');
  mkdirSync(open);
  chmodSync(open, 0o1777);
  writeFileSync(join(open, 'prog'), '#!/bin/sh\n', { mode: 0o755 });
  await assert.rejects(resolveProgram('prog', [open]), new RegExp(`directory ${realpathSync(open)} is writable by others \\(owner uid 0, group gid 0, mode 01777\\)`));
  // A response directory inside a directory a non-root user owns: that user can swap it.
  const theirs = join(sb.dir, 'theirs');
  mkdirSync(join(theirs, 'bin'), { recursive: true });
  writeFileSync(join(theirs, 'bin', 'prog'), '#!/bin/sh\n', { mode: 0o755 });
  chownSync(theirs, NOBODY, NOBODY);
  await assert.rejects(resolveProgram('prog', [join(theirs, 'bin')]), /parent directory .*theirs is owned by a non-root user/);
  // A group-writable directory of a non-root group inside the response directory (through a symlink).
  const sub = join(sb.dir, 'resp');
  mkdirSync(join(sub, 'lib'), { recursive: true });
  writeFileSync(join(sub, 'lib', 'real-prog'), '#!/bin/sh\n', { mode: 0o755 });
  symlinkSync('lib/real-prog', join(sub, 'prog'));
  assert.equal(await resolveProgram('prog', [sub]), realpathSync(join(sub, 'lib', 'real-prog')));
  chownSync(join(sub, 'lib'), 0, NOBODY);
  chmodSync(join(sub, 'lib'), 0o775);
  await assert.rejects(resolveProgram('prog', [sub]), /directory .*resp\/lib is writable by a non-root group/);
});

test('resolveProgram() accepts a root-owned response directory below the sticky /tmp', async (t) => {
  const sb = strictSandbox();
  t.after(() => sb.dispose());
  // tmpdir() is /tmp (mode 1777) here: the sticky bit keeps others from renaming the sandbox.
  assert.equal((statSync(tmpdir()).mode & 0o1000) !== 0, true, 'the test needs a sticky temporary directory');
  const p = sb.program('ok', '#!/bin/sh\n');
  assert.equal(await resolveProgram('ok', [sb.dir]), realpathSync(p));
  // Without the sticky bit a world-writable parent is refused.
  const parent = join(sb.dir, 'parent');
  mkdirSync(join(parent, 'bin'), { recursive: true });
  writeFileSync(join(parent, 'bin', 'ok'), '#!/bin/sh\n', { mode: 0o755 });
  chmodSync(parent, 0o777);
  await assert.rejects(resolveProgram('ok', [join(parent, 'bin')]), /parent directory .*parent is writable by others/);
});
