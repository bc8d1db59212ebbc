import { test } from 'node:test';
import { RIPOSTE_HOME } from '../daemon/home.ts';
import { loadRuleset, sourcesFromConfig } from '../engine/load-ruleset.ts';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { RiposteAggregateError, RiposteError, type ErrorCode } from '../errors.ts';
import { loadConfig, parseConfig } from './load.ts';
import type { RiposteConfig } from './types.ts';

const DEFAULT_CONF = fileURLToPath(new URL('../../config/ossec.conf', import.meta.url));

/** 1-based line of the first occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `"${needle}" not in the text`);
  return text.slice(0, at).split('\n').length;
}

function conf(body: string): string {
  return `<ossec_config>\n${body}\n</ossec_config>\n`;
}

interface Expected {
  readonly line: number;
  readonly element: string;
  readonly code?: ErrorCode;
  readonly match?: RegExp;
}

/** Asserts that loading `text` fails with exactly `expected` (in line order). */
function assertErrors(text: string, expected: readonly Expected[]): void {
  assert.throws(
    () => parseConfig(text, 't.conf'),
    (e: unknown) => {
      assert.ok(e instanceof RiposteAggregateError, String(e));
      assert.equal(e.code, 'RIPOSTE_ERR_CONFIG_INVALID');
      const got = e.errors.map((x) => `${x.location?.line} <${x.location?.element}> ${x.code}: ${x.message}`);
      assert.equal(e.errors.length, expected.length, got.join('\n'));
      expected.forEach((want, i) => {
        const err = e.errors[i] as RiposteError;
        assert.equal(err.location?.file, 't.conf');
        assert.equal(err.location?.line, want.line, got[i]);
        assert.equal(err.location?.element, want.element, got[i]);
        assert.equal(err.code, want.code ?? 'RIPOSTE_ERR_CONFIG_INVALID', got[i]);
        if (want.match) assert.match(err.message, want.match);
      });
      return true;
    },
  );
}

/** One error at the line of `needle`, on `element`. */
function assertError(text: string, needle: string, element: string, match?: RegExp): void {
  assertErrors(text, [{ line: lineOf(text, needle), element, ...(match ? { match } : {}) }]);
}

const FIREWALL_DROP = `
  <command>
    <name>firewall-drop</name>
    <executable>firewall-drop</executable>
    <timeout_allowed>yes</timeout_allowed>
  </command>`;

// ---------------------------------------------------------------------------------------------
// The seed article (shared/seeds/000_*.txt): its config blocks, typed out as written.

const SEED_COMMAND_AND_AR = `<!-- Define the command -->
<command>
  <name>firewall-drop</name>
  <executable>firewall-drop</executable>
  <expect>srcip</expect>
  <timeout_allowed>yes</timeout_allowed>
</command>

<!-- Bind command to SSH brute-force rule -->
<active-response>
  <command>firewall-drop</command>
  <location>local</location>
  <rules_id>5763</rules_id>
  <timeout>600</timeout>
</active-response>`;

const SEED_AGENT_AR = `<active-response>
  <disabled>no</disabled>
  <repeated_offenders>30,60,120</repeated_offenders>
</active-response>`;

const SEED_GLOBAL = `<!-- Global whitelist -->
<global>
  <white_list>192.168.1.10</white_list>   <!-- Bastion host -->
  <white_list>10.0.0.5</white_list>        <!-- Wazuh Manager itself -->
  <white_list>127.0.0.1</white_list>
</white_list>
</global>`;

const SEED_NGINX = `<command>
  <name>nginx-restore</name>
  <executable>nginx-restore.sh</executable>
  <expect>srcip</expect>
  <timeout_allowed>no</timeout_allowed>
</command>

<active-response>
  <command>nginx-restore</command>
  <location>local</location>
  <rules_id>550,554</rules_id>
</active-response>`;

test('parseConfig() loads the seed command and active-response blocks as written', () => {
  const cfg = parseConfig(conf(SEED_COMMAND_AND_AR), 'seed.conf');
  const cmd = cfg.commands.get('firewall-drop');
  assert.deepEqual(cmd, {
    name: 'firewall-drop',
    executable: 'firewall-drop',
    timeoutAllowed: true,
    extraArgs: [],
    expect: ['srcip'],
    runTimeoutSec: 60,
    source: { file: 'seed.conf', line: 3 },
  });
  assert.equal(cfg.activeResponses.length, 1);
  assert.deepEqual(cfg.activeResponses[0], {
    name: 'firewall-drop600',
    disabled: false,
    command: 'firewall-drop',
    location: 'local',
    agentId: null,
    level: null,
    rulesGroup: null,
    rulesId: [5763],
    rulesIdLine: 14,
    timeoutSec: 600,
    repeatedOffendersMin: [],
    offenderResetSec: 0,
    mode: 'enforce',
    source: { file: 'seed.conf', line: 11 },
  });
  assert.deepEqual(cfg.warnings, []);
});

