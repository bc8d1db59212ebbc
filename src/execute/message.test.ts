import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertV1 } from '../decide/types.ts';
import { RiposteError } from '../errors.ts';
import { command, decision } from './_programs.ts';
import { buildArMessage, formatAlertTimestamp, handshakeKey, legacyArgs, MAX_MESSAGE_BYTES, toAlertJson, type AlertJson } from './message.ts';

const ALERT: AlertV1 = {
  id: '1700000000.1',
  time: 1_700_000_000.25,
  agentId: '001',
  rule: { id: 5712, level: 10, groups: 'syslog,sshd,authentication_failures,pci_dss_11.4,', noAr: false },
  data: { srcip: '203.0.113.7', dstuser: 'admin', 'win.eventdata.logonType': '3' },
  location: '/var/log/auth.log',
  fullLog: 'sshd[1]: brute force',
};

function alertJson(data: Record<string, unknown>, extra: Record<string, unknown> = {}): AlertJson {
  return { timestamp: '2023-11-14T22:13:20.000+0000', rule: { level: 10, description: 'x', id: '5712', groups: ['sshd'] }, agent: { id: '001', name: 'web01' }, id: '1700000000.1', full_log: 'line', data, location: '/var/log/auth.log', ...extra };
}

test('toAlertJson() gives the alerts.json layout with nested data', () => {
  const a = toAlertJson(ALERT, { agentName: 'web01', ruleDescription: 'sshd: brute force', managerName: 'mgr', decoderName: 'sshd' });
  assert.deepEqual(Object.keys(a), ['timestamp', 'rule', 'agent', 'manager', 'id', 'full_log', 'decoder', 'data', 'location']);
  assert.deepEqual(a['rule'], { level: 10, description: 'sshd: brute force', id: '5712', groups: ['syslog', 'sshd', 'authentication_failures'] });
  assert.deepEqual(a['agent'], { id: '001', name: 'web01' });
  assert.equal(JSON.stringify(a['data']), '{"srcip":"203.0.113.7","dstuser":"admin","win":{"eventdata":{"logonType":"3"}}}');
  assert.equal(a['full_log'], 'sshd[1]: brute force');
  assert.equal(a['location'], '/var/log/auth.log');
  // The timestamp is the alert's time (local time with its offset).
  const ts = a['timestamp'] as string;
  assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.250[+-]\d{4}$/);
  assert.equal(Date.parse(ts.replace(/(\d\d)(\d\d)$/, '$1:$2')), 1_700_000_000_250);
});

test('toAlertJson() keeps log-named keys such as __proto__ as plain data', () => {
  const a = toAlertJson({ ...ALERT, data: { '__proto__.polluted': 'yes', 'a.b': '1', a: 'clash' } });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(JSON.stringify(a['data']), '{"__proto__":{"polluted":"yes"},"a":{"b":"1"}}');
});

test('formatAlertTimestamp() round-trips to the same instant', () => {
  const d = new Date(2024, 6, 1, 12, 30, 45, 7);
  const s = formatAlertTimestamp(d);
  assert.match(s, /^2024-07-01T12:30:45\.007[+-]\d{4}$/);
  assert.equal(Date.parse(s.replace(/(\d\d)(\d\d)$/, '$1:$2')), d.getTime());
});

test('buildArMessage() builds the JSON execd writes (key order, origin, program, extra_args)', () => {
  const cmd = command({ extraArgs: ['-a', 'b'] });
  const msg = buildArMessage(decision(), alertJson({ srcip: '203.0.113.7' }), cmd, 'add');
  const text = JSON.stringify(msg);
  assert.ok(text.startsWith('{"version":1,"origin":{"name":"","module":"wazuh-execd"},"command":"add","parameters":{"extra_args":["-a","b"],"alert":{'), text);
  assert.ok(text.endsWith('},"program":"active-response/bin/firewall-drop"}}'), text);
  assert.deepEqual(Object.keys(msg.parameters), ['extra_args', 'alert', 'program']);
  assert.equal(buildArMessage(decision(), alertJson({}), cmd, 'delete', { originName: 'node01' }).origin.name, 'node01');
  assert.equal(buildArMessage(decision(), alertJson({}), cmd, 'delete').command, 'delete');
});

