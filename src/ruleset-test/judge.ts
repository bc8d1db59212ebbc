/**
 * The pass/fail rule of the reference harness: `runtests.py` runs `wazuh-logtest -U
 * rule:alert:decoder` and looks only at its exit code.
 * @module
 */
import type { TestCase } from './ini.ts';

/** What wazuh-logtest records after an event: rule id, level as a string, decoder name (`''` if none). */
export interface LogtestResult {
  rule: string;
  level: string;
  decoder: string;
}

/**
 * The exit code of `wazuh-logtest -U rule:alert:decoder` once its input ends, given the result of
 * the last event it processed (`null` when none was: its record then stays `['', '', '']`).
 * - The `-U` argument split on `:` must give exactly 3 parts, else exit 1 before any event.
 * - On an exact match the exit code is the number of empty fields (0 only if none is empty).
 * - Otherwise 1.
 */
export function logtestExitCode(expect: TestCase['expect'], last: LogtestResult | null): number {
  const ut = `${expect.rule}:${expect.alert}:${expect.decoder}`.split(':');
  if (ut.length !== 3) return 1;
  const got = last ?? { rule: '', level: '', decoder: '' };
  if (ut[0] !== got.rule || ut[1] !== got.level || ut[2] !== got.decoder) return 1;
  return ut.filter((part) => part === '').length;
}

/**
 * Whether runtests.py counts the invocation as passed: `pass` needs exit code 0, `fail` needs a
 * non-zero exit code.
 * @example judge(tc, { rule: '5715', level: '3', decoder: 'sshd' })
 */
export function judge(tc: TestCase, last: LogtestResult | null): boolean {
  const code = logtestExitCode(tc.expect, last);
  return tc.mode === 'pass' ? code === 0 : code !== 0;
}