test('parseConfig() applies the seed agent-side repeated_offenders to every response without its own', () => {
  const text = conf(`${SEED_COMMAND_AND_AR}\n${SEED_AGENT_AR}
<active-response>
  <command>firewall-drop</command>
  <location>local</location>
  <rules_id>5712</rules_id>
  <timeout>300</timeout>
  <repeated_offenders>10</repeated_offenders>
</active-response>`);
  const cfg = parseConfig(text, 'seed.conf');
  assert.deepEqual(cfg.responseDefaults, {
    disabled: false,
    repeatedOffendersMin: [30, 60, 120],
    offenderResetSec: null,
    mode: null,
    source: { file: 'seed.conf', line: lineOf(text, SEED_AGENT_AR) },
  });
  assert.deepEqual(
    cfg.activeResponses.map((a) => [a.name, a.repeatedOffendersMin]),
    [
      ['firewall-drop600', [30, 60, 120]],
      ['firewall-drop300', [10]],
    ],
  );
});

test('parseConfig() rejects the seed <global> block at its stray </white_list> line', () => {
  const text = conf(SEED_GLOBAL);
  const stray = text.split('\n').findIndex((l) => l === '</white_list>') + 1;
  assert.ok(stray > 0);
  assertErrors(text, [{ line: stray, element: 'global', code: 'RIPOSTE_ERR_XML_SYNTAX', match: /<\/white_list>/ }]);
  // With the surrounding blocks, the file is still rejected at that line only (as Wazuh rejects it).
  const all = conf(`${SEED_COMMAND_AND_AR}\n${SEED_AGENT_AR}\n${SEED_GLOBAL}\n${SEED_NGINX}`);
  const strayAll = all.split('\n').findIndex((l) => l === '</white_list>') + 1;
  assertErrors(all, [{ line: strayAll, element: 'global', code: 'RIPOSTE_ERR_XML_SYNTAX' }]);
});

test('parseConfig() loads every seed block together once the stray line is removed', () => {
  const global = SEED_GLOBAL.replace('</white_list>\n</global>', '</global>');
  const cfg = parseConfig(conf(`${SEED_COMMAND_AND_AR}\n${SEED_AGENT_AR}\n${global}\n${SEED_NGINX}`), 'seed.conf');
  assert.deepEqual(
    cfg.allowlist.map((e) => [e.kind, e.value, e.reason]),
    ['192.168.1.10', '10.0.0.5', '127.0.0.1'].map((ip) => ['ip', ip, 'ossec.conf <global><white_list>']),
  );
  assert.deepEqual([...cfg.commands.keys()], ['firewall-drop', 'nginx-restore']);
  const nginx = cfg.activeResponses.find((a) => a.command === 'nginx-restore');
  assert.equal(nginx?.name, 'nginx-restore0');
  assert.deepEqual(nginx?.rulesId, [550, 554]);
  assert.equal(nginx?.timeoutSec, 0);
  assert.equal(cfg.commands.get('nginx-restore')?.timeoutAllowed, false);
  assert.deepEqual(cfg.warnings, []);
});

// ---------------------------------------------------------------------------------------------
// Semantics

test('parseConfig() forces the timeout to 0 when the command has timeout_allowed=no, with a warning', () => {
  const text = conf(SEED_NGINX.replace('<rules_id>550,554</rules_id>', '<rules_id>550</rules_id>\n  <timeout>600</timeout>'));
  const cfg = parseConfig(text, 't.conf');
  assert.equal(cfg.activeResponses[0]?.timeoutSec, 0);
  assert.equal(cfg.activeResponses[0]?.name, 'nginx-restore0');
  assert.equal(cfg.warnings?.length, 1);
  assert.equal(cfg.warnings?.[0]?.line, lineOf(text, '<timeout>600'));
  assert.equal(cfg.warnings?.[0]?.element, 'timeout');
  assert.match(cfg.warnings?.[0]?.message ?? '', /timeout_allowed=no/);
});

test('parseConfig() merges several <ossec_config> roots in order', () => {
  const text = `<ossec_config>${FIREWALL_DROP}
  <global><white_list>10.0.0.1</white_list></global>
  <alerts><log_alert_level>5</log_alert_level></alerts>
  <ruleset><rule_dir>ruleset/rules</rule_dir></ruleset>
</ossec_config>
<ossec_config>
  <active-response>
    <command>firewall-drop</command>
    <location>local</location>
    <level>10</level>
  </active-response>
  <global><white_list>10.0.0.2</white_list></global>
  <alerts><log_alert_level>7</log_alert_level></alerts>
  <ruleset><rule_dir>etc/rules</rule_dir><list>etc/lists/x</list></ruleset>
  <localfile><log_format>syslog</log_format><location>/var/log/auth.log</location></localfile>
</ossec_config>`;
  const cfg = parseConfig(text, 't.conf');
  assert.deepEqual(cfg.allowlist.map((e) => e.value), ['10.0.0.1', '10.0.0.2']);
  assert.equal(cfg.logAlertLevel, 7);
  assert.equal(cfg.activeResponses[0]?.name, 'firewall-drop0');
  assert.equal(cfg.activeResponses[0]?.level, 10);
  assert.deepEqual(cfg.ruleset?.ruleDirs, ['ruleset/rules', 'etc/rules']);
  assert.deepEqual(cfg.ruleset?.decoderDirs, ['ruleset/decoders']);
  assert.deepEqual(cfg.ruleset?.lists, ['etc/lists/x']);
  assert.deepEqual(cfg.localfiles, [{ location: '/var/log/auth.log', logFormat: 'syslog' }]);
});

