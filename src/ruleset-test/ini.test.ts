import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRawIni, parseTestIni, type TestCase } from './ini.ts';
import { isDefaultSkipped } from './harness.ts';

const TESTS_DIR = fileURLToPath(new URL('../../../shared/wazuh-ruleset/testing/tests', import.meta.url));

const parse = (text: string): TestCase[] => parseTestIni(text, 'x.ini');
const expectOf = (rule: string, alert: string, decoder: string) => ({ rule, alert, decoder });

test('parseTestIni() reads sections, "=" and ":" options, lower-cased keys and stripped values', () => {
  const cases = parse('[Sec One]\nLog 1 Pass =   first event  \nrule: 5715\nalert = 3\ndecoder = sshd\n');
  assert.deepEqual(cases, [
    { file: 'x.ini', section: 'Sec One', key: 'log 1 pass', events: ['first event'], expect: expectOf('5715', '3', 'sshd'), mode: 'pass' },
  ]);
});

test('parseTestIni() takes pass/fail from the end of the key; only "log " keys are invocations', () => {
  const cases = parse('[s]\nlog 1 pass = a\nlog 2 fail = b\nlog 3 other = c\nlogs 4 = d\nlog5 pass = e\nrule = 1\nalert = 2\ndecoder = x\n');
  assert.deepEqual(cases.map((c) => [c.key, c.mode, c.events[0]]), [
    ['log 1 pass', 'pass', 'a'],
    ['log 2 fail', 'fail', 'b'],
    ['log 3 other', 'pass', 'c'],
  ]);
});

test('parseTestIni() comments start with ";" or "#" (also indented); there are no inline comments', () => {
  const cases = parse('; top\n[s]\n# c\n   ; indented\nlog 1 pass = a ; b # c\nrule = 1\nalert = 2\ndecoder = x\n');
  assert.deepEqual(cases[0]?.events, ['a ; b # c']);
});

test('parseTestIni() merges repeated keys into one session; blank lines between them add no event', () => {
  const cases = parse('[s]\nlog 1 pass = e1\n\nlog 1 pass = e2\nlog 2 pass = other\nlog 1 pass = e3\nrule = 1\nalert = 2\ndecoder = x\n');
  assert.deepEqual(cases.map((c) => [c.key, c.events]), [
    ['log 1 pass', ['e1', 'e2', 'e3']],
    ['log 2 pass', ['other']],
  ]);
});

test('parseTestIni() merges duplicate sections, including their rule/alert/decoder values', () => {
  const cases = parse('[s]\nlog 1 fail = a\nrule = 10\nalert = 3\ndecoder =\n\n[t]\nlog 1 pass = z\nrule = 1\nalert = 1\ndecoder = d\n\n[s]\nlog 1 fail = b\nrule = 10\nalert = 3\ndecoder =\n');
  assert.deepEqual(cases.map((c) => [c.section, c.events, c.expect]), [
    ['s', ['a', 'b'], expectOf('10\n10', '3\n3', '')],
    ['t', ['z'], expectOf('1', '1', 'd')],
  ]);
});

test('parseTestIni() continues a value on deeper-indented lines (one more event)', () => {
  const cases = parse('[s]\nlog 1 pass = line one\n   line two\n\n  line three\nrule = 1\nalert = 2\ndecoder = x\n');
  assert.deepEqual(cases[0]?.events, ['line one', 'line two', 'line three']);
});

test('parseTestIni() treats CR LF and lone CR as line ends; keeps UTF-8 bytes; keeps section names raw', () => {
  const cases = parse('[ a ]\r\nlog 1 pass = \xc3\xbcber\rrule = 1\r\nalert = 2\rdecoder = x');
  assert.deepEqual(cases, [{ file: 'x.ini', section: ' a ', key: 'log 1 pass', events: ['\xc3\xbcber'], expect: expectOf('1', '2', 'x'), mode: 'pass' }]);
});

test('parseTestIni() applies [DEFAULT] to every section, its keys first', () => {
  const cases = parse('[DEFAULT]\ndecoder = d\nlog 0 pass = shared\n[s]\nlog 1 pass = own\nrule = 1\nalert = 2\n');
  assert.deepEqual(cases.map((c) => [c.key, c.events[0], c.expect.decoder]), [
    ['log 0 pass', 'shared', 'd'],
    ['log 1 pass', 'own', 'd'],
  ]);
});

test('parseTestIni() strips with Python\'s whitespace set (U+0085 yes, U+FEFF no)', () => {
  const raw = parseRawIni('[s]\nk = \xc2\x85v\xef\xbb\xbf\n', 'x.ini');
  assert.equal(raw.sections.get('s')?.get('k'), 'v\ufeff');
});

