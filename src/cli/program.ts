/**
 * The `riposte` command line: one sub-command per file under `src/cli/commands/`.
 * @module
 */
import { Command } from 'commander';
import { registerConfig } from './commands/config.ts';
import { registerLogtest } from './commands/logtest.ts';
import { registerOperate } from './commands/operate.ts';
import { registerReplay } from './commands/replay.ts';
import { registerRulesetTest } from './commands/ruleset-test.ts';
import { registerStart } from './commands/start.ts';
import { registerStore } from './commands/store.ts';

/** Build the commander program with every sub-command registered. */
export function buildCli(): Command {
  const program = new Command('riposte')
    .description('Automated active response, compatible with Wazuh rulesets')
    .version('0.1.0');
  registerLogtest(program);
  registerRulesetTest(program);
  registerReplay(program);
  registerStart(program);
  registerOperate(program);
  registerConfig(program);
  registerStore(program);
  return program;
}