test('parseConfig() fills the defaults', () => {
  const empty = parseConfig('<ossec_config></ossec_config>', 'e.conf');
  assert.equal(empty.file, 'e.conf');
  assert.equal(empty.logAlertLevel, 1);
  assert.equal(empty.ruleset, null);
  assert.equal(empty.commands.size, 0);
  assert.deepEqual([empty.allowlist, empty.activeResponses, empty.localfiles, empty.accountAllowlistFiles], [[], [], [], []]);
  assert.equal(empty.responseDefaults, undefined);

  const cfg = parseConfig(
    conf(`<command><name>x</name><executable>x.sh</executable></command>
<active-response><command>x</command><location>server</location><rules_group>sshd|pam</rules_group></active-response>
<ruleset><rule_include>local_rules.xml</rule_include><decoder_include>etc/decoders/d.xml</decoder_include></ruleset>`),
    't.conf',
  );
  const cmd = cfg.commands.get('x');
  assert.equal(cmd?.timeoutAllowed, false);
  assert.equal(cmd?.runTimeoutSec, 60);
  assert.deepEqual([cmd?.extraArgs, cmd?.expect], [[], []]);
  const ar = cfg.activeResponses[0];
  assert.deepEqual(
    [ar?.disabled, ar?.location, ar?.timeoutSec, ar?.mode, ar?.offenderResetSec, ar?.repeatedOffendersMin, ar?.rulesGroup, ar?.level],
    [false, 'server', 0, 'enforce', 0, [], 'sshd|pam', null],
  );
  assert.deepEqual(cfg.ruleset, {
    decoderDirs: ['ruleset/decoders'],
    decoderDirPatterns: ['.xml$'],
    ruleDirs: ['ruleset/rules'],
    ruleDirPatterns: ['.xml$'],
    decoderFiles: ['etc/decoders/d.xml'],
    ruleFiles: ['ruleset/rules/local_rules.xml'],
    lists: [],
    ruleExclude: [],
    decoderExclude: [],
    line: 4,
  });
});

test('parseConfig() reads Riposte elements: run_timeout, extra_args, mode, offender_reset, agent-side defaults', () => {
  const text = conf(`
  <command>
    <name>fw</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed>
    <extra_args>-a  -b c</extra_args><run_timeout>5</run_timeout>
  </command>
  <active-response><mode>simulate</mode><offender_reset>3600</offender_reset></active-response>
  <active-response><command>fw</command><location>local</location><rules_id>1, 2,,3</rules_id><timeout>60</timeout></active-response>
  <active-response><command>fw</command><location>local</location><rules_id>4</rules_id><mode>enforce</mode><offender_reset>0</offender_reset></active-response>`);
  const cfg = parseConfig(text, 't.conf');
  assert.deepEqual(cfg.commands.get('fw')?.extraArgs, ['-a', '-b', 'c']);
  assert.equal(cfg.commands.get('fw')?.runTimeoutSec, 5);
  assert.deepEqual(
    cfg.activeResponses.map((a) => [a.rulesId, a.mode, a.offenderResetSec]),
    [
      [[1, 2, 3], 'simulate', 3600],
      [[4], 'enforce', 0],
    ],
  );
  assert.equal(cfg.responseDefaults?.disabled, false);
  assert.equal(cfg.responseDefaults?.mode, 'simulate');
});

test('parseConfig() substitutes <var> and keeps directory patterns', () => {
  const cfg = parseConfig(
    conf(`<var name="ADMIN_NET">192.0.2.0/24</var>
<global><white_list>$ADMIN_NET</white_list></global>
<ruleset><rule_dir pattern="_rules.xml$">etc/rules</rule_dir><decoder_dir>etc/decoders</decoder_dir></ruleset>`),
    't.conf',
  );
  assert.deepEqual(cfg.allowlist.map((e) => e.value), ['192.0.2.0/24']);
  assert.deepEqual([cfg.ruleset?.ruleDirs, cfg.ruleset?.ruleDirPatterns], [['etc/rules'], ['_rules.xml$']]);
  assert.deepEqual([cfg.ruleset?.decoderDirs, cfg.ruleset?.decoderDirPatterns], [['etc/decoders'], ['.xml$']]);
});

test('parseConfig() records an agent-side <disabled>yes</disabled> as host-wide', () => {
  const cfg = parseConfig(conf('<active-response><disabled>yes</disabled></active-response>'), 't.conf');
  assert.equal(cfg.responseDefaults?.disabled, true);
  assert.deepEqual(cfg.responseDefaults?.repeatedOffendersMin, []);
});

test('parseConfig() maps <location> with Wazuh substring semantics and aliases', () => {
  const loc = (value: string): RiposteConfig['activeResponses'][number]['location'] | undefined =>
    parseConfig(conf(`${FIREWALL_DROP}<active-response><command>firewall-drop</command><location>${value}</location><level>3</level></active-response>`), 't.conf')
      .activeResponses[0]?.location;
  assert.equal(loc('local'), 'local');
  assert.equal(loc('LOCAL'), 'local');
  assert.equal(loc('server'), 'server');
  assert.equal(loc('AS'), 'server');
  assert.equal(loc('analysisd'), 'server');
  assert.equal(loc('analysis-server'), 'server');
  assert.equal(loc('all'), 'all');
  assert.equal(loc('any'), 'all');
  const text = conf(`${FIREWALL_DROP}<active-response><command>firewall-drop</command><location>defined-agent</location><agent_id>002</agent_id><level>3</level></active-response>`);
  const cfg = parseConfig(text, 't.conf');
  assert.deepEqual([cfg.activeResponses[0]?.location, cfg.activeResponses[0]?.agentId], ['defined-agent', '002']);
  // Several keywords: the server branch wins, with a warning.
  const both = parseConfig(conf(`${FIREWALL_DROP}<active-response><command>firewall-drop</command><location>local,server</location><level>3</level></active-response>`), 't.conf');
  assert.equal(both.activeResponses[0]?.location, 'server');
  assert.equal(both.warnings?.[0]?.element, 'location');
});

