/**
 * Adapter: everything a command needs before it acts on a configuration, checked once and
 * reported together — the file itself (every error, every warning), the response programs its
 * `<command>`s name (found in a response directory, safe owner and mode), the ruleset it runs
 * with (Riposte's default one when the file has no `<ruleset>`), and the checks of the
 * configuration against that ruleset. `riposte start`, `riposte replay` and `riposte config
 * check` go through here, so a configuration that cannot do what it says is refused or warned
 * about the same way everywhere.
 * @module
 */
import { join } from 'node:path';
import type { Ruleset } from '../engine/engine.ts';
import { loadRuleset, sourcesFromConfig, stockSources, type RulesetSources } from '../engine/load-ruleset.ts';
import { RiposteAggregateError, RiposteError, formatLocation, type ErrorCode } from '../errors.ts';
import { resolveProgram } from '../execute/resolve.ts';
import { checkAgainstRuleset, checkCollects, type ConfigIssue } from './check.ts';
import { readConfigFile } from './load.ts';
import type { ConfigWarning, RiposteConfig } from './types.ts';

export type { ConfigIssue } from './check.ts';

export interface PrepareOptions {
  readonly configFile: string;
  /** Riposte's home: relative `<ruleset>` paths resolve against it; its `ruleset/` is the default. */
  readonly home: string;
  /** `--ruleset-dir`: this directory (Wazuh's layout) instead of the configuration's ruleset. */
  readonly rulesetDir?: string;
  /**
   * Response directories in search order: every `<command>`'s program is resolved and checked
   * there (a program bound to an enabled response must be usable; others get a warning).
   * Absent: programs are not checked (replay runs nothing).
   */
  readonly responseDirs?: readonly string[];
  /** The configuration is run by `riposte start`: it must collect at least one log. */
  readonly collects?: boolean;
}

/** A configuration ready to run, with its ruleset. */
export interface Prepared {
  readonly config: RiposteConfig;
  readonly ruleset: Ruleset;
  /** How the ruleset was chosen, e.g. `default ruleset "/opt/riposte/ruleset"`. */
  readonly rulesetName: string;
  readonly warnings: readonly ConfigIssue[];
}

/** The ruleset a configuration runs with, and how it was chosen. */
export function chooseRuleset(config: RiposteConfig | null, opts: Pick<PrepareOptions, 'home' | 'rulesetDir'>): { sources: RulesetSources; name: string } {
  if (opts.rulesetDir !== undefined) return { sources: stockSources(opts.rulesetDir), name: `ruleset directory "${opts.rulesetDir}" (--ruleset-dir)` };
  if (config?.ruleset) return { sources: sourcesFromConfig(config.ruleset, opts.home), name: `ruleset of <ruleset> in "${config.file}"` };
  // The documented default: no <ruleset> element loads Riposte's own ruleset (never nothing).
  const dir = join(opts.home, 'ruleset');
  return { sources: stockSources(dir), name: `default ruleset "${dir}" (no <ruleset> in the configuration)` };
}

