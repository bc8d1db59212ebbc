/**
 * The reference ruleset test harness (`ruleset/testing/runtests.py`): test files, pass/fail rule
 * and the installation changes it makes before running.
 * @module
 */
export { parseRawIni, parseTestIni, type RawIni, type TestCase } from './ini.ts';
export { judge, logtestExitCode, type LogtestResult } from './judge.ts';
export { isDefaultSkipped, rewriteRule60000, testRulesetFiles, WIN_BASE_RULES_FILE } from './harness.ts';