test('parseConfig() reads <white_list> addresses and networks, and warns about host-name patterns', () => {
  const text = conf(`<global>
  <white_list>192.0.2.0/24</white_list>
  <white_list>198.51.100.0/255.255.255.0</white_list>
  <white_list>2001:db8::/32</white_list>
  <white_list>::1</white_list>
  <white_list>^localhost.localdomain$</white_list>
</global>`);
  const cfg = parseConfig(text, 't.conf');
  assert.deepEqual(cfg.allowlist.map((e) => e.value), ['192.0.2.0/24', '198.51.100.0/255.255.255.0', '2001:db8::/32', '::1']);
  assert.equal(cfg.warnings?.length, 1);
  assert.equal(cfg.warnings?.[0]?.line, lineOf(text, '^localhost'));
});

test('parseConfig() reads <allowlist> entries with their reasons', () => {
  const cfg = parseConfig(
    conf(`<allowlist>
  <ip reason="VPN">192.0.2.0/24</ip>
  <ip reason="jump host">2001:db8::7</ip>
  <account reason="break-glass admin">root</account>
  <account_list>etc/lists/protected-accounts</account_list>
</allowlist>`),
    't.conf',
  );
  assert.deepEqual(cfg.allowlist, [
    { kind: 'ip', value: '192.0.2.0/24', reason: 'VPN' },
    { kind: 'ip', value: '2001:db8::7', reason: 'jump host' },
    { kind: 'account', value: 'root', reason: 'break-glass admin' },
  ]);
  assert.deepEqual(cfg.accountAllowlistFiles, ['etc/lists/protected-accounts']);
});

test('parseConfig() treats level 0 as no level condition, as Wazuh does', () => {
  const cfg = parseConfig(conf(`${FIREWALL_DROP}<active-response><command>firewall-drop</command><location>local</location><level>0</level><rules_id>1</rules_id></active-response>`), 't.conf');
  assert.equal(cfg.activeResponses[0]?.level, null);
  assert.equal(cfg.warnings?.[0]?.element, 'level');
});

test('parseConfig() keeps command sources out of localfiles, and gives journald its location', () => {
  const cfg = parseConfig(
    conf(`<localfile><log_format>command</log_format><command>df -P</command><frequency>360</frequency></localfile>
<localfile><log_format>journald</log_format></localfile>
<localfile><log_format>multi-line: 3</log_format><location>/var/log/x</location></localfile>`),
    't.conf',
  );
  assert.deepEqual(cfg.localfiles, [
    { location: 'journald', logFormat: 'journald', origin: { file: 't.conf', line: 3 } },
    { location: '/var/log/x', logFormat: 'multi-line: 3' },
  ]);
  assert.equal(cfg.warnings?.length, 1);
});

test('parseConfig() returns a deep-frozen configuration', () => {
  const cfg = parseConfig(conf(`${SEED_COMMAND_AND_AR}\n${SEED_AGENT_AR}<ruleset><list>a</list></ruleset><global><white_list>10.0.0.1</white_list></global>`), 't.conf');
  assert.ok(Object.isFrozen(cfg));
  for (const v of [cfg.allowlist, cfg.allowlist[0], cfg.activeResponses, cfg.activeResponses[0], cfg.activeResponses[0]?.rulesId, cfg.activeResponses[0]?.source]) {
    assert.ok(Object.isFrozen(v));
  }
  assert.ok(Object.isFrozen(cfg.ruleset?.lists));
  assert.ok(Object.isFrozen(cfg.responseDefaults?.repeatedOffendersMin));
  assert.ok(Object.isFrozen(cfg.commands.get('firewall-drop')?.expect));
  assert.throws(() => (cfg.allowlist as unknown[]).push(1), TypeError);
  assert.throws(() => ((cfg as { logAlertLevel: number }).logAlertLevel = 9), TypeError);
  const commands = cfg.commands as Map<string, unknown>;
  assert.throws(() => commands.set('x', {}), TypeError);
  assert.throws(() => commands.delete('firewall-drop'), TypeError);
  assert.throws(() => commands.clear(), TypeError);
  assert.equal(cfg.commands.size, 1);
});

// ---------------------------------------------------------------------------------------------
// Errors: each names the file, line and element

