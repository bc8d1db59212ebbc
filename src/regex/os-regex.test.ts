import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RiposteError } from '../errors.ts';
import { compileOsRegex } from './os-regex.ts';

/** exec() as a plain object (or null), after checking that test() agrees with it. */
function run(pattern: string, subject: string, substrings = true): { end: number; captures: string[] } | null {
  const re = compileOsRegex(pattern, { substrings });
  const r = re.exec(subject);
  assert.equal(re.test(subject), r !== null, `test() and exec() disagree for ${pattern} on ${subject}`);
  return r === null ? null : { end: r.end, captures: [...r.captures] };
}

test('compileOsRegex() returns an osregex pattern keeping its source', () => {
  const re = compileOsRegex('^foo (\\S+)');
  assert.equal(re.kind, 'osregex');
  assert.equal(re.source, '^foo (\\S+)');
});

test('compileOsRegex() reproduces the quirks in spec §3', () => {
  // Lazy \s* stops before the key, and the scan never backs up to retry it.
  assert.equal(run('^\\s*(\\S+)\\s*:', 'key: v'), null);
  // A middle \.+ is lazy, a last one greedy.
  assert.deepEqual(run('x(\\.+)y(\\.+)', 'x1y2y3'), { end: 3, captures: ['1', '2y3'] });
  // A trailing \X+ reports the first byte it consumed as the end.
  assert.deepEqual(run('^(\\S+) (\\S+)', 'foo bar baz'), { end: 4, captures: ['foo', 'bar'] });
  // action:"(\.*)"; captures the shortest value.
  assert.deepEqual(run('action:"(\\.*)";', 'action:"a";b";'), { end: 10, captures: ['a'] });
  // (a)(b) never matches "ab": the second "(" is compared as a literal.
  assert.equal(run('(a)(b)', 'ab'), null);
  // After a failed attempt the scan restarts one past the attempt's first byte.
  assert.deepEqual(run('aab', 'aaab'), { end: 3, captures: [] });
});

test('compileOsRegex() can return the end offset -1 (the C returns str - 1)', () => {
  assert.deepEqual(run('\\d*', 'abc'), { end: -1, captures: [] });
  // The group opens and closes on the same byte: an empty capture, not a dropped one.
  assert.deepEqual(run('datalength=(\\S*)|(\\d*)', 'no data'), { end: -1, captures: [''] });
});

test('compileOsRegex() drops an empty capture at the very end but keeps one in the middle', () => {
  assert.deepEqual(run('a(\\.*)', 'a'), { end: 0, captures: [] });
  assert.deepEqual(run('a(\\.*)b(\\d*)', 'axb'), { end: 2, captures: ['x'] });
  assert.deepEqual(run('a(\\.*)b(\\d*)c', 'axbc'), { end: 3, captures: ['x', ''] });
});

test('compileOsRegex() classes follow the C tables', () => {
  // \s is a space only; a tab is \S.
  assert.equal(run('a\\sb', 'a\tb'), null);
  assert.notEqual(run('a\\Sb', 'a\tb'), null);
  assert.notEqual(run('a\\tb', 'a\tb'), null);
  // \w includes '@' and '-', \W excludes them.
  assert.deepEqual(run('^\\w+$', 'me@host-1_x'), { end: 0, captures: [] });
  assert.equal(run('\\W', 'me@host-1_x'), null);
  // \p is the listed punctuation; '/', '@', '\\' and '_' are not in it.
  assert.notEqual(run('^\\p+$', '!"#$%&\'()*+,-.:;<=>?[]{|}'), null);
  for (const c of ['/', '@', '\\', '_', '^', '~', '`']) assert.equal(run('\\p', `a${c}b`), null, c);
  assert.notEqual(run('^\\d\\D$', '1x'), null);
  // \. is any byte, a bare '.' is a literal dot.
  assert.notEqual(run('a\\.c', 'abc'), null);
  assert.equal(run('a.c', 'abc'), null);
  assert.notEqual(run('a.c', 'a.c'), null);
  // Literal escapes.
  assert.notEqual(run('\\(\\)\\\\\\$\\|\\<', 'x()\\$|<'), null);
});

