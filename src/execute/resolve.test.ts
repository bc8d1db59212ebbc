import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
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