test('parseConfig() rejects unknown elements and sections', () => {
  let t = conf(`${FIREWALL_DROP}<active-response><command>firewall-drop</command><location>local</location>\n<timout>60</timout></active-response>`);
  assertError(t, '<timout>', 'timout', /Unknown element in <active-response>/);
  t = conf('<globals><white_list>1.2.3.4</white_list></globals>');
  assertError(t, '<globals>', 'globals', /Unknown section/);
  t = conf('<logtest><enabled>yes</enabled></logtest>');
  assertError(t, '<logtest>', 'logtest');
  t = '<agent_config><localfile/></agent_config>';
  assertError(t, '<agent_config>', 'agent_config', /root element/);
  t = conf('<global>\n<white_lst>1.2.3.4</white_lst></global>');
  assertError(t, '<white_lst>', 'white_lst');
  t = conf('<localfile><log_format>syslog</log_format><location>/x</location>\n<lcation>/y</lcation></localfile>');
  assertError(t, '<lcation>', 'lcation');
  t = conf('<ruleset>\n<rules_dir>x</rules_dir></ruleset>');
  assertError(t, '<rules_dir>', 'rules_dir');
  t = conf(`<command><name>a</name><executable>a</executable>\n<timeout>5</timeout></command>`);
  assertError(t, '<timeout>', 'timeout', /Unknown element in <command>/);
  t = conf('<allowlist>\n<host reason="x">a</host></allowlist>');
  assertError(t, '<host', 'host');
  t = conf('<alerts>\n<log_level>3</log_level></alerts>');
  assertError(t, '<log_level>', 'log_level');
  t = conf('<ruleset>\n<rule_dir patern=".xml$">x</rule_dir></ruleset>');
  assertError(t, '<rule_dir', 'rule_dir', /Unknown attribute "patern"/);
});

test('parseConfig() rejects invalid values', () => {
  const ar = (inner: string): string => conf(`${FIREWALL_DROP}<active-response><command>firewall-drop</command><location>local</location><rules_id>1</rules_id>\n${inner}</active-response>`);
  assertError(ar('<timeout>ten</timeout>'), '<timeout>', 'timeout', /"ten"/);
  assertError(ar('<timeout>-5</timeout>'), '<timeout>', 'timeout');
  assertError(ar('<level>21</level>'), '<level>', 'level', /0 to 20/);
  assertError(ar('<disabled>true</disabled>'), '<disabled>', 'disabled', /yes or no/);
  assertError(ar('<repeated_offenders>1,2,3,4,5,6</repeated_offenders>'), '<repeated_offenders>', 'repeated_offenders', /at most 5/);
  assertError(ar('<repeated_offenders>30,x</repeated_offenders>'), '<repeated_offenders>', 'repeated_offenders');
  assertError(ar('<mode>dry-run</mode>'), '<mode>', 'mode');
  assertError(ar('<offender_reset>1d</offender_reset>'), '<offender_reset>', 'offender_reset');
  assertError(ar('<rules_group>(a|b)</rules_group>'), '<rules_group>', 'rules_group');
  assertError(conf(`${FIREWALL_DROP}<active-response><command>firewall-drop</command>\n<location>nowhere</location><level>3</level></active-response>`), '<location>', 'location');
  assertError(conf(`${FIREWALL_DROP}<active-response><command>firewall-drop</command>\n<location>defined-agent</location><level>3</level></active-response>`), '<location>', 'location', /agent_id/);
  assertError(conf(`${FIREWALL_DROP}<active-response><command>firewall-drop</command><location>defined-agent</location>\n<agent_id>001,002</agent_id><level>3</level></active-response>`), '<agent_id>', 'agent_id');
  assertError(conf(`${FIREWALL_DROP}<active-response><command>firewall-drop</command><location>local</location><rules_id>1</rules_id>\n<timeout>1</timeout><timeout>2</timeout></active-response>`), '<timeout>2', 'timeout', /Duplicate/);
  assertError(conf('<alerts>\n<log_alert_level>17</log_alert_level></alerts>'), '<log_alert_level>', 'log_alert_level');
  assertError(conf('<localfile>\n<log_format>syslogs</log_format><location>/x</location></localfile>'), '<log_format>', 'log_format');
  assertError(conf('<global>\n<logall>maybe</logall></global>'), '<logall>', 'logall');
  assertError(conf('<command><name>a</name><executable>a</executable>\n<run_timeout>0</run_timeout></command>'), '<run_timeout>', 'run_timeout');
  assertError(conf('<command>\n<name>!a</name><executable>a</executable></command>'), '<name>', 'name', /"!"/);
});

test('parseConfig() rejects executables that are paths', () => {
  for (const exe of ['/usr/bin/id', '../bin/x', 'a/b', 'x..y', 'a\\b']) {
    const t = conf(`<command><name>a</name>\n<executable>${exe}</executable></command>`);
    assertError(t, '<executable>', 'executable', /file name/);
  }
});

test('parseConfig() rejects unknown and duplicate command names', () => {
  let t = conf(`<active-response>\n<command>firewall-drop</command><location>local</location><level>3</level></active-response>`);
  assertError(t, '<command>firewall-drop', 'command', /Unknown command "firewall-drop"/);
  // Disabled blocks are checked too.
  t = conf(`<active-response><disabled>yes</disabled>\n<command>host-deny</command><location>local</location><level>3</level></active-response>`);
  assertError(t, '<command>host-deny', 'command');
  t = conf(`${FIREWALL_DROP}\n<command>\n<name>firewall-drop</name><executable>other</executable></command>`);
  const second = t.lastIndexOf('<name>firewall-drop');
  assertErrors(t, [{ line: t.slice(0, second).split('\n').length, element: 'name', match: /Duplicate command name .*line 3/ }]);
});

