import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern } from './index.ts';
import { requiredLiteral } from './required-literal.ts';

test('requiredLiteral() finds the literal every match must contain', () => {
  assert.equal(requiredLiteral('[^%]*%FTD-[0-7]-[^:\\s]+[:\\s].*', ''), '%FTD-');
  assert.equal(requiredLiteral('^(\\S+) sshd\\[\\d+\\]: Failed', ''), ']: Failed');
  assert.equal(requiredLiteral('abc?def', ''), 'def');
  assert.equal(requiredLiteral('ab+cd', ''), 'ab');
  assert.equal(requiredLiteral('x{0,3}yz', ''), 'yz');
});

test('requiredLiteral() proves nothing for alternation, case-insensitive or tiny literals', () => {
  assert.equal(requiredLiteral('foo|bar', ''), null);
  assert.equal(requiredLiteral('foobar', 'i'), null);
  assert.equal(requiredLiteral('a(?i)bc', ''), null);
  assert.equal(requiredLiteral('\\d+a\\s', ''), null);
  assert.equal(requiredLiteral('\\Qa.b\\E', ''), null);
  assert.equal(requiredLiteral('(*UTF)\\N{U+202E}', ''), null);
  assert.equal(requiredLiteral('\\x{41}bc', ''), 'bc');
});

test('a pcre2 pattern with a required literal still matches exactly', () => {
  const p = compilePattern('pcre2', '[^%]*%FTD-[0-7]-([^:\\s]+)[:\\s].*');
  assert.deepEqual(p.exec('Jan 1 host : %FTD-6-430003: x')?.captures, ['430003']);
  assert.equal(p.test('no marker here'), false);
  assert.equal(p.test('x'.repeat(1 << 16)), false);
  assert.equal(p.test('%FTD-6-'), false);
});
