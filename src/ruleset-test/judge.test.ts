import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestCase } from './ini.ts';
import { judge, logtestExitCode } from './judge.ts';

function tc(mode: 'pass' | 'fail', rule: string, alert: string, decoder: string): TestCase {
  return { file: 'x.ini', section: 's', key: `log 1 ${mode}`, events: ['e'], expect: { rule, alert, decoder }, mode };
}
const got = (rule: string, level: string, decoder: string) => ({ rule, level, decoder });

test('logtestExitCode() is 0 only on an exact match with three non-empty fields', () => {
  const expect = { rule: '5715', alert: '3', decoder: 'sshd' };
  assert.equal(logtestExitCode(expect, got('5715', '3', 'sshd')), 0);
  assert.equal(logtestExitCode(expect, got('5715', '3', 'pam')), 1);
  assert.equal(logtestExitCode(expect, got('5715', '03', 'sshd')), 1);
  assert.equal(logtestExitCode(expect, null), 1);
  // A match with empty fields exits with the number of empty fields.
  assert.equal(logtestExitCode({ rule: '1', alert: '0', decoder: '' }, got('1', '0', '')), 1);
  assert.equal(logtestExitCode({ rule: '', alert: '', decoder: '' }, null), 3);
  // A ':' in a field breaks the "-U rule:alert:decoder" syntax: exit 1 whatever happened.
  assert.equal(logtestExitCode({ rule: '1', alert: '2', decoder: 'a:b' }, got('1', '2', 'a:b')), 1);
});

test('judge() pass needs exit 0, fail needs a non-zero exit', () => {
  assert.equal(judge(tc('pass', '5715', '3', 'sshd'), got('5715', '3', 'sshd')), true);
  assert.equal(judge(tc('pass', '5715', '3', 'sshd'), got('5716', '5', 'sshd')), false);
  assert.equal(judge(tc('fail', '5715', '3', 'sshd'), got('5715', '3', 'sshd')), false);
  assert.equal(judge(tc('fail', '5715', '3', 'sshd'), got('5716', '5', 'sshd')), true);
  // firewalld.ini: an empty expected decoder can never give exit 0, so these "fail" cases always pass…
  assert.equal(judge(tc('fail', '40903', '2', ''), got('40903', '2', '')), true);
  // …and a "pass" case expecting an empty field always fails.
  assert.equal(judge(tc('pass', '40903', '2', ''), got('40903', '2', '')), false);
  assert.equal(judge(tc('pass', '1', '2', 'd'), null), false);
  assert.equal(judge(tc('fail', '1', '2', 'd'), null), true);
});
