/**
 * Loading: the stock ruleset loads with no error; broken files fail with file, line and element,
 * and every error of one load is reported together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleset, stockSources } from '../src/engine/load-ruleset.ts';
import { RiposteAggregateError } from '../src/errors.ts';
import { STOCK_RULESET } from './support/golden.ts';

function tempRuleset(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-rs-'));
  for (const sub of ['decoders', 'rules', 'lists', 'etc-defaults']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'rules', '0010-base.xml'), '<group name="syslog,">\n  <rule id="1" level="0" noalert="1">\n    <category>syslog</category>\n    <description>base</description>\n  </rule>\n</group>\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function loadErrors(dir: string): RiposteAggregateError {
  try {
    loadRuleset(stockSources(dir));
  } catch (err) {
    assert.ok(err instanceof RiposteAggregateError, String(err));
    return err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.fail('the load should have failed');
}

test('loadRuleset() loads the whole stock ruleset with no error', () => {
  const rs = loadRuleset(stockSources(STOCK_RULESET));
  assert.ok(rs.rules.count > 4000, `only ${rs.rules.count} rules`);
  assert.ok(rs.decoders.withProgramName.length + rs.decoders.withoutProgramName.length > 150);
  assert.ok(rs.rules.byId.has(5763) && rs.rules.byId.has(100001));
  assert.ok(!rs.rules.byId.has(0) && rs.rules.byId.get(5716)?.level === 5);
});

test('loadRuleset() names file, line and element of malformed XML', () => {
  const err = loadErrors(tempRuleset({ 'rules/0020-bad.xml': '<group name="x,">\n  <rule id="100" level="3">\n    <match>foo</match>\n  </rul>\n</group>\n' }));
  assert.equal(err.errors.length, 1);
  assert.match(err.message, /0020-bad\.xml:\d+/);
  assert.equal(err.errors[0]?.code, 'RIPOSTE_ERR_XML_SYNTAX');
});

test('loadRuleset() reports an unknown rule element with its line', () => {
  const err = loadErrors(tempRuleset({ 'rules/0020-bad.xml': '<group name="x,">\n  <rule id="100" level="3">\n    <description>d</description>\n    <bogus>foo</bogus>\n  </rule>\n</group>\n' }));
  assert.equal(err.errors[0]?.location?.line, 4);
  assert.equal(err.errors[0]?.location?.element, 'bogus');
  assert.equal(err.errors[0]?.code, 'RIPOSTE_ERR_RULE_INVALID');
});

test('loadRuleset() rejects an invalid regex and names the element', () => {
  const err = loadErrors(tempRuleset({ 'rules/0020-bad.xml': '<group name="x,">\n  <rule id="100" level="3">\n    <description>d</description>\n    <regex>bad\\qescape</regex>\n  </rule>\n</group>\n' }));
  assert.equal(err.errors[0]?.code, 'RIPOSTE_ERR_REGEX_SYNTAX');
  assert.equal(err.errors[0]?.location?.element, 'regex');
  assert.equal(err.errors[0]?.location?.line, 4);
});

test('loadRuleset() rejects a decoder whose parent is not loaded, and a level out of range', () => {
  const err = loadErrors(tempRuleset({
    'decoders/0001-bad.xml': '<decoder name="child">\n  <parent>nope</parent>\n  <regex>(\\d+)</regex>\n  <order>id</order>\n</decoder>\n',
    'rules/0020-bad.xml': '<group name="x,">\n  <rule id="100" level="42">\n    <description>d</description>\n  </rule>\n</group>\n',
  }));
  assert.equal(err.errors.length, 2, err.message);
  assert.ok(err.errors.some((e) => e.code === 'RIPOSTE_ERR_DECODER_INVALID' && e.location?.file.endsWith('0001-bad.xml')));
  assert.ok(err.errors.some((e) => e.code === 'RIPOSTE_ERR_RULE_INVALID' && e.location?.line === 2));
});

test('loadRuleset() rejects a decoder with a regex but no order, and frequency without context', () => {
  const err = loadErrors(tempRuleset({
    'decoders/0001-bad.xml': '<decoder name="d1">\n  <prematch>^x</prematch>\n  <regex>(\\d+)</regex>\n</decoder>\n',
    'rules/0020-bad.xml': '<group name="x,">\n  <rule id="100" level="4" frequency="4">\n    <description>d</description>\n  </rule>\n</group>\n',
  }));
  assert.equal(err.errors.length, 2, err.message);
  assert.match(err.message, /regex> and <order> require each other/);
  assert.match(err.message, /need if_matched_sid/);
});
