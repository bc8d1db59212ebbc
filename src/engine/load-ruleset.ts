/**
 * Adapter: reads a ruleset directory laid out like Wazuh's (decoders/, rules/, lists/,
 * etc-defaults/) and compiles it, loading files in the reference order.
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { RulesetConfig } from '../config/types.ts';
import { DecoderSetBuilder } from '../decode/compile.ts';
import { RiposteAggregateError, RiposteError } from '../errors.ts';
import { loadCdbListFile } from '../lists/load-lists.ts';
import type { CdbList } from '../lists/index.ts';
import { RuleSetBuilder } from '../rules/compile.ts';
import { parseWazuhXml } from '../xml/parse.ts';
import type { Ruleset } from './engine.ts';

/** Files excluded from the stock rules by default (`<rule_exclude>` of the stock ossec.conf). */
export const DEFAULT_RULE_EXCLUDE = ['0215-policy_rules.xml'];

export interface RulesetSources {
  readonly decoderFiles: readonly string[];
  readonly ruleFiles: readonly string[];
  /** Configured list path (as rules name it, e.g. "etc/lists/audit-keys") → file on disk. */
  readonly lists: ReadonlyMap<string, string>;
}

export interface LoadOptions {
  /** Rewrite a rule file's text before parsing (the ruleset test harness uses it). */
  readonly transformRuleText?: (file: string, text: string) => string;
}

function xmlFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.xml')).map((f) => join(dir, f));
  } catch {
    return [];
  }
}

function walkFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkFiles(p));
    else out.push(p);
  }
  return out;
}

/** Sort by basename with `strcmp` order, as analysisd does across all directories. */
export function sortByBasename(files: readonly string[]): string[] {
  return [...files].sort((a, b) => {
    const x = basename(a);
    const y = basename(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * The files a stock manager loads from `dir`: every decoder and rule file (minus the default
 * exclusions), the local files from etc-defaults/, and every CDB list under lists/.
 */
export function stockSources(dir: string, extra: { decoders?: readonly string[]; rules?: readonly string[] } = {}): RulesetSources {
  const decoderFiles = sortByBasename([
    ...xmlFiles(join(dir, 'decoders')),
    join(dir, 'etc-defaults', 'local_decoder.xml'),
    ...(extra.decoders ?? []),
  ]);
  const ruleFiles = sortByBasename([
    ...xmlFiles(join(dir, 'rules')).filter((f) => !DEFAULT_RULE_EXCLUDE.includes(basename(f))),
    join(dir, 'etc-defaults', 'local_rules.xml'),
    ...(extra.rules ?? []),
  ]);
  const lists = new Map<string, string>();
  const listDir = join(dir, 'lists');
  try {
    for (const f of walkFiles(listDir)) lists.set(`etc/lists/${relative(listDir, f)}`, f);
  } catch {
    // A ruleset without lists is valid.
  }
  return { decoderFiles: decoderFiles.filter(exists), ruleFiles: ruleFiles.filter(exists), lists };
}

/**
 * The files a `<ruleset>` block names, paths resolved against `baseDir` (Wazuh resolves them
 * against its installation directory; Riposte against the configuration file's directory).
 * Lists are looked up by the exact path string rules use, as the reference requires.
 */
export function sourcesFromConfig(rs: RulesetConfig, baseDir: string): RulesetSources {
  const abs = (p: string): string => resolve(baseDir, p);
  const decoders = [...rs.decoderDirs.flatMap((d) => xmlFiles(abs(d))), ...rs.decoderFiles.map(abs)]
    .filter((f) => !rs.decoderExclude.includes(basename(f)));
  const rules = [...rs.ruleDirs.flatMap((d) => xmlFiles(abs(d))), ...rs.ruleFiles.map(abs)]
    .filter((f) => !rs.ruleExclude.includes(basename(f)));
  const lists = new Map<string, string>();
  for (const l of rs.lists) lists.set(l, abs(l));
  return { decoderFiles: sortByBasename(decoders), ruleFiles: sortByBasename(rules), lists };
}

function exists(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Read, parse and compile; throws one RiposteAggregateError listing every error found. */
export function loadRuleset(src: RulesetSources, opts: LoadOptions = {}): Ruleset {
  const errors: RiposteError[] = [];
  const decoders = new DecoderSetBuilder();
  for (const file of src.decoderFiles) {
    const nodes = parseFile(file, errors);
    if (nodes) decoders.addFile(nodes, file);
  }
  errors.push(...decoders.errors);
  const decoderSet = decoders.finish();

  const lists = new Map<string, CdbList>();
  for (const [name, file] of src.lists) {
    try {
      lists.set(name, loadCdbListFile(file));
    } catch (err) {
      errors.push(err instanceof RiposteError ? err : new RiposteError('RIPOSTE_ERR_LIST_INVALID', `${file}: ${String(err)}`));
    }
  }

  const rules = new RuleSetBuilder(lists, decoderSet.names);
  for (const file of src.ruleFiles) {
    const nodes = parseFile(file, errors, opts.transformRuleText);
    if (nodes) rules.addFile(nodes, file);
  }
  errors.push(...rules.errors);
  if (errors.length > 0) throw new RiposteAggregateError('RIPOSTE_ERR_RULESET_LOAD', 'The ruleset failed to load', errors);
  return { decoders: decoderSet, rules: rules.finish() };
}

function parseFile(file: string, errors: RiposteError[], transform?: (file: string, text: string) => string) {
  try {
    let text = readFileSync(file).toString('latin1');
    if (transform) text = transform(file, text);
    return parseWazuhXml(text, file);
  } catch (err) {
    errors.push(err instanceof RiposteError ? err : new RiposteError('RIPOSTE_ERR_XML_SYNTAX', `${file}: ${String(err)}`));
    return null;
  }
}