test('parseConfig() rejects missing required elements', () => {
  assertError(conf('<command>\n<executable>a</executable></command>').replace('<command>\n', '\n<command>'), '<command>', 'command', /Missing <name>/);
  assertError(conf('\n<command><name>a</name></command>'), '<command>', 'command', /Missing <executable>/);
  assertError(conf(`${FIREWALL_DROP}\n<active-response><command>firewall-drop</command><level>3</level></active-response>`), '<active-response>', 'active-response', /Missing <location>/);
  assertError(conf('\n<active-response><rules_id>1</rules_id><repeated_offenders>1</repeated_offenders></active-response>'), '<active-response>', 'active-response', /Missing <command> and <location>/);
  assertError(conf('\n<localfile><location>/x</location></localfile>'), '<localfile>', 'localfile', /log_format/);
  assertError(conf('\n<localfile><log_format>syslog</log_format></localfile>'), '<localfile>', 'localfile', /location/);
  assertError(conf('\n<localfile><log_format>full_command</log_format></localfile>'), '<localfile>', 'localfile', /command/);
  assertError(conf('<command><name>\n</name><executable>a</executable></command>'), '<name>', 'name', /Empty/);
});

test('parseConfig() rejects invalid addresses and missing reasons', () => {
  for (const bad of ['192.168.1.300', '10.0.0.0/33', '10.0.0.0/255.0.255.0', '1.2.3', '2001:db8::/129', '2001:db8:::1']) {
    assertError(conf(`<global>\n<white_list>${bad}</white_list></global>`), '<white_list>', 'white_list', /Invalid IP/);
    assertError(conf(`<allowlist>\n<ip reason="r">${bad}</ip></allowlist>`), '<ip', 'ip', /Invalid IP/);
  }
  assertError(conf('<global>\n<white_list>!10.0.0.1</white_list></global>'), '<white_list>', 'white_list', /negated/);
  assertError(conf('<allowlist>\n<ip reason="r">localhost</ip></allowlist>'), '<ip', 'ip');
  assertError(conf('<allowlist>\n<ip>10.0.0.1</ip></allowlist>'), '<ip>', 'ip', /reason/);
  assertError(conf('<allowlist>\n<account reason="  ">root</account></allowlist>'), '<account', 'account', /reason/);
  assertError(conf('<allowlist>\n<account reason="r" why="x">root</account></allowlist>'), '<account', 'account', /Unknown attribute/);
});

test('parseConfig() reports every error of a file at once, in line order', () => {
  const t = conf(`<command>
  <name>firewall-drop</name>
  <executable>/sbin/iptables</executable>
</command>
<active-response>
  <command>firewall-drop</command>
  <location>local</location>
  <timeout>soon</timeout>
  <level>99</level>
</active-response>
<global>
  <white_list>300.1.1.1</white_list>
</global>
<bogus/>`);
  assertErrors(t, [
    { line: lineOf(t, '<executable>'), element: 'executable' },
    { line: lineOf(t, '<timeout>'), element: 'timeout' },
    { line: lineOf(t, '<level>'), element: 'level' },
    { line: lineOf(t, '<white_list>'), element: 'white_list' },
    { line: lineOf(t, '<bogus/>'), element: 'bogus' },
  ]);
});

test('parseConfig() reports XML syntax and variable errors as the only error', () => {
  const t = conf('<global>\n<white_list>1.2.3.4</white_list>\n</globl>');
  assertErrors(t, [{ line: lineOf(t, '</globl>'), element: 'global', code: 'RIPOSTE_ERR_XML_SYNTAX' }]);
  const v = conf('<var name="NET">10.0.0.0/8</var>\n<global><white_list>$NETS</white_list></global>');
  assertErrors(v, [{ line: lineOf(v, '<white_list>'), element: 'white_list', code: 'RIPOSTE_ERR_XML_VAR' }]);
  assertErrors('<!-- nothing -->', [{ line: 1, element: 'ossec_config', match: /No <ossec_config>/ }]);
});

// ---------------------------------------------------------------------------------------------
// Whole files

/**
 * A short manager configuration typed for this test, with the shape of Wazuh 4.14's stock
 * `ossec.conf`: every top-level section it has, nested wodle/indexer/cluster content, command
 * log sources, and a second `<ossec_config>` root as the installer appends.
 */
