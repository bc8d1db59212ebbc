import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventClock } from './timestamp.ts';

test('EventClock.parse() reads ISO 8601 stamps with and without offsets', () => {
  const c = new EventClock(2024);
  assert.equal(c.parse('2024-05-01T10:00:00Z'), Date.UTC(2024, 4, 1, 10) / 1000);
  assert.equal(c.parse('2024-05-01T10:00:00.123+02:00'), Date.UTC(2024, 4, 1, 8) / 1000);
  assert.equal(c.parse('2024-05-01T10:00:00-0130'), Date.UTC(2024, 4, 1, 11, 30) / 1000);
  assert.equal(c.parse('2024-05-01 10:00:00,123'), new Date(2024, 4, 1, 10).getTime() / 1000);
});

test('EventClock.parse() infers the year of syslog stamps and rolls over at new year', () => {
  const c = new EventClock(2023);
  assert.equal(c.parse('Dec 31 23:59:59'), new Date(2023, 11, 31, 23, 59, 59).getTime() / 1000);
  assert.equal(c.parse('Jan  1 00:00:01'), new Date(2024, 0, 1, 0, 0, 1).getTime() / 1000);
  assert.equal(c.parse('Jan  1 00:00:02'), new Date(2024, 0, 1, 0, 0, 2).getTime() / 1000);
});

test('EventClock.parse() reads other header forms and refuses garbage', () => {
  const c = new EventClock(2024);
  assert.equal(c.parse('2024 Feb 29 12:00:00'), new Date(2024, 1, 29, 12).getTime() / 1000);
  assert.equal(c.parse('Fri Feb 11 18:06:35 2004'), new Date(2004, 1, 11, 18, 6, 35).getTime() / 1000);
  assert.equal(c.parse('1140004423.123 '), 1140004423);
  assert.equal(c.parse('Foo 12 10:00:00'), null);
  assert.equal(c.parse('yesterday'), null);
});
