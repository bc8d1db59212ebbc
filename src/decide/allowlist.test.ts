import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AllowEntry } from '../config/types.ts';
import { prng } from './_fixtures.ts';
import { compileAllowlist } from './allowlist.ts';

const ipE = (value: string, reason = 'r'): AllowEntry => ({ kind: 'ip', value, reason });
const acct = (value: string, reason = 'r'): AllowEntry => ({ kind: 'account', value, reason });
const ip = (value: string) => ({ kind: 'ip', value }) as const;
const user = (value: string) => ({ kind: 'user', value }) as const;

test('compileAllowlist() IPv4 single address, CIDR and dotted mask', () => {
  const check = compileAllowlist([ipE('198.51.100.7', 'jump host'), ipE('192.0.2.0/24', 'office'), ipE('10.0.0.0/255.0.0.0', 'lan')], new Set(), []);
  assert.deepEqual(check(ip('198.51.100.7')), { refusal: 'allowlisted', entry: '198.51.100.7', reason: 'jump host' });
  assert.equal(check(ip('198.51.100.70')), null, 'no substring matching');
  assert.equal(check(ip('192.0.2.255'))?.entry, '192.0.2.0/24');
  assert.equal(check(ip('192.0.3.0')), null);
  assert.equal(check(ip('10.200.1.1'))?.reason, 'lan');
  assert.equal(check(ip('11.0.0.1')), null);
});

test('compileAllowlist() IPv6 is real CIDR, not Wazuh substring matching', () => {
  const check = compileAllowlist([ipE('2001:db8::1'), ipE('2001:db8:aaaa::/48', 'v6 office')], new Set(), []);
  assert.ok(check(ip('2001:db8::1')));
  assert.equal(check(ip('2001:db8::10')), null, 'Wazuh would have matched this as a substring');
  assert.equal(check(ip('2001:db8:aaaa:ffff::9'))?.reason, 'v6 office');
  assert.equal(check(ip('2001:db8:aaab::9')), null);
});

test('compileAllowlist() IPv4-mapped: one host, both forms', () => {
  const v4entry = compileAllowlist([ipE('192.0.2.0/24')], new Set(), []);
  assert.ok(v4entry(ip('::ffff:192.0.2.9')), 'mapped target checked as IPv4');
  const v6entry = compileAllowlist([ipE('::ffff:192.0.2.0/120')], new Set(), []);
  assert.ok(v6entry(ip('192.0.2.9')), 'IPv4 target checked against a mapped IPv6 entry');
  assert.equal(v6entry(ip('192.0.3.9')), null);
});

test('compileAllowlist() loopback and own addresses are always refused as own_address', () => {
  const check = compileAllowlist([ipE('127.0.0.1', 'configured too')], new Set(), ['198.51.100.10', 'fe80::1%eth0', '2001:db8::5/128']);
  assert.equal(check(ip('127.0.0.1'))?.refusal, 'own_address', 'own_address wins over a configured entry');
  assert.equal(check(ip('127.255.0.1'))?.refusal, 'own_address');
  assert.equal(check(ip('::1'))?.refusal, 'own_address');
  assert.equal(check(ip('::ffff:127.0.0.1'))?.refusal, 'own_address');
  assert.deepEqual(check(ip('198.51.100.10')), { refusal: 'own_address', entry: '198.51.100.10', reason: 'address of this host' });
  assert.equal(check(ip('fe80::1'))?.refusal, 'own_address', 'zone id dropped');
  assert.equal(check(ip('2001:db8::5'))?.refusal, 'own_address');
  assert.equal(check(ip('198.51.100.11')), null);
  assert.deepEqual(check.ignored, []);
});

test('compileAllowlist() a negated entry allowlists nothing (never "all others")', () => {
  const check = compileAllowlist([ipE('!10.0.0.0/8')], new Set(), []);
  assert.equal(check(ip('10.1.1.1')), null);
  assert.equal(check(ip('192.0.2.1')), null, 'Wazuh would whitelist every address outside 10/8');
  assert.equal(check.ignored.length, 1);
  assert.match(check.ignored[0]?.why ?? '', /negated/);
});

test('compileAllowlist() hostname patterns and junk are ignored and reported', () => {
  const check = compileAllowlist([ipE('^localhost.localdomain$'), ipE('10.0.0.0/33'), ipE('')], new Set(), ['not-an-ip']);
  assert.equal(check.ignored.length, 4);
  assert.equal(check(ip('10.0.0.1')), null);
});

test('compileAllowlist() accounts: exact, case-sensitive, plus the CDB account set', () => {
  const check = compileAllowlist([acct('admin', 'break-glass'), acct('')], new Set(['svc-backup']), []);
  assert.deepEqual(check(user('admin')), { refusal: 'allowlisted', entry: 'admin', reason: 'break-glass' });
  assert.equal(check(user('Admin')), null);
  assert.equal(check(user('admin2')), null);
  assert.equal(check(user('svc-backup'))?.refusal, 'allowlisted');
  assert.equal(check(user('svc-Backup')), null);
  assert.equal(check.ignored.length, 1);
  // Accounts never match IP targets and IP entries never match accounts.
  assert.equal(check(ip('192.0.2.1')), null);
});

test('compileAllowlist() an unreadable IP target fails closed', () => {
  const check = compileAllowlist([], new Set(), []);
  assert.equal(check(ip('192.030.0.6'))?.refusal, 'allowlisted');
  assert.equal(check(ip('1.2.3.4 5.6.7.8'))?.refusal, 'allowlisted');
});

function randomIn4(rand: () => number, base: number, prefix: number): string {
  const host = prefix === 32 ? 0 : Math.floor(rand() * 2 ** (32 - prefix));
  const n = (base + host) >>> 0;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

test('property: every address inside an allowlisted IPv4 range is refused; neighbours are not', () => {
  const rand = prng(0x5eed);
  const check = compileAllowlist([ipE('172.16.0.0/12'), ipE('203.0.113.128/25')], new Set(), []);
  for (let i = 0; i < 5000; i++) {
    const inside = randomIn4(rand, 0xac100000, 12);
    assert.ok(check(ip(inside)), inside);
    assert.ok(check(ip(`::ffff:${inside}`)), `mapped ${inside}`);
    const inside2 = randomIn4(rand, 0xcb007180, 25);
    assert.ok(check(ip(inside2)), inside2);
  }
  assert.equal(check(ip('172.15.255.255')), null);
  assert.equal(check(ip('172.32.0.0')), null);
  assert.equal(check(ip('203.0.113.127')), null);
});

test('property: every address inside an allowlisted IPv6 range is refused', () => {
  const rand = prng(0xbeef);
  const check = compileAllowlist([ipE('2001:db8:1234::/46')], new Set(), []);
  for (let i = 0; i < 5000; i++) {
    const g = Array.from({ length: 8 }, () => Math.floor(rand() * 0x10000));
    g[0] = 0x2001;
    g[1] = 0x0db8;
    g[2] = 0x1234 | Math.floor(rand() * 4); // the /46 leaves 2 bits of the third group free
    const text = g.map((x) => x.toString(16)).join(':');
    assert.ok(check(ip(text)), text);
  }
  assert.equal(check(ip('2001:db8:1238::1')), null);
});
