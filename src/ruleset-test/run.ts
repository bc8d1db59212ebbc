/**
 * Runs ruleset test files against a ruleset directory the way `runtests.py` does: one engine
 * load with the `test_*` extras and the rule-60000 rewrite, then one fresh session per test key.
 * @module
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AnalysisSession, type Ruleset } from '../engine/engine.ts';
import { loadRuleset, stockSources } from '../engine/load-ruleset.ts';
import { isDefaultSkipped, rewriteRule60000, testRulesetFiles, WIN_BASE_RULES_FILE } from './harness.ts';
import { parseTestIni, type TestCase } from './ini.ts';
import { judge, type LogtestResult } from './judge.ts';

export interface TestFailure {
  readonly file: string;
  readonly section: string;
  readonly key: string;
  readonly mode: 'pass' | 'fail';
  readonly expected: TestCase['expect'];
  readonly got: LogtestResult | null;
}

export interface TestReport {
  passed: number;
  failed: number;
  skippedFiles: string[];
  failures: TestFailure[];
}

/** Load `rulesetDir` as the harness installs it (extras after the stock files, rule 60000 rewritten). */
export function loadTestRuleset(rulesetDir: string, opts: { rewrite60000?: boolean } = {}): Ruleset {
  const extras = testRulesetFiles(rulesetDir);
  const rewrite = opts.rewrite60000 ?? true;
  return loadRuleset(stockSources(rulesetDir, { decoders: extras.extraDecoders, rules: extras.extraRules }), {
    transformRuleText: (file, text) => (rewrite && basename(file) === WIN_BASE_RULES_FILE ? rewriteRule60000(text) : text),
  });
}

/** Run one test invocation: every event through one new session; the last result is judged. */
export function runTestCase(ruleset: Ruleset, tc: TestCase, clock?: () => number): { ok: boolean; last: LogtestResult | null } {
  const session = new AnalysisSession(ruleset, clock);
  let last: LogtestResult | null = null;
  for (const line of tc.events) {
    const p = session.process('stdin', line);
    const r = p.outcome.rule;
    last = { rule: r ? String(r.id) : '', level: r ? String(r.level) : '', decoder: p.event.decoder?.name ?? '' };
  }
  return { ok: judge(tc, last), last };
}

/** Run every test of `iniFiles` (default-skipped files, e.g. geoip, are reported and skipped). */
export function runTestFiles(ruleset: Ruleset, iniFiles: readonly string[]): TestReport {
  const report: TestReport = { passed: 0, failed: 0, skippedFiles: [], failures: [] };
  for (const file of iniFiles) {
    if (isDefaultSkipped(file)) {
      report.skippedFiles.push(file);
      continue;
    }
    const cases = parseTestIni(readFileSync(file).toString('latin1'), file);
    for (const tc of cases) {
      const { ok, last } = runTestCase(ruleset, tc);
      if (ok) report.passed++;
      else {
        report.failed++;
        report.failures.push({ file: basename(file), section: tc.section, key: tc.key, mode: tc.mode, expected: tc.expect, got: last });
      }
    }
  }
  return report;
}