/** `warning: file:line: message`, the form every command prints its warnings in (after "riposte: "). */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.level}: ${issue.file}${issue.line > 0 ? `:${issue.line}` : ''}: ${issue.message}`;
}

/**
 * One load of a configuration, in two steps so that `riposte start` can start its helper
 * processes between them (while it is still small): {@link ConfigLoad.begin} reads the file and
 * checks the programs, {@link ConfigLoad.finish} loads the ruleset, runs the remaining checks and
 * throws every error of both steps at once.
 */
export class ConfigLoad {
  readonly file: string;
  readonly config: RiposteConfig | null;
  readonly #opts: PrepareOptions;
  readonly #errors: RiposteError[] = [];
  readonly #warnings: ConfigIssue[] = [];
  #ruleset: Ruleset | null = null;
  #rulesetName = '';
  #rulesLoaded = false;

  private constructor(opts: PrepareOptions, config: RiposteConfig | null) {
    this.#opts = opts;
    this.file = opts.configFile;
    this.config = config;
  }

  /**
   * Read and check the configuration file, then resolve every `<command>`'s program.
   * @throws RiposteError `RIPOSTE_ERR_CONFIG_READ` when the file cannot be read (nothing else:
   *   the errors found are thrown by {@link finish})
   */
  static async begin(opts: PrepareOptions): Promise<ConfigLoad> {
    const reading = readConfigFile(opts.configFile);
    const load = new ConfigLoad(opts, reading.config);
    load.#errors.push(...reading.errors);
    for (const w of reading.warnings) load.#warnings.push(configWarning(w));
    if (reading.config !== null && opts.responseDirs !== undefined) await load.#checkPrograms(reading.config, opts.responseDirs);
    return load;
  }

  async #checkPrograms(config: RiposteConfig, dirs: readonly string[]): Promise<void> {
    const allOff = config.responseDefaults?.disabled === true;
    for (const cmd of config.commands.values()) {
      try {
        await resolveProgram(cmd.executable, dirs);
      } catch (err) {
        if (!(err instanceof RiposteError)) throw err;
        const bound = !allOff && config.activeResponses.some((a) => a.command === cmd.name && !a.disabled);
        const message = `Command "${cmd.name}": ${err.message}${bound ? '' : ' (no enabled <active-response> uses it)'}`;
        const at = { file: cmd.source.file, line: cmd.source.line };
        if (bound) this.#errors.push(new RiposteError(err.code, message, at));
        else this.#warnings.push({ level: 'warning', code: 'RIPOSTE_WARN_CONFIG', message, file: at.file, line: at.line });
      }
    }
  }

  /** Load the ruleset (once) and check the configuration against it; errors are kept for later. */
  loadRuleset(): void {
    if (this.#rulesLoaded) return;
    this.#rulesLoaded = true;
    // An XML syntax error is reported alone, as the configuration loader does.
    if (this.config === null) return;
    const { sources, name } = chooseRuleset(this.config, this.#opts);
    this.#rulesetName = name;
    try {
      this.#ruleset = loadRuleset(sources);
    } catch (err) {
      if (err instanceof RiposteAggregateError) this.#errors.push(...err.errors);
      else if (err instanceof RiposteError) this.#errors.push(err);
      else throw err;
      return;
    }
    for (const w of this.#ruleset.rules.warnings) this.#warnings.push({ level: 'warning', code: 'RIPOSTE_WARN_RULESET', message: w.message, file: w.file, line: w.line });
    const config = this.config;
    // With errors in the file, a ruleset that loads nothing may only reflect them.
    const checks = [...checkAgainstRuleset(config, this.#ruleset.rules, name), ...(this.#opts.collects === true ? checkCollects(config) : [])];
    for (const issue of checks) {
      if (issue.level === 'warning') this.#warnings.push(issue);
      else if (!(issue.code === 'RIPOSTE_ERR_RULESET_LOAD' && this.#errors.length > 0)) this.#errors.push(toError(issue));
    }
  }

  /** How the ruleset was chosen ("" before {@link loadRuleset}). */
  get rulesetName(): string {
    return this.#rulesetName;
  }

  /** The loaded ruleset, or null (not loaded yet, or it failed to load). */
  get ruleset(): Ruleset | null {
    return this.#ruleset;
  }

  /** Every finding so far: errors first (configuration file in line order), then warnings. */
  issues(): ConfigIssue[] {
    return [...this.#sortedErrors().map(toIssue), ...this.#sortedWarnings()];
  }

  #sortedErrors(): RiposteError[] {
    // The configuration file's errors in line order, then those of other files (ruleset) as found.
    const own = this.#errors.filter((e) => e.location?.file === this.file);
    const other = this.#errors.filter((e) => e.location?.file !== this.file);
    own.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
    return [...own, ...other];
  }

  #sortedWarnings(): ConfigIssue[] {
    const own = this.#warnings.filter((w) => w.file === this.file).sort((a, b) => a.line - b.line);
    return [...own, ...this.#warnings.filter((w) => w.file !== this.file)];
  }

  /**
   * Load the ruleset if not done yet, print every warning through `log` (`warning: file:line:
   * message`), then return the configuration and its ruleset, or throw every error at once.
   * @throws RiposteAggregateError `RIPOSTE_ERR_CONFIG_INVALID` (`RIPOSTE_ERR_RULESET_LOAD` when
   *   only the ruleset failed) listing every error of the load
   */
  finish(log: (msg: string) => void): Prepared {
    this.loadRuleset();
    const warnings = this.#sortedWarnings();
    for (const w of warnings) log(formatIssue(w));
    const errors = this.#sortedErrors();
    if (errors.length > 0 || this.config === null || this.#ruleset === null) {
      const onlyRuleset = errors.length > 0 && errors.every((e) => e.location?.file !== this.file && e.code !== 'RIPOSTE_ERR_CONFIG_INVALID');
      const code: ErrorCode = onlyRuleset ? 'RIPOSTE_ERR_RULESET_LOAD' : 'RIPOSTE_ERR_CONFIG_INVALID';
      throw new RiposteAggregateError(code, onlyRuleset ? `The ${this.#rulesetName} failed to load` : `Invalid configuration "${this.file}"`, errors);
    }
    log(`ruleset: ${this.#rulesetName}: ${this.#ruleset.rules.byId.size} rules`);
    return { config: this.config, ruleset: this.#ruleset, rulesetName: this.#rulesetName, warnings };
  }
}

/**
 * {@link ConfigLoad.begin} then {@link ConfigLoad.finish}: the configuration and its ruleset, with
 * warnings printed through `log`, or every error at once.
 * @example const { config, ruleset } = await prepare({ configFile: 'ossec.conf', home: RIPOSTE_HOME }, (m) => process.stderr.write(`riposte: ${m}\n`));
 */
export async function prepare(opts: PrepareOptions, log: (msg: string) => void): Promise<Prepared> {
  return (await ConfigLoad.begin(opts)).finish(log);
}

/**
 * The configuration file alone, with its warnings printed through `log` (commands that run no
 * rule: `responses`, `allowlist`, `ar run`).
 * @throws RiposteAggregateError `RIPOSTE_ERR_CONFIG_INVALID` listing every error of the file
 */
export function loadConfigReported(file: string, log: (msg: string) => void): RiposteConfig {
  const reading = readConfigFile(file);
  for (const w of reading.warnings) log(formatIssue(configWarning(w)));
  if (reading.errors.length > 0 || reading.config === null) {
    throw new RiposteAggregateError('RIPOSTE_ERR_CONFIG_INVALID', `Invalid configuration "${file}"`, reading.errors);
  }
  return reading.config;
}

function configWarning(w: ConfigWarning): ConfigIssue {
  return { level: 'warning', code: 'RIPOSTE_WARN_CONFIG', message: `<${w.element}>: ${w.message}`, file: w.file, line: w.line };
}

function toError(issue: ConfigIssue): RiposteError {
  return new RiposteError(issue.code, issue.message, { file: issue.file, line: issue.line });
}

function toIssue(err: RiposteError): ConfigIssue {
  const loc = err.location;
  const prefix = loc ? `${formatLocation(loc)}: ` : '';
  const message = prefix !== '' && err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return { level: 'error', code: err.code, message: loc?.element ? `<${loc.element}>: ${message}` : message, file: loc?.file ?? '', line: loc?.line ?? 0 };
}
