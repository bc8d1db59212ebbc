import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alert, ar, cmd } from './_fixtures.ts';
import { badUserReason, checkIpTarget, extractTarget, isTargetRefusal, quote, wantsUser } from './target.ts';
import type { Target } from './types.ts';
import type { TargetRefusal } from './target.ts';

const fw = cmd();
const lock = cmd({ name: 'disable-account', executable: 'disable-account', expect: ['user'] });
const resp = ar();

function ip(data: Record<string, string>): Target | TargetRefusal {
  return extractTarget(alert(data), resp, fw);
}
function user(data: Record<string, string>, command = lock): Target | TargetRefusal {
  return extractTarget(alert(data), resp, command);
}
function refusal(t: Target | TargetRefusal): string {
  assert.ok(isTargetRefusal(t), `expected a refusal, got ${JSON.stringify(t)}`);
  return t.refusal;
}

test('extractTarget() IP from srcip, canonical', () => {
  assert.deepEqual(ip({ srcip: '203.0.113.7' }), { kind: 'ip', value: '203.0.113.7' });
  assert.deepEqual(ip({ srcip: '2001:DB8:0::1' }), { kind: 'ip', value: '2001:db8::1' });
  assert.deepEqual(ip({ srcip: '::ffff:203.0.113.7' }), { kind: 'ip', value: '203.0.113.7' });
});

test('extractTarget() field order: win ipAddress, then win destinationIp, then srcip', () => {
  const all = { 'win.eventdata.ipAddress': '198.51.100.1', 'win.eventdata.destinationIp': '198.51.100.2', srcip: '198.51.100.3' };
  assert.deepEqual(ip(all), { kind: 'ip', value: '198.51.100.1' });
  assert.deepEqual(ip({ 'win.eventdata.destinationIp': '198.51.100.2', srcip: '198.51.100.3' }), { kind: 'ip', value: '198.51.100.2' });
});

test('extractTarget() the first present field decides even when invalid (no fallback to srcip)', () => {
  assert.equal(refusal(ip({ 'win.eventdata.ipAddress': '-', srcip: '198.51.100.3' })), 'invalid_target');
});

test('extractTarget() no IP field → no_target', () => {
  assert.equal(refusal(ip({ dstuser: 'bob' })), 'no_target');
  assert.equal(refusal(ip({})), 'no_target');
});

test('extractTarget() hostile IP values → invalid_target', () => {
  const hostile = [
    '1.2.3.4 5.6.7.8',
    '1.2.3.4;rm -rf /',
    '1.2.3.4|id',
    '$(reboot)',
    '`id`',
    '1.2.3.4\n5.6.7.8',
    '1.2.3.4\r',
    '1.2.3.4,5.6.7.8',
    '../../etc/passwd',
    'fe80::1%eth0',
    '192.030.0.6',
    '127.1',
    '0x7f.0.0.1',
    '10.0.0.0/8',
    'evil.example.com',
    '',
    ' 1.2.3.4',
    '-1.2.3.4',
    '::ffff:1.2.3.4%1',
    '1.2.3.4\u0000',
  ];
  for (const v of hostile) {
    // Put the hostile value in a field the crafted-srcip check does not see, to test the parser itself.
    const t = ip({ 'win.eventdata.ipAddress': v });
    assert.equal(refusal(t), 'invalid_target', JSON.stringify(v));
    assert.ok(!(t as TargetRefusal).detail.includes('\n'), 'details never carry a raw newline');
  }
});

test('extractTarget() the unspecified address is refused', () => {
  assert.equal(refusal(ip({ srcip: '0.0.0.0' })), 'invalid_target');
  assert.equal(refusal(ip({ srcip: '::' })), 'invalid_target');
  assert.equal(refusal(ip({ srcip: '::ffff:0.0.0.0' })), 'invalid_target');
});

