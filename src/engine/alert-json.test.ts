import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { alertJson, wazuhTimestamp } from './alert-json.ts';
import { dataObject, logtestRecord } from './output.ts';
import { AnalysisSession } from './engine.ts';
import { loadRuleset, stockSources } from './load-ruleset.ts';

const STOCK = new URL('../../../shared/wazuh-ruleset', import.meta.url).pathname;
const ruleset = loadRuleset(stockSources(STOCK));

test('alertJson() writes an sshd failure in Wazuh alerts.json shape', () => {
  const s = new AnalysisSession(ruleset, () => 1_700_000_000);
  const p = s.process('/var/log/auth.log', 'Dec 10 01:02:02 host sshd[1234]: Failed password for root from 198.51.100.1 port 1066 ssh2');
  interface Shape {
    rule: { id: string; level: number; groups: string[]; pci_dss: string[]; mitre: { id: string[]; tactic: string[]; technique: string[] }; firedtimes: number; mail: boolean };
    agent: unknown;
    data: unknown;
    decoder: unknown;
    location: string;
  }
  const raw = alertJson(p, { agentName: 'mgr', managerName: 'mgr', id: '1700000000.1' }, 1_700_000_000_000);
  assert.ok(raw);
  const a = raw as unknown as Shape & Record<string, unknown>;
  assert.deepEqual(Object.keys(raw), ['timestamp', 'rule', 'agent', 'manager', 'id', 'full_log', 'predecoder', 'decoder', 'data', 'location']);
  assert.equal(a.rule.id, '5760');
  assert.equal(a.rule.level, 5);
  assert.deepEqual(a.rule.groups, ['syslog', 'sshd', 'authentication_failed']);
  assert.ok(a.rule.pci_dss.includes('10.2.4'));
  assert.deepEqual(a.rule.mitre, { id: ['T1110.001', 'T1021.004'], tactic: ['unknown'], technique: ['T1110.001 (name unavailable)', 'T1021.004 (name unavailable)'] });
  assert.equal(a.rule.firedtimes, 1);
  assert.equal(a.rule.mail, false);
  assert.deepEqual(a.agent, { id: '000', name: 'mgr' });
  assert.deepEqual(a.data, { srcip: '198.51.100.1', srcport: '1066', dstuser: 'root' });
  assert.deepEqual(a.decoder, { parent: 'sshd', name: 'sshd' });
  assert.equal(a.location, '/var/log/auth.log');
});

test('alertJson() is null for events that raise no alert', () => {
  const s = new AnalysisSession(ruleset, () => 1_700_000_000);
  assert.equal(alertJson(s.process('x', 'nothing to see'), { agentName: 'a', managerName: 'm', id: '1.1' }, 0), null);
});

test('wazuhTimestamp() prints milliseconds and a numeric zone offset', () => {
  assert.match(wazuhTimestamp(1_700_000_000_123), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.123[+-]\d{4}$/);
});

const who = { agentName: 'mgr', managerName: 'mgr', id: '1700000000.1' };

test('alertJson() keeps JSON types inside decoded arrays: numbers, objects and nested arrays', () => {
  const s = new AnalysisSession(ruleset, () => 1_700_000_000);
  const p = s.process('stdin', '{"integration":"gcp","TTLs":[60,60],"ip_port_info":[{"ip_protocol":"TCP","port_range":["22"]}],"unmapped":[["a","b"],[1]],"n":5}');
  const data = dataObject(p.event) as Record<string, unknown>;
  assert.deepEqual(data['TTLs'], [60, 60]);
  assert.deepEqual(data['ip_port_info'], [{ ip_protocol: 'TCP', port_range: ['22'] }]);
  assert.deepEqual(data['unmapped'], [['a', 'b'], [1]]);
  assert.equal(data['n'], '5', 'scalars outside arrays stay strings');
});

test('the decoder object carries ftscomment (logtest and alerts.json)', () => {
  const s = new AnalysisSession(ruleset, () => 1_700_000_000, { ignoreMode: 'live' });
  const line = 'Sep  1 10:25:29 10.10.10.1 %IPS-4-SIGNATURE: Sig:3051 Subsig:1 Sev:4 TCP Connection Window Size DoS [192.168.100.11:51654 -> 10.10.10.10:4444]';
  const p = s.process('stdin', line);
  const want = { parent: 'cisco-ios', name: 'cisco-ios', ftscomment: 'First time Cisco IOS IDS/IPS module rule fired.' };
  assert.deepEqual(logtestRecord(1, 'stdin', p)['decoder'], want);
  assert.deepEqual(alertJson(p, who, 0)?.['decoder'], want);
  assert.equal(p.outcome.rule?.id, 20100);
  // The same key again: not a first time any more (rule 20101), and the comment is still printed.
  const again = s.process('stdin', line);
  assert.equal(again.outcome.rule?.id, 20101);
  assert.deepEqual(alertJson(again, who, 0)?.['decoder'], want);
});