const STOCK_LIKE = String.raw`<!-- Manager configuration in the shape of the stock file -->
<ossec_config>
  <global>
    <jsonout_output>yes</jsonout_output>
    <alerts_log>yes</alerts_log>
    <logall>no</logall>
    <logall_json>no</logall_json>
    <email_notification>no</email_notification>
    <smtp_server>smtp.example.test</smtp_server>
    <email_from>riposte@example.test</email_from>
    <email_to>ops@example.test</email_to>
    <email_maxperhour>12</email_maxperhour>
    <email_log_source>alerts.log</email_log_source>
    <agents_disconnection_time>10m</agents_disconnection_time>
    <agents_disconnection_alert_time>0</agents_disconnection_alert_time>
    <update_check>yes</update_check>
  </global>
  <alerts>
    <log_alert_level>3</log_alert_level>
    <email_alert_level>12</email_alert_level>
  </alerts>
  <logging><log_format>plain</log_format></logging>
  <remote>
    <connection>secure</connection>
    <port>1514</port>
    <protocol>tcp</protocol>
  </remote>
  <rootcheck>
    <disabled>no</disabled>
    <frequency>43200</frequency>
    <ignore>/var/lib/docker/overlay2</ignore>
  </rootcheck>
  <wodle name="cis-cat"><disabled>yes</disabled><interval>1d</interval></wodle>
  <wodle name="osquery"><disabled>yes</disabled><add_labels>yes</add_labels></wodle>
  <wodle name="syscollector">
    <disabled>no</disabled>
    <ports all="yes">yes</ports>
    <synchronization><max_eps>10</max_eps></synchronization>
  </wodle>
  <wodle name="open-scap"><content type="oval" path="cve-oval.xml"/></wodle>
  <sca><enabled>yes</enabled><interval>12h</interval></sca>
  <vulnerability-detection>
    <enabled>yes</enabled>
    <feed-update-interval>60m</feed-update-interval>
  </vulnerability-detection>
  <indexer>
    <enabled>yes</enabled>
    <hosts><host>https://0.0.0.0:9200</host></hosts>
    <ssl><certificate_authorities><ca>/etc/certs/root-ca.pem</ca></certificate_authorities></ssl>
  </indexer>
  <syscheck>
    <disabled>no</disabled>
    <auto_ignore frequency="10" timeframe="3600">no</auto_ignore>
    <directories>/etc,/usr/bin,/usr/sbin</directories>
    <ignore type="sregex">.log$|.swp$</ignore>
    <synchronization><enabled>yes</enabled></synchronization>
  </syscheck>
  <global>
    <white_list>127.0.0.1</white_list>
    <white_list>^localhost.localdomain$</white_list>
    <white_list>10.0.0.2</white_list>
  </global>
  <command><name>disable-account</name><executable>disable-account</executable><timeout_allowed>yes</timeout_allowed></command>
  <command><name>restart-wazuh</name><executable>restart-wazuh</executable></command>
  <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
  <command><name>host-deny</name><executable>host-deny</executable><timeout_allowed>yes</timeout_allowed></command>
  <command><name>route-null</name><executable>route-null</executable><timeout_allowed>yes</timeout_allowed></command>
  <command><name>win_route-null</name><executable>route-null.exe</executable><timeout_allowed>yes</timeout_allowed></command>
  <command><name>netsh</name><executable>netsh.exe</executable><timeout_allowed>yes</timeout_allowed></command>
  <!--
  <active-response>
    a commented-out block
  </active-response>
  -->
  <localfile>
    <log_format>command</log_format>
    <command>df -P</command>
    <frequency>360</frequency>
  </localfile>
  <localfile>
    <log_format>full_command</log_format>
    <command>ss -tln | sed 's/\(x\)\ \+/\1 /' | sort</command>
    <alias>listening ports</alias>
    <frequency>360</frequency>
  </localfile>
  <ruleset>
    <decoder_dir>ruleset/decoders</decoder_dir>
    <rule_dir>ruleset/rules</rule_dir>
    <rule_exclude>0215-policy_rules.xml</rule_exclude>
    <list>etc/lists/audit-keys</list>
    <list>etc/lists/malicious-ioc/malicious-ip</list>
    <decoder_dir>etc/decoders</decoder_dir>
    <rule_dir>etc/rules</rule_dir>
  </ruleset>
  <rule_test><enabled>yes</enabled><threads>1</threads></rule_test>
  <auth><disabled>no</disabled><port>1515</port></auth>
  <cluster>
    <name>wazuh</name>
    <key></key>
    <nodes><node>NODE_IP</node></nodes>
    <disabled>yes</disabled>
  </cluster>
</ossec_config>

<ossec_config>
  <localfile>
    <log_format>journald</log_format>
    <location>journald</location>
  </localfile>
  <localfile>
    <log_format>syslog</log_format>
    <location>/var/ossec/logs/active-responses.log</location>
  </localfile>
</ossec_config>
`;

test('parseConfig() loads a configuration shaped like the stock Wazuh manager file', () => {
  const cfg = parseConfig(STOCK_LIKE, 'stock.conf');
  assert.deepEqual(cfg.allowlist.map((e) => e.value), ['127.0.0.1', '10.0.0.2']);
  assert.equal(cfg.commands.size, 7);
  assert.equal(cfg.commands.get('restart-wazuh')?.timeoutAllowed, false);
  assert.deepEqual(cfg.activeResponses, []);
  assert.equal(cfg.logAlertLevel, 3);
  assert.deepEqual(cfg.localfiles, [
    { location: 'journald', logFormat: 'journald', origin: { file: 'stock.conf', line: 106 } },
    { location: '/var/ossec/logs/active-responses.log', logFormat: 'syslog' },
  ]);
  assert.deepEqual(cfg.ruleset?.ruleDirs, ['ruleset/rules', 'etc/rules']);
  assert.deepEqual(cfg.ruleset?.ruleExclude, ['0215-policy_rules.xml']);
  // The host-name white_list entry and the two command sources are reported, not fatal.
  assert.deepEqual(
    cfg.warnings?.map((w) => [w.line, w.element]),
    [
      [lineOf(STOCK_LIKE, '<white_list>^localhost'), 'white_list'],
      [lineOf(STOCK_LIKE, '<localfile>\n    <log_format>command<'), 'localfile'],
      [lineOf(STOCK_LIKE, '<localfile>\n    <log_format>full_command'), 'localfile'],
    ],
  );
});

