import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RiposteError } from '../errors.ts';
import { compileOsMatch } from './os-match.ts';

/** test() result, after checking that exec() agrees with it. */
function matches(pattern: string, subject: string): boolean {
  const re = compileOsMatch(pattern);
  const hit = re.test(subject);
  assert.equal(re.exec(subject) !== null, hit, `test() and exec() disagree for ${pattern} on ${subject}`);
  return hit;
}

test('compileOsMatch() returns an osmatch pattern keeping its source', () => {
  const re = compileOsMatch('!Failed|^sshd');
  assert.equal(re.kind, 'osmatch');
  assert.equal(re.source, '!Failed|^sshd');
});

test('compileOsMatch() finds a literal anywhere, ASCII case-insensitively', () => {
  assert.equal(matches('failed password', 'sshd: Failed Password for root'), true);
  assert.equal(matches('FAILED', 'failed'), true);
  assert.equal(matches('failed', 'fail'), false);
  assert.equal(matches('\xe9t\xe9', '\xc9T\xc9'), false); // latin1 letters are not folded
  assert.equal(matches('\xe9t\xe9', 'x\xe9T\xe9'), true);
});

test('compileOsMatch() has no escapes or wildcards', () => {
  assert.equal(matches('a.c', 'abc'), false);
  assert.equal(matches('a.c', 'xa.cx'), true);
  assert.equal(matches('\\d', '5'), false);
  assert.equal(matches('\\d', 'a\\db'), true);
  assert.equal(matches('a+b(c)[d]*', 'xA+B(C)[D]*'), true);
});

test('compileOsMatch() supports ^ prefix, $ suffix and ^…$ equality per alternative', () => {
  assert.equal(matches('^sshd', 'sshd[1]: x'), true);
  assert.equal(matches('^sshd', 'x sshd'), false);
  assert.equal(matches('root$', 'user ROOT'), true);
  assert.equal(matches('root$', 'root user'), false);
  assert.equal(matches('^root$', 'Root'), true);
  assert.equal(matches('^root$', 'root '), false);
  assert.equal(matches('a^b', 'xa^by'), true); // a '^' inside is a literal
  assert.equal(matches('^$', ''), true);
  assert.equal(matches('^$', 'x'), false);
});

test('compileOsMatch() tries each | alternative', () => {
  assert.equal(matches('foo|^bar|baz$', 'a baz'), true);
  assert.equal(matches('foo|^bar|baz$', 'bar x'), true);
  assert.equal(matches('foo|^bar|baz$', 'x bar baz x'), false);
});

test('compileOsMatch() treats an empty alternative, "^" or "$" as match-all', () => {
  assert.equal(matches('a||b', 'zzz'), true);
  assert.equal(matches('a|', 'zzz'), true);
  assert.equal(matches('', ''), true);
  assert.equal(matches('^', 'zzz'), true);
  assert.equal(matches('$', 'zzz'), true);
});

test('compileOsMatch() negates the whole pattern with a leading !', () => {
  assert.equal(matches('!root', 'user admin'), true);
  assert.equal(matches('!root|admin', 'user admin'), false);
  assert.equal(matches('!', 'anything'), false);
  assert.equal(matches('a!b', 'a!b'), true); // only a leading '!' negates
  assert.deepEqual(compileOsMatch('!root').exec('x'), { end: -1, captures: [] });
});

test('compileOsMatch() treats a NUL byte in the subject as its end', () => {
  assert.equal(matches('after', 'before\x00after'), false);
  assert.equal(matches('before$', 'before\x00after'), true);
  assert.equal(matches('^before$', 'before\x00after'), true);
});

test('compileOsMatch() exec() reports the last byte of the matched literal', () => {
  const re = compileOsMatch('nomatch|pass|^x');
  assert.deepEqual(re.exec('xx password'), { end: 6, captures: [] }); // first alternative that matches wins
  assert.deepEqual(compileOsMatch('^xx').exec('xx password'), { end: 1, captures: [] });
  assert.deepEqual(compileOsMatch('word$').exec('password'), { end: 7, captures: [] });
  assert.deepEqual(compileOsMatch('a||b').exec('zzz'), { end: -1, captures: [] });
  assert.equal(compileOsMatch('nomatch').exec('xx'), null);
});

test('compileOsMatch() rejects an over-long pattern', () => {
  assert.throws(
    () => compileOsMatch('x'.repeat(20481)),
    (e: unknown) => e instanceof RiposteError && e.code === 'RIPOSTE_ERR_REGEX_SYNTAX',
  );
  assert.doesNotThrow(() => compileOsMatch('x'.repeat(20480)));
});
