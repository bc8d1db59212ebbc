import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RiposteError } from '../errors.ts';
import { ar } from './_fixtures.ts';
import { compileBindings } from './bind.ts';
import type { AlertV1 } from './types.ts';

function rule(over: Partial<AlertV1['rule']> = {}): AlertV1['rule'] {
  return { id: 5716, level: 5, groups: 'syslog,sshd,authentication_failed,', noAr: false, ...over };
}

const names = (xs: readonly { name: string }[]) => xs.map((x) => x.name);

test('compileBindings() level only: rule level >= level binds', () => {
  const bind = compileBindings([ar({ name: 'l7', level: 7 })]);
  assert.deepEqual(names(bind(rule({ level: 7 }))), ['l7']);
  assert.deepEqual(names(bind(rule({ id: 1, level: 12 }))), ['l7']);
  assert.deepEqual(names(bind(rule({ id: 2, level: 6 }))), []);
});

test('compileBindings() rules_group only: OS_Regex alternatives on the group string, case-insensitive', () => {
  const bind = compileBindings([ar({ name: 'g', rulesGroup: 'authentication_failures|Web_Scan' })]);
  assert.deepEqual(names(bind(rule({ groups: 'syslog,sshd,authentication_failures,' }))), ['g']);
  assert.deepEqual(names(bind(rule({ id: 2, groups: 'web,accesslog,web_scan,' }))), ['g']);
  assert.deepEqual(names(bind(rule({ id: 3, groups: 'syslog,sshd,authentication_failed,' }))), []);
});

test('compileBindings() rules_group is a regex, not a literal: OS_Regex tokens work', () => {
  const bind = compileBindings([ar({ name: 'g', rulesGroup: '^syslog,\\w+,authentication_failed,$' })]);
  assert.deepEqual(names(bind(rule())), ['g']);
  assert.deepEqual(names(bind(rule({ id: 9, groups: 'syslog,authentication_failed,' }))), []);
});

test('compileBindings() level and rules_group both set: both must match', () => {
  const bind = compileBindings([ar({ name: 'both', level: 10, rulesGroup: 'sshd' })]);
  assert.deepEqual(names(bind(rule({ level: 10 }))), ['both']);
  assert.deepEqual(names(bind(rule({ id: 1, level: 9 }))), [], 'group matches but level too low');
  assert.deepEqual(names(bind(rule({ id: 2, level: 12, groups: 'web,' }))), [], 'level ok but group differs');
});

test('compileBindings() rules_id is OR-ed with level (#34453 quirk)', () => {
  const bind = compileBindings([ar({ name: 'q', level: 10, rulesId: [100101] })]);
  assert.deepEqual(names(bind(rule({ id: 100101, level: 3 }))), ['q'], 'the listed id binds below the level');
  assert.deepEqual(names(bind(rule({ id: 5999, level: 10 }))), ['q'], 'and every rule of level >= 10 binds too');
  assert.deepEqual(names(bind(rule({ id: 5998, level: 9 }))), []);
});

test('compileBindings() rules_id is OR-ed even with level + group set', () => {
  const bind = compileBindings([ar({ name: 'q', level: 12, rulesGroup: 'web', rulesId: [5716] })]);
  assert.deepEqual(names(bind(rule({ level: 5 }))), ['q']);
  assert.deepEqual(names(bind(rule({ id: 1, level: 5 }))), []);
});

test('compileBindings() rules_id only: only the listed ids', () => {
  const bind = compileBindings([ar({ name: 'ids', rulesId: [5712, 5716] })]);
  assert.deepEqual(names(bind(rule())), ['ids']);
  assert.deepEqual(names(bind(rule({ id: 5712, level: 10 }))), ['ids']);
  assert.deepEqual(names(bind(rule({ id: 5713, level: 16 }))), []);
});

test('compileBindings() level 0 in the block counts as unset', () => {
  const bind = compileBindings([ar({ name: 'z', level: 0 })]);
  assert.deepEqual(names(bind(rule({ level: 16 }))), []);
  const withGroup = compileBindings([ar({ name: 'zg', level: 0, rulesGroup: 'sshd' })]);
  assert.deepEqual(names(withGroup(rule({ level: 1 }))), ['zg'], 'level 0 + group behaves as group only');
});

test('compileBindings() no condition at all binds nothing', () => {
  const bind = compileBindings([ar({ name: 'none' })]);
  assert.deepEqual(names(bind(rule({ level: 16 }))), []);
});

test('compileBindings() disabled blocks never bind', () => {
  const bind = compileBindings([ar({ name: 'off', level: 1, rulesId: [5716], disabled: true }), ar({ name: 'on', level: 1 })]);
  assert.deepEqual(names(bind(rule())), ['on']);
});

test('compileBindings() rules of level 0 or with no_ar never bind, not even by rules_id', () => {
  const bind = compileBindings([ar({ name: 'x', level: 1, rulesGroup: 'sshd', rulesId: [5716] })]);
  assert.deepEqual(names(bind(rule({ level: 0 }))), []);
  assert.deepEqual(names(bind(rule({ id: 7, noAr: true }))), []);
});

test('compileBindings() keeps configuration order', () => {
  const bind = compileBindings([ar({ name: 'b', level: 3 }), ar({ name: 'a', rulesId: [5716] }), ar({ name: 'c', rulesGroup: 'sshd' })]);
  assert.deepEqual(names(bind(rule())), ['b', 'a', 'c']);
});

test('compileBindings() cache is per rule id but re-checked against the rule fields', () => {
  const bind = compileBindings([ar({ name: 'l7', level: 7 })]);
  const first = bind(rule({ level: 7 }));
  assert.equal(bind(rule({ level: 7 })), first, 'same array for the same rule');
  assert.deepEqual(names(bind(rule({ level: 3 }))), [], 'a changed level is not served from the cache');
  assert.deepEqual(names(bind(rule({ level: 7, noAr: true }))), []);
});

test('compileBindings() invalid rules_group is a load error with the source location', () => {
  assert.throws(
    () => compileBindings([ar({ name: 'bad', rulesGroup: 'a(b', source: { file: 'ossec.conf', line: 42 } })]),
    (e: unknown) => e instanceof RiposteError && e.code === 'RIPOSTE_ERR_REGEX_SYNTAX' && e.location?.line === 42 && e.message.includes('bad'),
  );
});
