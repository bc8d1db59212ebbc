import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, isMapped, isUnspecified, parseStrictIPv4, parseStrictIp } from './address.ts';

const canon = (s: string) => {
  const b = parseStrictIp(s);
  return b && formatIp(b);
};

test('parseStrictIPv4() accepts dotted quads only', () => {
  assert.deepEqual([...(parseStrictIPv4('192.0.2.255') ?? [])], [192, 0, 2, 255]);
  assert.deepEqual([...(parseStrictIPv4('0.0.0.0') ?? [])], [0, 0, 0, 0]);
  for (const bad of ['192.030.0.6', '01.2.3.4', '1.2.3.00', '127.1', '0x7f.0.0.1', '1.2.3.256', '1.2.3.4.5', '1.2.3.', '', '1..2.3', '+1.2.3.4', '1.2.3.-4', '1.2.3.4 ']) {
    assert.equal(parseStrictIPv4(bad), null, bad);
  }
});

test('parseStrictIp() accepts RFC 4291 IPv6 and maps ::ffff:a.b.c.d to IPv4', () => {
  assert.equal(canon('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(canon('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(canon('::FFFF:192.0.2.1'), '192.0.2.1');
  assert.equal(canon('::ffff:c000:0201'), '192.0.2.1');
  assert.equal(canon('::1'), '::1');
  assert.equal(canon('1:2:3:4:5:6:7::'), '1:2:3:4:5:6:7:0', 'a single zero group is not shortened');
  assert.equal(canon('::1.2.3.4'), '::102:304', 'IPv4-compatible is not IPv4-mapped');
});

test('parseStrictIp() refuses zone ids, prefixes, octal tails, misplaced dotted groups and junk', () => {
  for (const bad of ['fe80::1%eth0', 'fe80::1%25eth0', '2001:db8::/32', '::ffff:192.030.0.6', '1.2.3.4::', '1.2.3.4::5.6.7.8', '1::2::3', ':::', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', ' ::1', '::1\n', '[::1]', 'a'.repeat(46), '1']) {
    assert.equal(parseStrictIp(bad), null, JSON.stringify(bad));
  }
});

test('formatIp() RFC 5952: longest zero run, first one on a tie, lower case', () => {
  assert.equal(canon('1:0:0:2:0:0:0:3'), '1:0:0:2::3');
  assert.equal(canon('1:0:0:2:0:0:3:4'), '1::2:0:0:3:4');
  assert.equal(canon('0:0:0:0:0:0:0:0'), '::');
  assert.equal(canon('ABCD:EF01::'), 'abcd:ef01::');
});

test('isMapped() / isUnspecified()', () => {
  assert.equal(isMapped(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4])), true);
  assert.equal(isMapped(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 1, 2, 3, 4])), false);
  assert.equal(isMapped(new Uint8Array([1, 2, 3, 4])), false);
  assert.equal(isUnspecified(new Uint8Array(16)), true);
  assert.equal(isUnspecified(new Uint8Array([0, 0, 0, 1])), false);
});
