import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import { EXIT } from './_contract.ts';
import { hasName, parsePid, readIdentity } from './kill-process.ts';
import { arMessage, runResponse } from './_testkit.ts';

const onLinux = process.platform === 'linux' ? false : 'needs /proc (Linux)';

test('parsePid() accepts decimal pids in range only', () => {
  assert.equal(parsePid('4242'), 4242);
  assert.equal(parsePid(4242), 4242);
  for (const bad of ['0', '-1', '042', '1e3', '4194305', ' 12', 12.5, null, '']) assert.throws(() => parsePid(bad), /Invalid pid/, String(bad));
});

test('hasName() matches comm (truncated to 15 bytes), the executable and argv[0]', () => {
  const p = { pid: 9, startTime: '1', comm: 'very-long-daemo', exe: '/usr/sbin/very-long-daemon', argv0: '/opt/x/launcher', zombie: false };
  assert.ok(hasName(p, 'very-long-daemon'));
  assert.ok(hasName(p, 'very-long-daemo'));
  assert.ok(hasName(p, 'launcher'));
  assert.ok(hasName(p, '/usr/sbin/very-long-daemon'));
  assert.ok(!hasName(p, 'sshd'));
  assert.ok(!hasName(p, '/usr/bin/very-long-daemon'));
});

describe('kill-process on child processes', { skip: onLinux }, () => {
  const children: ChildProcess[] = [];
  const child = (cmd: string, args: string[]) => {
    const c = spawn(cmd, args, { stdio: 'ignore' });
    children.push(c);
    return c;
  };
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  const run = (data: object, extra: string[] = []) => runResponse('kill-process', { line: arMessage('add', { data }, extra, 'kill-process') });

  test('readIdentity() sees a child and its name', async () => {
    const c = child('sleep', ['300']);
    await once(c, 'spawn');
    // The exec of sleep may lag the spawn event by a moment.
    let id = await readIdentity(c.pid as number);
    for (let i = 0; i < 50 && id?.comm !== 'sleep'; i++) id = await readIdentity(c.pid as number);
    assert.equal(id?.comm, 'sleep');
    assert.ok(id !== null && hasName(id, 'sleep'));
    assert.equal(await readIdentity(4194304), null);
    c.kill('SIGKILL');
  });

  test('add ends the process with SIGTERM when its name matches', async () => {
    const c = child('sleep', ['300']);
    await once(c, 'spawn');
    const exited = once(c, 'exit');
    const out = await run({ pid: String(c.pid), process: 'sleep' });
    assert.equal(out.code, EXIT.OK, out.stderr);
    assert.deepEqual(out.keys, [String(c.pid)]);
    const [, signal] = await exited;
    assert.equal(signal, 'SIGTERM');
  });

  test('a process that ignores SIGTERM gets SIGKILL after the grace time', async () => {
    const c = child('sh', ['-c', 'trap "" TERM; while :; do sleep 1; done']);
    await once(c, 'spawn');
    const exited = once(c, 'exit');
    const out = await run({ pid: c.pid }, ['--grace', '1', '--name', 'sh']);
    assert.equal(out.code, EXIT.OK, out.stderr);
    assert.match(out.stderr, /then SIGKILL after 1s/);
    const [, signal] = await exited;
    assert.equal(signal, 'SIGKILL');
  });

  test('a name mismatch is refused with exit 3 and the process lives on', async () => {
    const c = child('sleep', ['300']);
    await once(c, 'spawn');
    await new Promise((r) => setTimeout(r, 100));
    const out = await run({ pid: c.pid, process: 'sshd' });
    assert.equal(out.code, EXIT.REFUSED);
    assert.equal(out.keys, null, 'refused before the handshake');
    assert.match(out.stderr, /not "sshd"/);
    assert.equal(c.exitCode, null);
    assert.equal(c.signalCode, null);
    assert.ok(process.kill(c.pid as number, 0));
  });

  test('pid 1 and the executor (its parent) are refused before the handshake', async () => {
    for (const pid of [1, process.pid]) {
      const out = await run({ pid });
      assert.equal(out.code, EXIT.REFUSED, String(pid));
      assert.equal(out.keys, null);
    }
  });

  test('a pid that no longer exists is nothing to do; delete never signals', async () => {
    const gone = await run({ pid: 4194304 });
    assert.equal(gone.code, EXIT.OK, gone.stderr);
    assert.match(gone.stderr, /No process 4194304/);
    const c = child('sleep', ['300']);
    await once(c, 'spawn');
    const del = await runResponse('kill-process', { line: arMessage('delete', { data: { pid: c.pid, process: 'not-sleep' } }, [], 'kill-process') });
    assert.equal(del.code, EXIT.OK);
    assert.ok(process.kill(c.pid as number, 0));
  });

  test('bad arguments are invalid input', async () => {
    assert.equal((await run({})).code, EXIT.INVALID_INPUT);
    assert.equal((await run({ pid: '12; kill 1' })).code, EXIT.INVALID_INPUT);
    assert.equal((await run({ pid: 4194304 }, ['--signal', 'STOP'])).code, EXIT.INVALID_INPUT);
  });
});
