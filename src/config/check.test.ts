import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAgainstRuleset, checkCollects } from './check.ts';
import { parseConfig } from './load.ts';

const RULES = { byId: new Map<number, unknown>([[5712, {}], [5763, {}]]) };

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, needle);
  return text.slice(0, at).split('\n').length;
}

const TEXT = `<ossec_config>
  <command><name>fw</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response>
    <command>fw</command>
    <location>local</location>
    <rules_id>5763,100999,5712,100998</rules_id>
  </active-response>
  <active-response>
    <disabled>yes</disabled>
    <command>fw</command>
    <location>local</location>
    <rules_id>424242</rules_id>
  </active-response>
  <active-response><command>fw</command><location>local</location><rules_id>5712</rules_id></active-response>
</ossec_config>
`;

test('checkAgainstRuleset() reports each <rules_id> naming no loaded rule at its line: error if enabled, warning if disabled', () => {
  const cfg = parseConfig(TEXT, 'c.conf');
  const issues = checkAgainstRuleset(cfg, RULES, 'ruleset "r"');
  assert.deepEqual(issues.map((i) => [i.level, i.code, i.file, i.line]), [
    ['error', 'RIPOSTE_ERR_CONFIG_INVALID', 'c.conf', lineOf(TEXT, '<rules_id>5763')],
    ['warning', 'RIPOSTE_WARN_CONFIG', 'c.conf', lineOf(TEXT, '<rules_id>424242')],
  ]);
  assert.match(issues[0]?.message ?? '', /rules 100999, 100998, not in the ruleset "r"/);
  assert.match(issues[1]?.message ?? '', /rule 424242.*\(disabled\)/);
  // Host-wide off (agent-side <disabled>yes</disabled>): nothing runs, so warnings only.
  const off = parseConfig(TEXT.replace('</ossec_config>', '<active-response><disabled>yes</disabled></active-response>\n</ossec_config>'), 'c.conf');
  assert.deepEqual(checkAgainstRuleset(off, RULES, 'r').map((i) => i.level), ['warning', 'warning']);
});

test('checkAgainstRuleset() makes a ruleset with no rule an error at the <ruleset> line', () => {
  const text = '<ossec_config>\n<alerts><log_alert_level>3</log_alert_level></alerts>\n<ruleset><rule_dir>nowhere</rule_dir></ruleset>\n</ossec_config>\n';
  const issues = checkAgainstRuleset(parseConfig(text, 'e.conf'), { byId: new Map() }, 'ruleset "x"');
  assert.deepEqual(issues.map((i) => [i.level, i.code, i.line]), [['error', 'RIPOSTE_ERR_RULESET_LOAD', 3]]);
  assert.match(issues[0]?.message ?? '', /loads no rule/);
});

test('checkCollects() makes a configuration without a collected <localfile> an error at its root', () => {
  const none = parseConfig('<!-- c -->\n<ossec_config>\n</ossec_config>\n', 'n.conf');
  assert.deepEqual(checkCollects(none).map((i) => [i.level, i.file, i.line]), [['error', 'n.conf', 2]]);
  // Command output is not collected by Riposte: a file with only that collects nothing.
  const cmdOnly = parseConfig('<ossec_config><localfile><log_format>command</log_format><command>df</command></localfile></ossec_config>', 'c.conf');
  assert.equal(checkCollects(cmdOnly).length, 1);
  const ok = parseConfig('<ossec_config><localfile><log_format>syslog</log_format><location>/var/log/auth.log</location></localfile></ossec_config>', 'o.conf');
  assert.deepEqual(checkCollects(ok), []);
});
