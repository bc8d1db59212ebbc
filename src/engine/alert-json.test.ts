import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertJson, wazuhTimestamp } from './alert-json.ts';
import { AnalysisSession } from './engine.ts';
import { loadRuleset, stockSources } from './load-ruleset.ts';

const STOCK = new URL('../../../shared/wazuh-ruleset', import.meta.url).pathname;
const ruleset = loadRuleset(stockSources(STOCK));

test('alertJson() writes an sshd failure in Wazuh alerts.json shape', () => {
  const s = new AnalysisSession(ruleset, () => 1_700_000_000);
  const p = s.process('/var/log/auth.log', 'Dec 10 01:02:02 host sshd[1234]: Failed password for root from 198.51.100.1 port 1066 ssh2');
  interface Shape {
    rule: { id: string; level: number; groups: string[]; pci_dss: string[]; mitre: { id: string[] }; firedtimes: number; mail: boolean };
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
  assert.deepEqual(a.rule.mitre.id, ['T1110.001', 'T1021.004']);
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
