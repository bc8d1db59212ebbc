import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeKey, activeUntil, describeUntil, markActive, pruneActive } from './dedupe.ts';

const t = { kind: 'ip', value: '192.0.2.1' } as const;

test('activeKey() is response|kind:value', () => {
  assert.equal(activeKey('firewall-drop600', t), 'firewall-drop600|ip:192.0.2.1');
  assert.notEqual(activeKey('a', { kind: 'user', value: 'x' }), activeKey('a', { kind: 'ip', value: 'x' }));
});

test('activeUntil() active while until > now; expired entries are dropped', () => {
  const active = new Map<string, number>();
  const k = activeKey('r', t);
  assert.equal(activeUntil(active, k, 100), null);
  markActive(active, k, 200);
  assert.equal(activeUntil(active, k, 199), 200);
  assert.equal(activeUntil(active, k, 200), null, 'until == now is no longer active');
  assert.equal(active.has(k), false);
});

test('markActive() null until means active until reverted by hand', () => {
  const active = new Map<string, number>();
  markActive(active, 'k', null);
  assert.equal(activeUntil(active, 'k', Number.MAX_SAFE_INTEGER), Infinity);
});

test('pruneActive() removes only expired entries', () => {
  const active = new Map<string, number>([['a', 10], ['b', 20], ['c', Infinity]]);
  assert.equal(pruneActive(active, 15), 1);
  assert.deepEqual([...active.keys()], ['b', 'c']);
});

test('describeUntil() is an ISO date, not epoch seconds', () => {
  assert.equal(describeUntil(1_796_173_455), 'until 2026-12-02T01:04:15Z');
  assert.equal(describeUntil(1_796_173_455.7), 'until 2026-12-02T01:04:15Z');
  assert.equal(describeUntil(Infinity), 'until reverted');
});
