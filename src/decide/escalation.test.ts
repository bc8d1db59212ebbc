import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escalate, offenderKey, pruneOffenders, recordOffence } from './escalation.ts';

const t = { kind: 'ip', value: '192.0.2.1' } as const;

test('offenderKey() is per command and target; simulation is kept apart', () => {
  assert.equal(offenderKey('firewall-drop', t, 'enforce'), 'firewall-drop|ip:192.0.2.1');
  assert.notEqual(offenderKey('firewall-drop', t, 'simulate'), offenderKey('firewall-drop', t, 'enforce'));
});

test('recordOffence() counts 1, 2, 3 and remembers the last time', () => {
  const m = new Map<string, { count: number; last: number }>();
  assert.equal(recordOffence(m, 'k', 100, 0), 1);
  assert.equal(recordOffence(m, 'k', 5000, 0), 2);
  assert.equal(recordOffence(m, 'k', 1e9, 0), 3, 'resetSec 0 never forgets (Wazuh)');
  assert.deepEqual(m.get('k'), { count: 3, last: 1e9 });
});

test('recordOffence() offenderResetSec forgets an offender whose last offence is older', () => {
  const m = new Map<string, { count: number; last: number }>();
  recordOffence(m, 'k', 0, 3600);
  assert.equal(recordOffence(m, 'k', 3600, 3600), 2, 'exactly resetSec later still counts');
  assert.equal(recordOffence(m, 'k', 7201, 3600), 1, 'older than resetSec: a first offence again');
});

test('escalate() 1st = configured, 2nd = ro[0]*60, 3rd = ro[1]*60, then the last repeats', () => {
  const ro = [30, 60, 120];
  assert.deepEqual(escalate(600, ro, 1), { timeoutSec: 600, escalated: false });
  assert.deepEqual(escalate(600, ro, 2), { timeoutSec: 1800, escalated: true });
  assert.deepEqual(escalate(600, ro, 3), { timeoutSec: 3600, escalated: true });
  assert.deepEqual(escalate(600, ro, 4), { timeoutSec: 7200, escalated: true });
  assert.deepEqual(escalate(600, ro, 50), { timeoutSec: 7200, escalated: true });
});

test('escalate() can shorten (Wazuh takes the list as given)', () => {
  assert.deepEqual(escalate(3600, [5], 2), { timeoutSec: 300, escalated: true });
});

test('escalate() no list, no timeout, or a list starting at 0: no escalation', () => {
  assert.deepEqual(escalate(600, [], 5), { timeoutSec: 600, escalated: false });
  assert.deepEqual(escalate(0, [30], 5), { timeoutSec: 0, escalated: false });
  assert.deepEqual(escalate(600, [0, 30], 5), { timeoutSec: 600, escalated: false });
  assert.deepEqual(escalate(600, [10, 0, 30], 5), { timeoutSec: 600, escalated: true }, 'the list ends at the first 0');
});

test('pruneOffenders() drops offenders older than resetSec; 0 keeps all', () => {
  const m = new Map([['a', { count: 1, last: 0 }], ['b', { count: 4, last: 900 }]]);
  assert.equal(pruneOffenders(m, 1000, 0), 0);
  assert.equal(pruneOffenders(m, 1000, 500), 1);
  assert.deepEqual([...m.keys()], ['b']);
});