test('an fts list naming extra_data keys on the data field, as decode-xml.c maps it (FTS_DATA)', () => {
  // checkpoint-syslog-ids: <fts>name, extra_data, srcip, dstip</fts>, and it decodes extra_data,
  // never data: two attacks between the same addresses are one first-time-seen key.
  const s = new AnalysisSession(ruleset, () => 1_700_000_000);
  const ids = ['Port scan', 'Smurf'].map((a) => s.process('stdin', `Dec 10 01:02:02 fw Checkpoint: 10Dec2024 01:02:02 monitor attack: ${a}; src: 192.0.2.1; dst: 198.51.100.2; proto: tcp;`).outcome.rule?.id);
  assert.deepEqual(ids, [20100, 20101]);
});

test('fts on an IDS decoder: a key close to more than two recent ones is cut to its prefix, so a flood raises one first time', () => {
  const s = new AnalysisSession(ruleset, () => 1_700_000_000);
  const ids = [11, 12, 13, 14, 15, 11].map((h) => s.process('stdin', `Sep  1 10:25:29 10.10.10.1 %IPS-4-SIGNATURE: Sig:3051 Subsig:1 Sev:4 TCP Connection Window Size DoS [192.0.2.${h}:51654 -> 198.51.100.10:4444]`).outcome.rule?.id);
  // Three distinct sources are first times; the fourth is close to three: its key becomes
  // "cisco-ios 3051" (new, a first time); the fifth cuts to the same prefix (seen); .11 again is seen.
  assert.deepEqual(ids, [20100, 20100, 20100, 20100, 20101, 20101]);
});

test('alertJson() writes previous_output for a frequency rule: the counted events, newest first', () => {
  const s = new AnalysisSession(ruleset, () => 1_700_000_000, { ignoreMode: 'live' });
  const lines: string[] = [];
  let last = null;
  for (let i = 0; i < 8; i++) {
    lines.push(`Dec 10 01:02:0${i} host sshd[1234]: Failed password for root from 198.51.100.1 port ${1000 + i} ssh2`);
    last = alertJson(s.process('/var/log/auth.log', lines[i] as string), who, 0);
  }
  assert.equal((last?.['rule'] as { id: string }).id, '5763');
  // frequency 8: the 7 earlier failures, newest first (the current event is full_log).
  assert.equal(last?.['previous_output'], lines.slice(0, 7).reverse().join('\n'));
  assert.deepEqual(Object.keys(last ?? {}).slice(4, 7), ['id', 'previous_output', 'full_log']);
  const plain = alertJson(s.process('/var/log/auth.log', 'Dec 10 01:03:00 host sshd[1]: Failed password for root from 198.51.100.2 port 1 ssh2'), who, 0);
  assert.equal(plain?.['previous_output'], undefined);
});

test('alertJson() sets mail for rules at email_alert_level (12) and above, as analysisd does', () => {
  const ref = readFileSync(new URL('../../../shared/conformance/wazuh-live/devini-auditd.alerts.json', import.meta.url), 'utf8')
    .split('\n').filter(Boolean).map((l) => JSON.parse(l) as { rule: { id: string; mail: boolean }; full_log: string });
  const replay = ref.find((a) => a.rule.id === '80740');
  assert.ok(replay && replay.rule.mail);
  const s = new AnalysisSession(ruleset, () => 1_700_000_000, { ignoreMode: 'live' });
  const a = alertJson(s.process('stdin', replay.full_log), who, 0);
  assert.deepEqual([(a?.['rule'] as { id: string }).id, (a?.['rule'] as { mail: boolean }).mail], ['80740', true]);
  assert.equal((alertJson(s.process('stdin', replay.full_log), { ...who, emailAlertLevel: 13 }, 0)?.['rule'] as { mail: boolean }).mail, false);
});

test('alertJson() writes decoder {} for an undecoded event and nothing for a no_log rule', () => {
  const s = new AnalysisSession(ruleset, () => 1_700_000_000, { ignoreMode: 'live' });
  // f2b-xrdp line 1: no decoder matches, rule 2501 alerts on the text (the live reference has `{}`).
  const xrdp = s.process('/var/log/xrdp.log', 'Apr  7 12:22:02 servername xrdp[52415]: [INFO ] xrdp_wm_log_msg: login failed for user loginjector ip=192.168.0.4 time=12345\\n[20220407-12:16:59] [INFO ] AUTHFAIL: user=endinjection');
  assert.equal(xrdp.event.decoder, null);
  assert.deepEqual(alertJson(xrdp, who, 0)?.['decoder'], {});
  const pf = s.process('stdin', 'Nov  8 12:37:34 pfSense filterlog: 5,,,1000102433,em0,match,block,in,4,0x0,,128,24677,0,none,17,udp,186,10.9.0.119,10.9.0.255,17500,17600,166');
  assert.equal(pf.outcome.rule?.id, 87701);
  assert.ok(pf.outcome.alert);
  assert.equal(alertJson(pf, who, 0), null, 'rule 87701 has <options>no_log</options>');
});
