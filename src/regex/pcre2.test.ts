import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { RiposteError } from '../errors.ts';
import { parseWazuhXml } from '../xml/parse.ts';
import { attr, type XmlNode } from '../xml/types.ts';
import { compilePcre2 } from './pcre2.ts';

const RULESET = fileURLToPath(new URL('../../../shared/wazuh-ruleset/', import.meta.url));

/** `[end, captures]` of a match, or null. Expected values were checked against pcre2test 10.42. */
function run(pattern: string, subject: string): [number, readonly string[]] | null {
  const r = compilePcre2(pattern).exec(subject);
  return r === null ? null : [r.end, r.captures];
}

function xmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? xmlFiles(join(dir, e.name)) : e.name.endsWith('.xml') ? [join(dir, e.name)] : [],
  );
}

test('compilePcre2() compiles every type="pcre2" pattern of the stock ruleset', () => {
  const patterns: string[] = [];
  const walk = (n: XmlNode): void => {
    if (attr(n, 'type') === 'pcre2') patterns.push(n.text);
    n.children.forEach(walk);
  };
  for (const f of xmlFiles(RULESET)) parseWazuhXml(readFileSync(f, 'latin1'), f).forEach(walk);
  assert.ok(patterns.length >= 535, `${patterns.length} patterns`);
  const failures: string[] = [];
  for (const p of patterns) {
    try {
      const c = compilePcre2(p);
      assert.equal(c.kind, 'pcre2');
      assert.equal(c.source, p);
    } catch (e) {
      failures.push(`${p}: ${(e as Error).message}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('compilePcre2() returns the last byte of the match as end, like w_expression_match', () => {
  assert.deepEqual(run('b+', 'abbbc'), [3, []]);
  assert.deepEqual(run('^', 'abc'), [-1, []]);
  assert.deepEqual(run('(?=c)', 'abc'), [1, []]);
  assert.deepEqual(run('c$', 'abc'), [2, []]);
  assert.equal(run('x', 'abc'), null);
  assert.equal(compilePcre2('b').test('abc'), true);
  assert.equal(compilePcre2('B').test('abc'), false);
});

test('compilePcre2() reports groups up to the last one that took part', () => {
  assert.deepEqual(run('(a)|(b)|(c)', 'b'), [0, ['', 'b']]);
  assert.deepEqual(run('(a)?(b)?(c)', 'c'), [0, ['', '', 'c']]);
  assert.deepEqual(run('(a)(x)?', 'a'), [0, ['a']]);
  assert.deepEqual(run('(a)(b*)', 'a'), [0, ['a', '']]);
  assert.deepEqual(run('user (\\S+) from (\\S+)', 'user root from 1.2.3.4 port'), [21, ['root', '1.2.3.4']]);
});

test('compilePcre2() translates leading inline flags', () => {
  // (?i): ASCII letters only; PCRE2's byte tables do not fold Latin-1.
  assert.deepEqual(run('(?i)failed (PASSWORD)', 'FAILED password'), [14, ['password']]);
  assert.equal(run('(?i)\xe9', '\xc9'), null);
  assert.deepEqual(run('(?i)[^a]+', 'aAb'), [2, []]);
  assert.deepEqual(run('(?i)[[:upper:]]+', 'abC'), [2, []]);
  // (?m): ^ and $ at \n only, and ^ not after a final \n.
  assert.deepEqual(run('(?m)^b$', 'a\nb\nc'), [2, []]);
  assert.equal(run('(?m)^b$', 'a\rb\rc'), null);
  assert.equal(run('(?m)\\n^', 'a\n'), null);
  // (?s): . matches \n; without it . matches anything but \n (\r included).
  assert.deepEqual(run('(?s)a.b', 'a\nb'), [2, []]);
  assert.equal(run('a.b', 'a\nb'), null);
  assert.deepEqual(run('a.b', 'a\rb'), [2, []]);
  // (?x): whitespace and comments ignored outside classes.
  assert.deepEqual(run('(?x) a \\  b # comment\n [ ]c', 'a b c'), [4, []]);
  // Combined, as in the stock Oracle decoder.
  const oracle = "ACTION :[7] 'SELECT'\nDATABASE USER:[1] '/'\n";
  assert.deepEqual(run('(?mUs)ACTION :(.*)(?:^[A-Z\\s]+:)', oracle), [34, ["[7] 'SELECT'\n"]]);
});

test('compilePcre2() scopes option changes like PCRE2', () => {
  assert.deepEqual(run('a(?i)b', 'aB'), [1, []]);
  assert.equal(run('a(?i)b', 'AB'), null);
  assert.deepEqual(run('(a(?i)b|c)d', 'Cd'), [1, ['C']]);
  assert.equal(run('(a(?i)b|c)d', 'CD'), null);
  assert.deepEqual(run('(?i:a)b', 'Ab'), [1, []]);
  assert.equal(run('(?i:a)b', 'AB'), null);
  assert.deepEqual(run('(?i)a(?-i)b', 'Ab'), [1, []]);
  assert.equal(run('(?i)a(?-i)b', 'AB'), null);
  assert.deepEqual(run('(?i)a(?^)b', 'Ab'), [1, []]);
  // A back reference is caseless or not according to the options where it stands.
  assert.equal(run('(?i)(a)(?-i)\\1', 'aA'), null);
  assert.deepEqual(run('(?i)(a)(?-i)\\1', 'AA'), [1, ['A']]);
  assert.deepEqual(run('(?i)(a)\\1', 'aA'), [1, ['a']]);
});

test('compilePcre2() inverts greediness under (?U)', () => {
  assert.deepEqual(run('(?U)a+', 'aaa'), [0, []]);
  assert.deepEqual(run('(?U)a+?', 'aaa'), [2, []]);
  assert.deepEqual(run('(?U)a{1,3}', 'aaa'), [0, []]);
  assert.deepEqual(run('(?U)(a.*)b', 'aXbYb'), [2, ['aX']]);
  assert.deepEqual(run('(a.*)b', 'aXbYb'), [4, ['aXbY']]);
  assert.deepEqual(run('(a.*?)b', 'aXbYb'), [2, ['aX']]);
});

test('compilePcre2() gives $ and \\Z their PCRE meaning (end or before a final newline)', () => {
  assert.deepEqual(run('x$', 'x\n'), [0, []]);
  assert.equal(run('x$', 'x\n\n'), null);
  assert.deepEqual(run('x\\Z', 'x\n'), [0, []]);
  assert.equal(run('x\\z', 'x\n'), null);
  assert.deepEqual(run('\\Ax', 'xx'), [0, []]);
  assert.equal(run('\\Ay', 'xy'), null);
  assert.deepEqual(run('^(?!^$|^-$).*', 'ab'), [1, []]);
  assert.equal(run('^(?!^$|^-$).*', '-'), null);
});

test('compilePcre2() supports PCRE-only syntax', () => {
  assert.deepEqual(run('\\h+\\v+\\H', ' \t\xa0\n\x0b\x85x'), [6, []]);
  assert.deepEqual(run('a\\Rb', 'a\r\nb'), [3, []]);
  assert.equal(run('a\\R\\nb', 'a\r\nb'), null, '\\R is atomic: \\r\\n is not split');
  assert.equal(run('a++b', 'aaa'), null);
  assert.deepEqual(run('a++b', 'aab'), [2, []]);
  assert.equal(run('.*+c', 'abc'), null);
  assert.equal(run('(?>a|ab)c', 'abc'), null);
  assert.deepEqual(run('(?>ab|a)c', 'abc'), [2, []]);
  assert.deepEqual(run('(?P<w>\\w+)-(?P=w)', 'ab-ab'), [4, ['ab']]);
  assert.deepEqual(run("(?<n>\\w)\\k<n>(?'m'x)\\k{m}\\g{-2}\\g1", 'aaxxaa'), [5, ['a', 'x']]);
  assert.deepEqual(run('\\Qa.b*\\E+c', 'a.b**c'), [5, []]);
  assert.deepEqual(run('[[:alpha:][:digit:]]+[[:^space:]]', 'ab1 !'), [2, []]);
  assert.deepEqual(run('\\x41\\x{42}\\103\\o{104}\\105\\0105', 'ABCDE\x085'), [6, []]);
  assert.deepEqual(run('\\p{Lu}+', 'abCD'), [3, []]);
  assert.deepEqual(run('a\\Kb', 'ab'), [1, []]);
  assert.deepEqual(run('(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10', 'abcdefghijj')?.[0], 10);
  assert.deepEqual(run('\\12', 'x\ny'), [1, []], 'octal when there are fewer groups');
});

test('compilePcre2() matches bytes: \\s, \\S, \\w and non-ASCII pattern bytes', () => {
  assert.deepEqual(run('\\S+', ' \xe9t\xe9 '), [3, []]);
  assert.equal(run('\\s', '\xa0\x85'), null);
  assert.deepEqual(run('\\s', '\x0b'), [0, []]);
  assert.equal(run('\\w', '\xe9'), null);
  assert.deepEqual(run('caf\xc3\xa9 (\\S+)', 'caf\xc3\xa9 cr\xc3\xa8me'), [11, ['cr\xc3\xa8me']]);
  assert.deepEqual(run('[\xe0-\xff]+', 'a\xe9\xff'), [2, []]);
});

test('compilePcre2() handles (*UTF) patterns on UTF-8 subjects', () => {
  assert.deepEqual(run('(*UTF)\\N{U+202E}', 'a\xe2\x80\xaeb'), [3, []]);
  assert.equal(run('(*UTF)\\N{U+202E}', '\xe2\x80\xae\xff'), null, 'invalid UTF-8 never matches');
  assert.deepEqual(run('(*UTF)a.b', 'a\xe2\x80\xaeb'), [4, []]);
  assert.deepEqual(run('(*UTF)(\\x{e9})+', 'x\xc3\xa9\xc3\xa9y'), [4, ['\xc3\xa9']]);
});

test('compilePcre2() fails fast when a required literal is absent', () => {
  const ftd = compilePcre2('[^%]*%FTD-[0-7]-[^:\\s]+[:\\s].*');
  const long = 'x'.repeat(300000);
  const t0 = performance.now();
  assert.equal(ftd.exec(long), null);
  assert.equal(ftd.test(long), false);
  assert.ok(performance.now() - t0 < 200, 'no quadratic scan');
  assert.deepEqual(ftd.exec('a %FTD-6-302013: x')?.end, 17);
  // Literals in optional parts, alternatives or caseless letters are not required.
  assert.deepEqual(run('a|b', 'b'), [0, []]);
  assert.deepEqual(run('xy?z', 'xz'), [1, []]);
  assert.deepEqual(run('(?i)abc', 'ABC'), [2, []]);
  assert.deepEqual(run('a(b|c)d', 'acd'), [2, ['c']]);
});

test('compilePcre2() rejects invalid and unsupported patterns with RIPOSTE_ERR_REGEX_SYNTAX', () => {
  for (const p of ['(a', 'a)', '[a', '*a', 'a**', 'a{3,2}', '\\', '\\i', '[z-a]', '[\\d-z]', '(?|a)', '(?(1)a|b)', '(?R)', '(?1)', '\\X', '(*CRLF)a', 'a(?i)(b)\\1', '\\N{U+41}', '\\x{100}']) {
    assert.throws(
      () => compilePcre2(p),
      (e: unknown) => e instanceof RiposteError && e.code === 'RIPOSTE_ERR_REGEX_SYNTAX',
      p,
    );
  }
});
