import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXIT } from './_contract.ts';
import { checkUnit, restartArgs } from './restart.ts';
import { arMessage, runResponse } from './_testkit.ts';

test('checkUnit() accepts systemd unit names only', () => {
  for (const ok of ['nginx', 'nginx.service', 'getty@tty1.service', 'dev-sda1.device', 'a:b_c\\x2d.mount']) assert.equal(checkUnit(ok), ok);
  for (const bad of ['', '-nginx', '--now', '.hidden', 'a b', 'a/b', 'a;b', '$(x)', 'é.service', 'x'.repeat(256)]) {
    assert.throws(() => checkUnit(bad), /Invalid unit name/, bad);
  }
});

test('restartArgs() ends the options before the unit', () => {
  assert.deepEqual(restartArgs('nginx.service'), ['restart', '--', 'nginx.service']);
});

describe('restart as a process, with a stand-in systemctl', () => {
  let dir = '';
  let record = '';
  let env: NodeJS.ProcessEnv = {};
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'riposte-restart-'));
    record = path.join(dir, 'argv');
    // Records its arguments one per line; fails when asked to restart "broken.service".
    writeFileSync(path.join(dir, 'systemctl'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n[ "$3" = broken.service ] && { echo 'Job failed' >&2; exit 5; }\nexit 0\n`);
    chmodSync(path.join(dir, 'systemctl'), 0o755);
    env = { ...process.env, RIPOSTE_TOOL_PATH: dir };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (command: string, extra: string[]) => runResponse('restart', { line: arMessage(command, {}, extra, 'restart'), env });

  test('add runs systemctl restart -- <unit>, from --unit or a bare word', async () => {
    for (const extra of [['--unit', 'nginx.service'], ['nginx.service']]) {
      rmSync(record, { force: true });
      const out = await run('add', extra);
      assert.equal(out.code, EXIT.OK, out.stderr);
      assert.deepEqual(out.keys, ['nginx.service']);
      assert.equal(readFileSync(record, 'utf8'), 'restart\n--\nnginx.service\n');
    }
  });

  test('a failing restart exits 1 with systemctl\'s message', async () => {
    const out = await run('add', ['--unit', 'broken.service']);
    assert.equal(out.code, EXIT.FAILED);
    assert.match(out.stderr, /exit 5\): Job failed/);
  });

  test('an invalid or missing unit exits 2 and systemctl is never run', async () => {
    rmSync(record, { force: true });
    for (const extra of [['--unit', '-x'], ['--unit=a;b'], [], ['a.service', 'b.service'], ['--unit', 'a.service', 'b.service']]) {
      const out = await run('add', extra);
      assert.equal(out.code, EXIT.INVALID_INPUT, extra.join(' '));
      assert.equal(out.keys, null);
    }
    assert.ok(!existsSync(record));
  });

  test('delete has nothing to revert', async () => {
    rmSync(record, { force: true });
    const out = await run('delete', ['--unit', 'nginx.service']);
    assert.equal(out.code, EXIT.OK);
    assert.ok(!existsSync(record));
  });
});
