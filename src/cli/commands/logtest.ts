/**
 * `riposte logtest`: event lines on stdin through ONE session, one JSON record per line.
 * @module
 */
import type { Command } from 'commander';
import { utf8ToBin } from '../../bytes.ts';
import { AnalysisSession } from '../../engine/engine.ts';
import { loadRuleset, stockSources } from '../../engine/load-ruleset.ts';
import { logtestRecord } from '../../engine/output.ts';
import { readByteLines } from '../../io/lines.ts';

export function registerLogtest(program: Command): void {
  program
    .command('logtest')
    .description('Analyse event lines from stdin through one session and print one JSON result per line')
    .requiredOption('--ruleset-dir <dir>', 'ruleset directory (decoders/, rules/, lists/, etc-defaults/)')
    .option('--location <loc>', 'location reported for every line', 'stdin')
    .option('--format <fmt>', 'log format (syslog, json, …): accepted for compatibility; it does not change processing', 'syslog')
    .action(async (opts: { rulesetDir: string; location: string; format: string }) => {
      const ruleset = loadRuleset(stockSources(opts.rulesetDir));
      const session = new AnalysisSession(ruleset);
      const location = utf8ToBin(opts.location);
      let n = 0;
      const out: string[] = [];
      for await (const line of readByteLines(process.stdin)) {
        n++;
        const rec = logtestRecord(n, location, session.process(location, line));
        out.push(JSON.stringify(rec));
        if (out.length >= 256) {
          process.stdout.write(out.join('\n') + '\n');
          out.length = 0;
        }
      }
      if (out.length) process.stdout.write(out.join('\n') + '\n');
    });
}
