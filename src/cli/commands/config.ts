/**
 * `riposte config check`: every error and warning a configuration would meet at `riposte start`
 * (the file, its programs, its ruleset, the checks against that ruleset), listed at once, before
 * anything runs. Exits non-zero when there is an error.
 * @module
 */
import type { Command } from 'commander';
import { BUNDLED_RESPONSES, DEFAULT_CONFIG, RIPOSTE_HOME } from '../../daemon/home.ts';
import { ConfigLoad, formatIssue, type ConfigIssue } from '../../config/prepare.ts';
import { RiposteError } from '../../errors.ts';

/** What `--json` prints: one object. */
export interface ConfigCheckV1 {
  readonly config: string;
  /** How the ruleset was chosen ("" when the file could not be read or parsed). */
  readonly ruleset: string;
  /** Rules loaded, or null when the ruleset did not load. */
  readonly rules: number | null;
  readonly errors: number;
  readonly warnings: number;
  /** Errors first (the configuration file's in line order), then warnings. */
  readonly issues: readonly ConfigIssue[];
}

interface CheckOptions {
  config: string;
  json?: boolean;
  rulesetDir?: string;
  responseDir: string[];
}

async function check(o: CheckOptions): Promise<ConfigCheckV1> {
  let load: ConfigLoad;
  try {
    load = await ConfigLoad.begin({
      configFile: o.config, home: RIPOSTE_HOME, responseDirs: [BUNDLED_RESPONSES, ...o.responseDir], collects: true,
      ...(o.rulesetDir ? { rulesetDir: o.rulesetDir } : {}),
    });
  } catch (err) {
    if (!(err instanceof RiposteError)) throw err;
    const issue: ConfigIssue = { level: 'error', code: err.code, message: err.message, file: o.config, line: 0 };
    return { config: o.config, ruleset: '', rules: null, errors: 1, warnings: 0, issues: [issue] };
  }
  load.loadRuleset();
  const issues = load.issues();
  return {
    config: o.config,
    ruleset: load.rulesetName,
    rules: load.ruleset?.rules.byId.size ?? null,
    errors: issues.filter((i) => i.level === 'error').length,
    warnings: issues.filter((i) => i.level === 'warning').length,
    issues,
  };
}

export function registerConfig(program: Command): void {
  const config = program.command('config').description('Check configurations');
  config
    .command('check')
    .description('List every error and warning of a configuration as riposte start would meet them (exit 1 on errors)')
    .option('--config <file>', 'ossec.conf to check', DEFAULT_CONFIG)
    .option('--ruleset-dir <dir>', 'check against this ruleset directory instead of the config\'s <ruleset>')
    .option('--response-dir <dir>', 'an extra directory of response programs (searched after the bundled one)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--json', 'print the result as one JSON object')
    .action(async (o: CheckOptions) => {
      const r = await check(o);
      if (o.json === true) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
      } else {
        for (const i of r.issues) process.stdout.write(`${formatIssue(i)}\n`);
        if (r.rules !== null) process.stdout.write(`ruleset: ${r.ruleset}: ${r.rules} rules\n`);
        process.stdout.write(`${r.config}: ${r.errors} error(s), ${r.warnings} warning(s)\n`);
      }
      if (r.errors > 0) process.exitCode = 1;
    });
}
