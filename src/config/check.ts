/**
 * Checks that need more than the configuration file: the configuration against the ruleset it
 * is run with (a `<rules_id>` naming no loaded rule binds a response to nothing, found only when
 * an attack happens), and against what `riposte start` does with it (it must collect some log).
 * Pure: no I/O; the caller loads the ruleset.
 * @module
 */
import type { ErrorCode } from '../errors.ts';
import type { RiposteConfig } from './types.ts';

/** One finding of a load, as `riposte config check --json` lists it. */
export interface ConfigIssue {
  readonly level: 'error' | 'warning';
  readonly code: ErrorCode;
  /** The message alone (file and line are in their own fields). */
  readonly message: string;
  readonly file: string;
  readonly line: number;
}

/** What the post-load checks need of a ruleset. */
export interface RulesView {
  readonly byId: ReadonlyMap<number, unknown>;
}

/**
 * The configuration against the ruleset it runs with.
 * - a ruleset with no rule at all is an error (the daemon would never alert);
 * - each `<rules_id>` id that no loaded rule has is an error for an enabled response, a warning
 *   for a disabled one (it binds nothing until enabled).
 * @param rulesetName how the ruleset was chosen, for messages (e.g. `<ruleset> of "x.conf"`)
 * @example checkAgainstRuleset(config, { byId: new Map() }, 'ruleset "r"') // [{ level: 'error', … }]
 */
export function checkAgainstRuleset(config: RiposteConfig, rules: RulesView, rulesetName: string): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const file = config.file;
  if (rules.byId.size === 0) {
    out.push({
      level: 'error', code: 'RIPOSTE_ERR_RULESET_LOAD', file, line: config.ruleset?.line ?? config.rootLine ?? 1,
      message: `The ${rulesetName} loads no rule: nothing would ever alert (check its directories and files)`,
    });
    return out;
  }
  const off = config.responseDefaults?.disabled === true;
  for (const ar of config.activeResponses) {
    const missing = ar.rulesId.filter((id) => !rules.byId.has(id));
    if (missing.length === 0) continue;
    const disabled = ar.disabled || off;
    out.push({
      level: disabled ? 'warning' : 'error',
      code: disabled ? 'RIPOSTE_WARN_CONFIG' : 'RIPOSTE_ERR_CONFIG_INVALID',
      file: ar.source.file,
      line: ar.rulesIdLine ?? ar.source.line,
      message: `<rules_id> names ${missing.length === 1 ? 'rule' : 'rules'} ${missing.join(', ')}, not in the ${rulesetName}: response "${ar.command}"${disabled ? ' (disabled)' : ''} would never run for ${missing.length === 1 ? 'it' : 'them'}`,
    });
  }
  return out;
}

/**
 * The configuration as `riposte start` uses it: with nothing to collect the daemon starts, reads
 * nothing and never alerts.
 */
export function checkCollects(config: RiposteConfig): ConfigIssue[] {
  if (config.localfiles.length > 0) return [];
  return [{
    level: 'error', code: 'RIPOSTE_ERR_CONFIG_INVALID', file: config.file, line: config.rootLine ?? 1,
    message: 'No <localfile> that Riposte collects: riposte start would read no log and never alert',
  }];
}
