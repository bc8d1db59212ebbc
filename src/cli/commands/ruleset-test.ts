/**
 * `riposte ruleset test`: Wazuh ruleset test files with the reference harness semantics.
 * @module
 */
import type { Command } from 'commander';
import { loadTestRuleset, runTestFiles } from '../../ruleset-test/run.ts';

export function registerRulesetTest(program: Command): void {
  const ruleset = program.command('ruleset').description('Ruleset tools');
  ruleset
    .command('test')
    .description('Run Wazuh ruleset test files (.ini) against a ruleset directory')
    .requiredOption('--ruleset-dir <dir>', 'ruleset directory (decoders/, rules/, lists/, etc-defaults/, testing/ruleset/)')
    .option('--json', 'print a JSON summary as the last line')
    .option('--no-rewrite-60000', 'do not rewrite rule 60000 to decode Windows JSON (runtests.py -s)')
    .argument('<files...>', 'test files (.ini)')
    .action((files: string[], opts: { rulesetDir: string; json?: boolean; rewrite60000: boolean }) => {
      const rs = loadTestRuleset(opts.rulesetDir, { rewrite60000: opts.rewrite60000 });
      const report = runTestFiles(rs, files);
      const total = report.passed + report.failed;
      for (const f of report.failures) {
        const got = f.got ? `${f.got.rule}/${f.got.level}/${f.got.decoder}` : 'nothing';
        process.stdout.write(`FAIL ${f.file} [${f.section}] ${f.key}: expected ${f.mode === 'fail' ? 'anything but ' : ''}${f.expected.rule}/${f.expected.alert}/${f.expected.decoder}, got ${got}\n`);
      }
      for (const s of report.skippedFiles) process.stdout.write(`skipped ${s} (geoip tests are off by default)\n`);
      const pct = total ? ((100 * report.passed) / total).toFixed(2) : '100.00';
      process.stdout.write(`${report.passed} passed, ${report.failed} failed (${pct}% of ${total} invocations)\n`);
      if (opts.json) process.stdout.write(JSON.stringify({ passed: report.passed, failed: report.failed, failures: report.failures }) + '\n');
      if (report.failed > 0) process.exitCode = 1;
    });
}