test('loadConfig() loads the shipped config/ossec.conf without warnings', () => {
  const cfg = loadConfig(DEFAULT_CONF);
  assert.deepEqual(cfg.warnings, []);
  assert.deepEqual(cfg.allowlist.map((e) => e.value), ['127.0.0.1', '::1']);
  const fw = cfg.activeResponses.find((a) => a.command === 'firewall-drop');
  assert.deepEqual(
    [fw?.name, fw?.disabled, fw?.location, fw?.rulesId, fw?.timeoutSec, fw?.repeatedOffendersMin, fw?.offenderResetSec, fw?.mode],
    ['firewall-drop600', false, 'local', [5763, 5712, 5720, 5551], 600, [30, 60, 120], 86400, 'enforce'],
  );
  assert.equal(cfg.commands.get('firewall-drop')?.timeoutAllowed, true);
  const others = cfg.activeResponses.filter((a) => a !== fw);
  assert.deepEqual(others.map((a) => [a.command, a.disabled]), [
    ['host-deny', true],
    ['disable-account', true],
  ]);
  assert.deepEqual(cfg.localfiles.map((l) => [l.logFormat, l.location, l.filters?.map((f) => `${f.field}=${f.expression}`), l.skipIfJournald]), [
    ['journald', 'journald', ['_SYSTEMD_UNIT=^ssh.service$'], undefined],
    ['syslog', '/var/log/auth.log', undefined, true],
  ]);
  assert.deepEqual([cfg.ruleset?.decoderDirs, cfg.ruleset?.ruleDirs], [['ruleset/decoders'], ['ruleset/rules']]);
  // The default ruleset uses no CDB list; the shipped config must load together with it.
  assert.deepEqual(cfg.ruleset?.lists, []);
  const rs = loadRuleset(sourcesFromConfig(cfg.ruleset as NonNullable<typeof cfg.ruleset>, RIPOSTE_HOME));
  assert.ok(rs.rules.byId.has(5763) && rs.rules.byId.has(5712));
});

test('loadConfig() reports an unreadable file with RIPOSTE_ERR_CONFIG_READ', () => {
  assert.throws(
    () => loadConfig(fileURLToPath(new URL('./does-not-exist.conf', import.meta.url))),
    (e: unknown) => e instanceof RiposteError && e.code === 'RIPOSTE_ERR_CONFIG_READ',
  );
});

test('parseConfig() reports an unknown command even in a block with other errors, among 25 others', () => {
  const bogus = Array.from({ length: 25 }, (_, i) => `<global><bogus${i}>x</bogus${i}></global>`).join('\n');
  const t = conf(`${bogus}
<active-response>
  <command>nosuchcmd</command>
  <location>nowhere</location>
  <rules_id>5712</rules_id>
  <timeout>soon</timeout>
</active-response>`);
  const expected: Expected[] = Array.from({ length: 25 }, (_, i) => ({ line: i + 2, element: `bogus${i}` }));
  expected.push(
    { line: lineOf(t, '<command>nosuchcmd'), element: 'command', match: /Unknown command "nosuchcmd"/ },
    { line: lineOf(t, '<location>nowhere'), element: 'location' },
    { line: lineOf(t, '<timeout>soon'), element: 'timeout' },
  );
  assertErrors(t, expected);
  // A command dropped for its own error is reported once, not again where it is used.
  const own = conf(`<command><name>fw</name><executable>/sbin/fw</executable></command>
<active-response><command>fw</command><location>local</location><rules_id>5712</rules_id></active-response>`);
  assertError(own, '<executable>', 'executable');
});

test('parseConfig() rejects stray text inside <ossec_config> and inside the sections it reads', () => {
  const t = conf(`<global><white_list>192.0.2.1</white_list></global>
white_list 192.0.2.2
<alerts><log_alert_level>3</log_alert_level></alerts>`);
  assertError(t, 'white_list 192.0.2.2', 'ossec_config', /Stray text inside <ossec_config>/);
  const inner = conf(`<command>
  <name>fw</name>
  firewall-drop
  <executable>firewall-drop</executable>
</command>`);
  assertError(inner, '  firewall-drop\n', 'command', /Stray text inside <command>/);
  const after = conf('<global><white_list>192.0.2.1</white_list> 192.0.2.2 </global>');
  assertError(after, '<global>', 'global', /Stray text/);
  // Comments, blank lines and the ">" that os_xml leaves after `<x a="1"/>` are not text.
  const fine = parseConfig(conf('<!-- a comment -->\n\n<wodle name="syscollector"/>\n<alerts><log_alert_level>3</log_alert_level></alerts>'), 'f.conf');
  assert.equal(fine.logAlertLevel, 3);
});

test('parseConfig() keeps a <white_list> IPv6 address with a zone index as the address, with a warning', () => {
  const t = conf('<global>\n<white_list>fe80::1%eth0</white_list>\n<white_list>bastion.example.com</white_list>\n</global>');
  const cfg = parseConfig(t, 'z.conf');
  assert.deepEqual(cfg.allowlist.map((e) => e.value), ['fe80::1']);
  assert.deepEqual(cfg.warnings?.map((w) => [w.line, w.element]), [[3, 'white_list'], [4, 'white_list']]);
  assert.match(cfg.warnings?.[0]?.message ?? '', /zone index is ignored, "fe80::1" is allowlisted/);
});

test('parseConfig() reads <global><memory_size> (the correlation memory) and refuses a size below 16', () => {
  assert.equal(parseConfig(conf('<global><memory_size>65536</memory_size></global>'), 'm.conf').memorySize, 65536);
  assert.equal(parseConfig(conf('<global></global>'), 'm.conf').memorySize, undefined);
  assertErrors(conf('<global><memory_size>8</memory_size></global>'), [{ line: 2, element: 'memory_size', match: /16 to 10000000/ }]);
});