test('buildArMessage() puts the validated target where the programs read it', () => {
  const cmd = command();
  const ip = decision({ kind: 'ip', value: '203.0.113.7' });
  const data = (a: AlertJson, d = ip) => buildArMessage(d, a, cmd, 'add').parameters.alert['data'];
  // srcip as decoded (IPv4-mapped) → canonical form.
  assert.deepEqual(data(alertJson({ srcip: '::ffff:203.0.113.7', dstuser: 'bob' })), { srcip: '203.0.113.7', dstuser: 'bob' });
  // The Windows field read first is the one replaced; the others stay as they were.
  assert.deepEqual(data(alertJson({ srcip: '10.0.0.1', win: { eventdata: { ipAddress: '::ffff:203.0.113.7', destinationIp: '10.0.0.2' } } })), { srcip: '10.0.0.1', win: { eventdata: { ipAddress: '203.0.113.7', destinationIp: '10.0.0.2' } } });
  assert.deepEqual(data(alertJson({ win: { eventdata: { destinationIp: '203.000.113.007' } } })), { win: { eventdata: { destinationIp: '203.0.113.7' } } });
  // No field at all (e.g. an API decision): srcip is added.
  assert.deepEqual(data(alertJson({})), { srcip: '203.0.113.7' });
  assert.deepEqual(buildArMessage(ip, alertJson({}, { data: 'not an object' }), cmd, 'add').parameters.alert['data'], { srcip: '203.0.113.7' });
  // A user target sets dstuser.
  assert.deepEqual(data(alertJson({ srcip: '10.0.0.1', dstuser: 'Bob' }), decision({ kind: 'user', value: 'bob' })), { srcip: '10.0.0.1', dstuser: 'bob' });
  // The caller's alert is not modified.
  const original = alertJson({ srcip: '::ffff:203.0.113.7' });
  buildArMessage(ip, original, cmd, 'add');
  assert.deepEqual(original['data'], { srcip: '::ffff:203.0.113.7' });
});

test('buildArMessage() keeps the line under 64 KiB: shortens full_log, then cuts the alert down', () => {
  const cmd = command();
  const long = buildArMessage(decision(), alertJson({ srcip: '203.0.113.7' }, { full_log: 'é'.repeat(100_000) }), cmd, 'add');
  const size = Buffer.byteLength(JSON.stringify(long));
  assert.ok(size <= MAX_MESSAGE_BYTES && size > MAX_MESSAGE_BYTES - 64, String(size));
  assert.match(long.parameters.alert['full_log'] as string, /^é+$/);
  assert.equal((long.parameters.alert['data'] as Record<string, unknown>)['srcip'], '203.0.113.7');

  const huge = buildArMessage(decision(), alertJson({ srcip: '1.2.3.4', url: 'x'.repeat(70_000) }, { previous_output: 'y' }), cmd, 'add');
  assert.ok(Buffer.byteLength(JSON.stringify(huge)) <= MAX_MESSAGE_BYTES);
  assert.deepEqual(Object.keys(huge.parameters.alert), ['timestamp', 'rule', 'agent', 'id', 'location', 'full_log', 'data']);
  assert.deepEqual(huge.parameters.alert['data'], { srcip: '203.0.113.7' });

  assert.throws(
    () => buildArMessage(decision(), alertJson({}, { location: 'z'.repeat(70_000) }), cmd, 'add'),
    (e: unknown) => e instanceof RiposteError && e.code === 'RIPOSTE_ERR_EXEC_MESSAGE',
  );
});

test('legacyArgs() gives the positional arguments of agents before 4.2', () => {
  const a = alertJson({ srcip: '203.0.113.7' }, { location: '(web01) any->/var/log/secure' });
  assert.deepEqual(legacyArgs(decision(), a, command(), 'add'), ['add', '-', '203.0.113.7', '1700000000.1', '5712', '(web01) any->/var/log/secure', '-']);
  assert.deepEqual(legacyArgs(decision({ kind: 'user', value: 'bob' }), a, command({ extraArgs: ['x'] }), 'delete'), ['delete', 'bob', '-', '1700000000.1', '5712', '(web01) any->/var/log/secure', '-', 'x']);
  const fim = alertJson({}, { syscheck: { path: '/etc/passwd' }, location: 'syscheck' });
  assert.equal(legacyArgs(decision(), fim, command(), 'add')[6], '/etc/passwd');
  assert.equal(legacyArgs(decision(), alertJson({}, { location: '' }), command(), 'add')[5], '-');
});

test('handshakeKey() is the base name of the program plus -key per key, at most 4095 bytes', () => {
  assert.equal(handshakeKey('active-response/bin/firewall-drop', ['1.2.3.4']), 'firewall-drop-1.2.3.4');
  assert.equal(handshakeKey('/opt/x/host-deny', ['a', 'b']), 'host-deny-a-b');
  assert.equal(handshakeKey('p', []), 'p');
  assert.equal(handshakeKey('p', ['k'.repeat(5000)]).length, 4095);
});
