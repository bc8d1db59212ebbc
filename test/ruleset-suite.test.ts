/**
 * Conformance: Wazuh's own ruleset test suite (the .ini files), run with the reference harness
 * semantics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadTestRuleset, runTestFiles } from '../src/ruleset-test/run.ts';
import { STOCK_RULESET } from './support/golden.ts';

test('runTestFiles() passes the stock ruleset test suite', () => {
  const dir = join(STOCK_RULESET, 'testing', 'tests');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ini')).map((f) => join(dir, f));
  const report = runTestFiles(loadTestRuleset(STOCK_RULESET), files);
  const total = report.passed + report.failed;
  assert.ok(total > 1200, `only ${total} invocations ran`);
  const failures = report.failures.map((f) => `${f.file} [${f.section}] ${f.key}: got ${JSON.stringify(f.got)}`).join('\n');
  assert.equal(report.failed, 0, `${report.failed} of ${total} invocations failed:\n${failures}`);
});