test('extractTarget() analysisd crafted-field checks skip every response', () => {
  // A crafted dstuser refuses even an IP response (analysisd skips all ARs of the alert).
  assert.equal(refusal(ip({ srcip: '203.0.113.7', dstuser: 'a b' })), 'invalid_target');
  assert.equal(refusal(ip({ srcip: '203.0.113.7', dstuser: 'DOMAIN\\bob' })), 'invalid_target');
  // A crafted srcip refuses even a user response.
  assert.equal(refusal(user({ srcip: '1.2.3.4;id', dstuser: 'bob' })), 'invalid_target');
  // A hostname srcip passes analysisd's charset; the user response goes ahead.
  assert.deepEqual(user({ srcip: 'host.example', dstuser: 'bob' }), { kind: 'user', value: 'bob' });
});

test('extractTarget() user targets for expect=user or the disable-account executable', () => {
  assert.deepEqual(user({ dstuser: 'bob.smith@corp' }), { kind: 'user', value: 'bob.smith@corp' });
  const byExe = cmd({ name: 'lock', executable: 'disable-account', expect: [] });
  assert.deepEqual(user({ dstuser: 'bob', srcip: '1.2.3.4' }, byExe), { kind: 'user', value: 'bob' });
  assert.equal(refusal(user({ srcip: '1.2.3.4' })), 'no_target');
});

test('extractTarget() hostile user values → invalid_target', () => {
  const hostile = ['', 'root', '-rf', '+x', '~bob', 'a:b', 'a,b', 'a b', 'a\tb', 'a\nb', 'a/b', 'a\\b', '..', 'a..b', '../etc', 'r??t', '$(id)', '`id`', 'a;b', 'x'.repeat(257), 'bøb'];
  for (const v of hostile) assert.equal(refusal(user({ dstuser: v })), 'invalid_target', JSON.stringify(v));
  assert.deepEqual(user({ dstuser: 'x'.repeat(256) }), { kind: 'user', value: 'x'.repeat(256) });
  assert.deepEqual(user({ dstuser: 'Root' }), { kind: 'user', value: 'Root' }, 'only the exact name root is refused');
});

test('wantsUser() mirrors the case-insensitive substring test on <expect>', () => {
  assert.equal(wantsUser(cmd({ expect: ['USER'] })), true);
  assert.equal(wantsUser(cmd({ expect: ['srcip'] })), false);
  assert.equal(wantsUser(cmd({ executable: 'disable-account.sh', expect: [] })), true);
  assert.equal(wantsUser(cmd({ executable: 'my-disable-account', expect: [] })), false);
});

test('badUserReason() names the rule that failed', () => {
  assert.equal(badUserReason('bob'), null);
  assert.equal(badUserReason('root'), 'is root');
  assert.match(badUserReason('a..b') ?? '', /\.\./);
});

test('quote() escapes control and non-ASCII characters and truncates', () => {
  assert.equal(quote('a\nb'), '"a\\nb"');
  assert.equal(quote('x\u2028y'), '"x\\u2028y"');
  assert.equal(quote('é'), '"\\u00e9"');
  const long = quote('y'.repeat(100));
  assert.equal(long, `"${'y'.repeat(64)}"...`);
});

test('extractTarget() refuses addresses that are not one host: multicast, broadcast, link-local, unspecified', () => {
  const notHosts: Array<[string, RegExp]> = [
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['::ffff:224.0.0.251', /multicast/],
    ['ff02::1', /multicast/],
    ['FF05::1:3', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['169.254.169.254', /link-local/],
    ['fe80::1', /link-local/],
    ['febf:ffff::1', /link-local/],
    ['::ffff:169.254.0.1', /link-local/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['::ffff:0.0.0.0', /unspecified/],
    ['0.1.2.3', /this network/],
  ];
  for (const [raw, why] of notHosts) {
    const t = ip({ srcip: raw });
    assert.equal(refusal(t), 'invalid_target', raw);
    assert.match((t as TargetRefusal).detail, why, raw);
    assert.match((checkIpTarget(raw) as { why: string }).why, why, raw);
  }
  // The neighbours of each refused range are still hosts.
  for (const host of ['223.255.255.255', '240.0.0.1', '255.255.255.254', '169.253.255.255', '169.255.0.1', 'fec0::1', 'fe7f::1', 'fe00::1', '1.0.0.0', '2001:db8::1']) {
    assert.equal(isTargetRefusal(ip({ srcip: host })), false, host);
  }
});
