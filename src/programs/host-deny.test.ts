import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXIT } from './_contract.ts';
import { withLock } from './_lockfile.ts';
import { addDeny, denyLine, lineAddress, removeDeny } from './host-deny.ts';
import { arMessage, runResponse } from './_testkit.ts';

const v4 = (ip: string) => ({ ip, family: 4 as const });

describe('hosts.deny text', () => {
  test('denyLine() brackets IPv6', () => {
    assert.equal(denyLine(v4('192.0.2.1')), 'ALL: 192.0.2.1');
    assert.equal(denyLine({ ip: '2001:db8::1', family: 6 }), 'ALL: [2001:db8::1]');
  });

  test('lineAddress() reads Riposte\'s and Wazuh\'s lines and nothing else', () => {
    assert.equal(lineAddress('ALL: 192.0.2.1'), '192.0.2.1');
    assert.equal(lineAddress('ALL:192.0.2.1'), '192.0.2.1');
    assert.equal(lineAddress('  ALL : [2001:DB8::1]  \r'), '2001:db8::1');
    assert.equal(lineAddress('ALL:2001:db8::1'), '2001:db8::1');
    for (const other of ['# ALL: 192.0.2.1', 'sshd: 192.0.2.1', 'ALL: 192.0.2.1 192.0.2.2', 'ALL: 192.0.2.', 'ALL: .example.com', 'ALL EXCEPT sshd: 192.0.2.1', '']) {
      assert.equal(lineAddress(other), null, other);
    }
  });

  test('addDeny() is exact: an existing 10.0.0.10 does not hide 10.0.0.1 (Wazuh\'s substring bug)', () => {
    assert.equal(addDeny('ALL: 10.0.0.10\n', v4('10.0.0.1')), 'ALL: 10.0.0.10\nALL: 10.0.0.1\n');
    assert.equal(addDeny('ALL:10.0.0.1\n', v4('10.0.0.1')), null);
    assert.equal(addDeny('', v4('10.0.0.1')), 'ALL: 10.0.0.1\n');
    assert.equal(addDeny('# no newline', v4('10.0.0.1')), '# no newline\nALL: 10.0.0.1\n');
  });

  test('removeDeny() removes exactly that address, all its copies, and keeps every other line', () => {
    const text = '# comment\nALL: 10.0.0.1\nALL: 10.0.0.10\nsshd: 10.0.0.1\nALL:10.0.0.1\n';
    assert.equal(removeDeny(text, v4('10.0.0.1')), '# comment\nALL: 10.0.0.10\nsshd: 10.0.0.1\n');
    assert.equal(removeDeny(text, v4('10.0.0.2')), null);
  });
});

describe('host-deny as a process, on a temporary file', () => {
  let dir = '';
  let file = '';
  let env: NodeJS.ProcessEnv = {};
  const run = (command: string, srcip: string) => runResponse('host-deny', { line: arMessage(command, { data: { srcip } }, [], 'host-deny'), env });
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'riposte-hostdeny-'));
    file = path.join(dir, 'hosts.deny');
    env = { ...process.env, RIPOSTE_HOSTS_DENY: file };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('add and delete edit the file exactly, keeping other lines and the mode', async () => {
    writeFileSync(file, '# /etc/hosts.deny\nALL: 10.0.0.10\nsshd: 198.51.100.7\n');
    chmodSync(file, 0o640);
    const add = await run('add', '10.0.0.1');
    assert.equal(add.code, EXIT.OK, add.stderr);
    assert.deepEqual(add.keys, ['10.0.0.1']);
    const add6 = await run('add', '2001:db8::5');
    assert.equal(add6.code, EXIT.OK, add6.stderr);
    assert.equal(readFileSync(file, 'utf8'), '# /etc/hosts.deny\nALL: 10.0.0.10\nsshd: 198.51.100.7\nALL: 10.0.0.1\nALL: [2001:db8::5]\n');
    assert.equal(statSync(file).mode & 0o777, 0o640);

    assert.equal((await run('add', '10.0.0.1')).code, EXIT.OK);
    assert.equal(readFileSync(file, 'utf8').split('ALL: 10.0.0.1\n').length, 2, 'no duplicate line');

    assert.equal((await run('delete', '10.0.0.1')).code, EXIT.OK);
    assert.equal((await run('delete', '2001:db8::5')).code, EXIT.OK);
    assert.equal(readFileSync(file, 'utf8'), '# /etc/hosts.deny\nALL: 10.0.0.10\nsshd: 198.51.100.7\n');
    const again = await run('delete', '10.0.0.1');
    assert.equal(again.code, EXIT.OK);
    assert.match(again.stderr, /nothing to do/);
    assert.ok(!existsSync(`${file}.riposte-lock`), 'the lock is released');
  });

  test('a missing file is created on add; a symbolic link stays a link', async () => {
    rmSync(file, { force: true });
    assert.equal((await run('delete', '192.0.2.3')).code, EXIT.OK);
    assert.ok(!existsSync(file), 'delete does not create the file');
    const real = path.join(dir, 'real.deny');
    writeFileSync(real, '');
    symlinkSync(real, file);
    assert.equal((await run('add', '192.0.2.3')).code, EXIT.OK);
    assert.equal(readFileSync(real, 'utf8'), 'ALL: 192.0.2.3\n');
    assert.ok(statSync(file).isFile() && readFileSync(file, 'utf8') === readFileSync(real, 'utf8'));
    rmSync(file);
  });

  test('concurrent adds all land (the lock serialises them)', async () => {
    writeFileSync(file, '');
    const ips = Array.from({ length: 8 }, (_, i) => `203.0.113.${i + 1}`);
    const outs = await Promise.all(ips.map((ip) => run('add', ip)));
    for (const o of outs) assert.equal(o.code, EXIT.OK, o.stderr);
    const lines = readFileSync(file, 'utf8').trim().split('\n').sort();
    assert.deepEqual(lines, ips.map((ip) => `ALL: ${ip}`).sort());
  });

  test('a lock left by a dead process is taken over at once', async () => {
    writeFileSync(file, '');
    writeFileSync(`${file}.riposte-lock`, '999999999');
    const started = Date.now();
    const out = await run('add', '192.0.2.4');
    assert.equal(out.code, EXIT.OK, out.stderr);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(readFileSync(file, 'utf8'), 'ALL: 192.0.2.4\n');
  });

  test('withLock() gives up on a live holder after its wait', async () => {
    const lock = path.join(dir, 'held.lock');
    writeFileSync(lock, String(process.pid));
    await assert.rejects(withLock(lock, async () => 1, { waitMs: 200 }), /held by another process/);
    assert.equal(await withLock(lock, async () => 2, { waitMs: 200, staleMs: 0 }), 2);
    assert.ok(!existsSync(lock));
  });

  test('an invalid address exits 2 and leaves the file alone', async () => {
    writeFileSync(file, 'ALL: 192.0.2.4\n');
    const out = await run('add', 'ALL');
    assert.equal(out.code, EXIT.INVALID_INPUT);
    assert.equal(readFileSync(file, 'utf8'), 'ALL: 192.0.2.4\n');
  });
});
