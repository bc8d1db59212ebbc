import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDefaultSkipped, rewriteRule60000, testRulesetFiles, WIN_BASE_RULES_FILE } from './harness.ts';

const RULESET_DIR = fileURLToPath(new URL('../../../shared/wazuh-ruleset', import.meta.url));

test('testRulesetFiles() lists the test_* decoders and rules runtests.py copies, geoip ones included', () => {
  const { extraDecoders, extraRules } = testRulesetFiles(RULESET_DIR);
  assert.deepEqual(extraDecoders.map((p) => basename(p)), [
    'test_decoders.xml',
    'test_expr_negation_decoders.xml',
    'test_osmatch_regex_decoders.xml',
    'test_osregex_regex_decoders.xml',
    'test_overwrite_decoders.xml',
    'test_pcre2_regex_decoders.xml',
    'test_static_filters_decoders.xml',
  ]);
  assert.deepEqual(extraRules.map((p) => basename(p)), [
    'test_expr_negation_geoip_rules.xml',
    'test_expr_negation_rules.xml',
    'test_osmatch_regex_rules.xml',
    'test_osregex_regex_geoip_rules.xml',
    'test_osregex_regex_rules.xml',
    'test_overwrite_rules.xml',
    'test_pcre2_regex_geoip_rules.xml',
    'test_pcre2_regex_rules.xml',
    'test_rules.xml',
    'test_static_filters_rules.xml',
  ]);
  assert.equal(extraRules[0], join(RULESET_DIR, 'testing', 'ruleset', 'test_expr_negation_geoip_rules.xml'));
});

test('isDefaultSkipped() skips *geoip.ini and anything that is not .ini', () => {
  assert.equal(isDefaultSkipped('tests/test_static_filters_geoip.ini'), true);
  assert.equal(isDefaultSkipped('tests/geoip.ini'), true);
  assert.equal(isDefaultSkipped('tests/sshd.ini'), false);
  assert.equal(isDefaultSkipped('tests/test_features.ini'), false);
  assert.equal(isDefaultSkipped('tests/README.md'), true);
});

test('rewriteRule60000() swaps category/decoded_as of rule 60000 for decoded_as json', () => {
  const original = readFileSync(join(RULESET_DIR, 'rules', WIN_BASE_RULES_FILE), 'latin1');
  const out = rewriteRule60000(original);
  const rule = (text: string) => text.slice(text.indexOf('<rule id="60000"'), text.indexOf('</rule>') + 7);
  assert.equal(
    rule(out),
    '<rule id="60000" level="0">\n    <field name="win.system.providerName">\\.+</field>\n    <options>no_full_log</options>\n' +
      '    <description>Group of windows rules.</description>\n  <decoded_as>json</decoded_as></rule>',
  );
  // Everything outside rule 60000 is unchanged, comments included.
  assert.equal(out.slice(out.indexOf('</rule>')), original.slice(original.indexOf('</rule>')));
  assert.equal(out.slice(0, out.indexOf('<rule id="60000"')), original.slice(0, original.indexOf('<rule id="60000"')));
});

test('rewriteRule60000() finds the rule by id, skips comments and keeps other rules', () => {
  const xml =
    '<group name="w,">\n<!-- <rule id="60000"><category>x</category></rule> -->\n' +
    '<rule id="1"><decoded_as>a</decoded_as><category>ossec</category></rule>\n' +
    "<rule level='0' id='60000'>\n  <decoded_as>windows_eventchannel</decoded_as>\n  <!-- <category>no</category> -->\n  <category>ossec</category>\n</rule>\n</group>\n";
  assert.equal(
    rewriteRule60000(xml),
    '<group name="w,">\n<!-- <rule id="60000"><category>x</category></rule> -->\n' +
      '<rule id="1"><decoded_as>a</decoded_as><category>ossec</category></rule>\n' +
      "<rule level='0' id='60000'>\n  <!-- <category>no</category> -->\n  <decoded_as>json</decoded_as></rule>\n</group>\n",
  );
});

test('rewriteRule60000() fails like runtests.py when the rule or an element is missing', () => {
  const err = { code: 'RIPOSTE_ERR_RULESET_LOAD' };
  assert.throws(() => rewriteRule60000('<group name="w,"><rule id="600001"></rule></group>'), err);
  assert.throws(() => rewriteRule60000('<group name="w,"><rule id="60000"><decoded_as>x</decoded_as></rule></group>'), err);
  assert.throws(() => rewriteRule60000('<group name="w,"><rule id="60000"><category>x</category></rule></group>'), err);
});