test('parseTestIni() fails where configparser raises', () => {
  const bad = { code: 'RIPOSTE_ERR_INI_SYNTAX' };
  assert.throws(() => parse('log 1 pass = a\n'), bad); // no section header
  assert.throws(() => parse('[s]\nrule = 1\nalert = 2\ndecoder = x\njust text\n'), bad);
  assert.throws(() => parse('[s]\n= value\nrule = 1\nalert = 2\ndecoder = x\n'), bad);
  assert.throws(() => parse('[s]\nlog 1 pass = a\nalert = 2\ndecoder = x\n'), bad); // no rule
  assert.throws(() => parse('[s]\nk = \xff\n'), bad); // not UTF-8
  assert.throws(() => parse('\xef\xbb\xbf[s]\nrule = 1\n'), bad); // a BOM is not stripped
});

test('parseTestIni() stock test files: counts of the default run', () => {
  const files = readdirSync(TESTS_DIR).sort();
  let sections = 0;
  const all: TestCase[] = [];
  const byDefault: TestCase[] = [];
  for (const name of files) {
    const text = readFileSync(join(TESTS_DIR, name), 'latin1');
    sections += parseRawIni(text, name).sections.size;
    const cases = parseTestIni(text, name);
    all.push(...cases);
    if (!isDefaultSkipped(name)) byDefault.push(...cases);
  }
  const lines = (cs: TestCase[]) => cs.reduce((n, c) => n + c.events.length, 0);
  assert.equal(files.length, 84);
  assert.equal(sections, 1062);
  assert.equal(byDefault.length, 1239);
  assert.equal(lines(byDefault), 1448);
  assert.equal(byDefault.filter((c) => c.mode === 'fail').length, 58);
  assert.equal(byDefault.filter((c) => c.events.length > 1).length, 52);
  assert.equal(byDefault.filter((c) => c.expect.alert === '0').length, 151);
  // The geoip files add 18 invocations and 42 lines, as in the full suite (1,788 − 1,770, 2,056 − 2,014).
  assert.equal(all.length - byDefault.length, 18);
  assert.equal(lines(all) - lines(byDefault), 42);
});

test('parseTestIni() stock firewalld.ini: the duplicate section merges into one two-event invocation', () => {
  const cases = parseTestIni(readFileSync(join(TESTS_DIR, 'firewalld.ini'), 'latin1'), 'firewalld.ini');
  assert.equal(cases.length, 2);
  const [merged, single] = cases as [TestCase, TestCase];
  assert.equal(merged.section, 'Incorrect chain/target/match.');
  assert.equal(merged.key, 'log 3 fail');
  assert.equal(merged.mode, 'fail');
  assert.equal(merged.events.length, 2);
  assert.match(merged.events[1] as string, /COMMAND_FAILED/);
  assert.deepEqual(merged.expect, expectOf('40902\n40902', '3\n3', ''));
  assert.deepEqual(single.expect, expectOf('40903', '2', ''));
});

test('parseTestIni() stock sshd.ini: a multi-event brute-force session', () => {
  const cases = parseTestIni(readFileSync(join(TESTS_DIR, 'sshd.ini'), 'latin1'), 'sshd.ini');
  const brute = cases.find((c) => c.section === 'sshd brute force rule');
  assert.ok(brute);
  assert.equal(brute.events.length, 8);
  assert.deepEqual(brute.expect, expectOf('5763', '10', 'sshd'));
  assert.match(brute.events[0] as string, /sshd\[2519\]: Failed/);
});

test('parseTestIni() stock macos.ini (CR LF) and sysmon_eid_1.ini (UTF-8) parse cleanly', () => {
  const mac = parseTestIni(readFileSync(join(TESTS_DIR, 'macos.ini'), 'latin1'), 'macos.ini');
  assert.ok(mac.length > 0);
  assert.ok(mac.every((c) => c.events.every((e) => !e.includes('\r')) && !c.expect.decoder.includes('\r')));
  const sysmon = parseTestIni(readFileSync(join(TESTS_DIR, 'sysmon_eid_1.ini'), 'latin1'), 'sysmon_eid_1.ini');
  // Non-ASCII text stays as its UTF-8 bytes (one char per byte, nothing above 0xFF).
  assert.ok(sysmon.some((c) => c.events.some((e) => /[\x80-\xff]/.test(e))));
  assert.ok(sysmon.every((c) => c.events.every((e) => !/[^\x00-\xff]/.test(e))));
});
