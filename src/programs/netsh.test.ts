import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXIT } from './_contract.ts';
import { netshAddArgs, netshDeleteArgs, netshPath, netshShowArgs, ruleName } from './netsh.ts';
import { arMessage, runResponse } from './_testkit.ts';

const v4 = { ip: '192.0.2.50', family: 4 as const };
const v6 = { ip: '2001:db8::50', family: 6 as const };

test('netshAddArgs() blocks both directions, /32 for IPv4 and /128 for IPv6', () => {
  assert.deepEqual(netshAddArgs(v4, 'in'), ['advfirewall', 'firewall', 'add', 'rule', 'name=RIPOSTE BLOCKED 192.0.2.50', 'dir=in', 'action=block', 'remoteip=192.0.2.50/32']);
  assert.deepEqual(netshAddArgs(v4, 'out'), ['advfirewall', 'firewall', 'add', 'rule', 'name=RIPOSTE BLOCKED 192.0.2.50', 'dir=out', 'action=block', 'remoteip=192.0.2.50/32']);
  assert.deepEqual(netshAddArgs(v6, 'in').at(-1), 'remoteip=2001:db8::50/128');
});

test('netshDeleteArgs() and netshShowArgs() use the same rule name', () => {
  assert.equal(ruleName(v6), 'RIPOSTE BLOCKED 2001:db8::50');
  assert.deepEqual(netshDeleteArgs(v4), ['advfirewall', 'firewall', 'delete', 'rule', 'name=RIPOSTE BLOCKED 192.0.2.50']);
  assert.deepEqual(netshShowArgs(v6, 'out'), ['advfirewall', 'firewall', 'show', 'rule', 'name=RIPOSTE BLOCKED 2001:db8::50', 'dir=out']);
});

test('netshPath() comes from SystemRoot', () => {
  assert.equal(netshPath({ SystemRoot: 'D:\\Win' }), 'D:\\Win\\System32\\netsh.exe');
  assert.equal(netshPath({}), 'C:\\Windows\\System32\\netsh.exe');
});

test('netsh on another system exits 4 before the handshake', { skip: process.platform === 'win32' ? 'runs on Windows' : false }, async () => {
  const out = await runResponse('netsh', { line: arMessage('add', { data: { srcip: '192.0.2.50' } }, [], 'netsh') });
  assert.equal(out.code, EXIT.UNAVAILABLE);
  assert.equal(out.keys, null);
  assert.match(out.stderr, /netsh is for Windows only/);
  const bad = await runResponse('netsh', { line: arMessage('add', { data: { srcip: 'host.example' } }, [], 'netsh') });
  assert.equal(bad.code, EXIT.INVALID_INPUT, 'the address is checked first');
});
