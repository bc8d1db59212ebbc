import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledPattern } from '../regex/types.ts';
import { parseCdbList } from './cdb-list.ts';
import { compileListCheck, parseListLookup, type ListLookup } from './lookup.ts';

/** A stand-in for an OSMatch pattern: a case-sensitive literal substring. */
function literal(source: string): CompiledPattern {
  return {
    kind: 'osmatch',
    source,
    test: (s) => s.includes(source),
    exec: (s) => (s.includes(source) ? { end: s.indexOf(source) + source.length, captures: [] } : null),
  };
}

const users = parseCdbList('root:block\nadmin:allow\nguest:\n');
const nets = parseCdbList('10.:good\n10.1.:bad\n10.1.2.3:fine\n"fe80::1":v6\n192.168.1.:bad\n');

function check(list = users, lookup: ListLookup, cv: string | null = null) {
  return compileListCheck(list, lookup, cv === null ? null : literal(cv));
}

test('compileListCheck() match_key / not_match_key: exact and case-sensitive', () => {
  const m = check(users, 'match_key');
  assert.equal(m('root'), true);
  assert.equal(m('Root'), false);
  assert.equal(m('roo'), false);
  assert.equal(m('guest'), true);
  const n = check(users, 'not_match_key');
  assert.equal(n('root'), false);
  assert.equal(n('Root'), true);
});

test('compileListCheck() match_key_value: OSMatch on the value; never without check_value', () => {
  const m = check(users, 'match_key_value', 'block');
  assert.equal(m('root'), true);
  assert.equal(m('admin'), false);
  assert.equal(m('nobody'), false);
  const none = check(users, 'match_key_value');
  assert.equal(none('root'), false);
  assert.equal(none('guest'), false);
});

test('compileListCheck() address_match_key: exact key, else the longest prefix ending in "."', () => {
  const m = check(nets, 'address_match_key');
  assert.equal(m('10.1.2.3'), true);
  assert.equal(m('10.9.9.9'), true); // via "10."
  assert.equal(m('10'), false);
  assert.equal(m('110.1.2.3'), false);
  assert.equal(m('192.168.1.77'), true);
  assert.equal(m('192.168.2.1'), false);
  // No CIDR or IPv6 logic: ':' is not a separator.
  assert.equal(m('fe80::1'), true);
  assert.equal(m('fe80::2'), false);
  const n = check(nets, 'not_address_match_key');
  assert.equal(n('10.9.9.9'), false);
  assert.equal(n('11.0.0.1'), true);
});

test('compileListCheck() address_match_key without any "."-terminated key is an exact lookup', () => {
  const m = check(parseCdbList('10.1.2.3:x\n'), 'address_match_key');
  assert.equal(m('10.1.2.3'), true);
  assert.equal(m('10.1.2.4'), false);
});

test('compileListCheck() address_match_key_value is inverted like the reference', () => {
  const m = check(nets, 'address_match_key_value', 'bad');
  assert.equal(m('10.1.9.9'), false); // "10.1." found, value matches → false
  assert.equal(m('10.2.3.4'), true); // "10." found, value does not match → true
  assert.equal(m('10.1.2.3'), true); // exact hit "fine" decides; no fallback to "10.1."
  assert.equal(m('11.0.0.1'), true); // nothing found → true
  const none = check(nets, 'address_match_key_value');
  assert.equal(none('10.1.9.9'), true);
  assert.equal(none('11.0.0.1'), true);
});

test('parseListLookup() is case-insensitive; compileListCheck() rejects unknown lookups', () => {
  assert.equal(parseListLookup('Address_Match_Key'), 'address_match_key');
  assert.equal(parseListLookup('not_match_key_value'), undefined);
  assert.equal(check(users, 'MATCH_KEY' as ListLookup)('root'), true);
  assert.throws(() => check(users, 'not_match_key_value' as ListLookup), { code: 'RIPOSTE_ERR_RULE_INVALID' });
});