test('compileOsRegex() applies + and * only right after an escape', () => {
  assert.notEqual(run('a+', 'aa+'), null);
  assert.equal(run('a+', 'aaa'), null);
  assert.notEqual(run('^a\\d*b$', 'ab'), null);
  assert.notEqual(run('^a\\d*b$', 'a123b'), null);
  assert.equal(run('^a\\d+b$', 'ab'), null);
});

test('compileOsRegex() honours ^ and $ per alternative only at its ends', () => {
  assert.deepEqual(run('abc$', 'xxabc'), { end: 4, captures: [] });
  assert.equal(run('abc$', 'xxabcx'), null);
  assert.equal(run('^abc', 'xabc'), null);
  assert.notEqual(run('^abc|^xab', 'xabc'), null);
  assert.notEqual(run('a$b', 'a$b'), null); // a '$' inside is a literal
  assert.notEqual(run('x^y', 'x^y'), null);
  assert.deepEqual(run('^$', ''), { end: 0, captures: [] });
  assert.deepEqual(run('', 'abc'), { end: 0, captures: [] });
});

test('compileOsRegex() is ASCII case-insensitive only', () => {
  assert.deepEqual(run('ABC', 'xaBcx'), { end: 3, captures: [] });
  assert.equal(run('\xe9', '\xc9'), null); // latin1 é / É are different bytes
  assert.notEqual(run('\xe9', '\xe9'), null);
});

test('compileOsRegex() treats a NUL byte in the subject as its end', () => {
  assert.deepEqual(run('\\d+', 'ab12\x0034'), { end: 2, captures: [] });
  assert.equal(run('34', 'ab12\x0034'), null);
  assert.deepEqual(run('b\\d+$', 'ab12\x00x'), { end: 2, captures: [] }); // '$' sees the NUL as the end
});

test('compileOsRegex() without substrings mimics prematch / rule regex compilation', () => {
  // With OS_RETURN_SUBSTRING a trailing group lets "\x*\s+" close at the end of the subject.
  assert.deepEqual(run('status=(\\.*)\\s+|status=(\\.*)$', 'x status=dpd'), { end: 11, captures: ['dpd'] });
  assert.deepEqual(run('status=(\\.*)\\s+|status=(\\.*)$', 'x status=dpd', false), { end: 8, captures: [] });
});

test('compileOsRegex() rejects what OSRegex_Compile rejects', () => {
  const bad = ['\\q', 'abc\\', '((a))', '(a', 'a)', '(a|b)', 'x'.repeat(20481), '\u0100'];
  for (const pattern of bad) {
    assert.throws(
      () => compileOsRegex(pattern),
      (e: unknown) => e instanceof RiposteError && e.code === 'RIPOSTE_ERR_REGEX_SYNTAX',
      pattern.slice(0, 20),
    );
  }
  // Accepted edge cases.
  for (const pattern of ['a|b', '(a)|(b)', '(a)(b)', 'x'.repeat(20480), '|', '^', '$', '()']) {
    assert.doesNotThrow(() => compileOsRegex(pattern), pattern.slice(0, 20));
  }
});

test('compileOsRegex() backtracks to where a lazy token handed over', () => {
  // \w+ hands over at the first 'a'; '-' then fails and the scan resumes inside \w+.
  assert.deepEqual(run('^\\w+a-', 'qaqa-'), { end: 4, captures: [] });
  // Five hand-overs: only four are remembered, the newest remembered one is resumed.
  assert.deepEqual(run('^\\w+a\\w+a\\w+a\\w+a\\w+a-', 'qaqaqaqaqaqa-'), { end: 12, captures: [] });
});
