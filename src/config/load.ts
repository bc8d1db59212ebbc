/**
 * The configuration loader: Wazuh's `ossec.conf` (one or more `<ossec_config>` roots, merged in
 * order) plus Riposte's own elements, validated once and returned deep-frozen.
 *
 * Every problem of a file is collected and thrown at once as a RiposteAggregateError
 * (RIPOSTE_ERR_CONFIG_INVALID) whose `errors` each name the file, line and element.
 * @module
 */
import { readFileSync } from 'node:fs';
import { RiposteAggregateError, RiposteError } from '../errors.ts';
import { parseWazuhXml } from '../xml/parse.ts';
import type { XmlNode } from '../xml/types.ts';
import { emptyDraft, type Draft } from './draft.ts';
import { deepFreeze } from './freeze.ts';
import { Issues } from './issues.ts';
import { IGNORED_SECTIONS } from './known.ts';
import { readAlerts, readAllowlist, readGlobal } from './read-global.ts';
import { readActiveResponse, readCommand } from './read-response.ts';
import { readLocalfile, readRuleset } from './read-sources.ts';
import { resolve } from './resolve.ts';
import type { ConfigWarning, RiposteConfig } from './types.ts';

type SectionReader = (section: XmlNode, issues: Issues, draft: Draft) => void;

/** The sections Riposte reads; the other stock ones are in IGNORED_SECTIONS. */
const READERS: ReadonlyMap<string, SectionReader> = new Map([
  ['active-response', readActiveResponse],
  ['alerts', readAlerts],
  ['allowlist', readAllowlist],
  ['command', readCommand],
  ['global', readGlobal],
  ['localfile', readLocalfile],
  ['ruleset', readRuleset],
]);

function invalid(file: string, errors: readonly RiposteError[]): RiposteAggregateError {
  return new RiposteAggregateError('RIPOSTE_ERR_CONFIG_INVALID', `Invalid configuration "${file}"`, byLine(errors));
}

function byLine(errors: readonly RiposteError[]): RiposteError[] {
  return [...errors].sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
}

/** What one read of a configuration found: the configuration as far as it is valid, and why not. */
export interface ConfigReading {
  /**
   * The configuration built from every block that is valid (deep-frozen); null only when the XML
   * itself cannot be parsed. With errors, blocks in error are missing from it.
   */
  readonly config: RiposteConfig | null;
  /** Every error of the file, in line order. */
  readonly errors: readonly RiposteError[];
  readonly warnings: readonly ConfigWarning[];
}

/**
 * Text os_xml silently drops: a non-blank text run inside an element that has child elements
 * (a stray line inside `<ossec_config>` or inside a section Riposte reads).
 */
function checkStrayText(node: XmlNode, issues: Issues): void {
  strayTextOf(node, issues);
  for (const child of node.children) if (child.children.length > 0) checkStrayText(child, issues);
}

function strayTextOf(node: XmlNode, issues: Issues): void {
  const line = node.strayLine ?? 0;
  if (line === 0) return;
  const message = `Stray text inside <${node.name}>: only elements belong here (Wazuh ignores such text silently)`;
  issues.errors.push(new RiposteError('RIPOSTE_ERR_CONFIG_INVALID', message, { file: issues.file, line, element: node.name }));
}

/**
 * Parse and check configuration text, collecting every error instead of throwing.
 * @example readConfig('<ossec_config><bogus/></ossec_config>', 'x.conf').errors.length // 1
 */
export function readConfig(text: string, file: string): ConfigReading {
  let roots: XmlNode[];
  try {
    roots = parseWazuhXml(text, file, { strayText: true });
  } catch (err) {
    if (err instanceof RiposteError) return { config: null, errors: [err], warnings: [] };
    throw err;
  }
  const issues = new Issues(file);
  const draft = emptyDraft();
  if (roots.length === 0) {
    issues.errors.push(new RiposteError('RIPOSTE_ERR_CONFIG_INVALID', 'No <ossec_config> element', { file, line: 1, element: 'ossec_config' }));
  }
  for (const root of roots) {
    if (root.name !== 'ossec_config') {
      issues.error(root, 'Unknown root element: expected <ossec_config>');
      continue;
    }
    draft.rootLine ??= root.line;
    strayTextOf(root, issues);
    for (const section of root.children) {
      const reader = READERS.get(section.name);
      if (reader !== undefined) {
        if (section.name === 'ruleset') draft.rulesetLine ??= section.line;
        checkStrayText(section, issues);
        reader(section, issues, draft);
      } else if (!IGNORED_SECTIONS.has(section.name)) issues.error(section, 'Unknown section in <ossec_config>');
    }
  }
  const config = deepFreeze(resolve(draft, issues));
  return { config, errors: byLine(issues.errors), warnings: config.warnings ?? [] };
}

/**
 * Parse and validate configuration text (a byte string, one char per byte).
 * @param file the name used in messages and recorded as `RiposteConfig.file`
 * @returns the deep-frozen configuration
 * @throws RiposteAggregateError `RIPOSTE_ERR_CONFIG_INVALID` listing every error of the file; an
 *   XML syntax error is its only entry (code `RIPOSTE_ERR_XML_SYNTAX` or `RIPOSTE_ERR_XML_VAR`).
 * @example parseConfig('<ossec_config><alerts><log_alert_level>3</log_alert_level></alerts></ossec_config>', 'x.conf').logAlertLevel // 3
 */
export function parseConfig(text: string, file: string): RiposteConfig {
  const reading = readConfig(text, file);
  if (reading.errors.length > 0 || reading.config === null) throw invalid(file, reading.errors);
  return reading.config;
}

/**
 * Read `file` (bytes as latin1, as the whole engine does) and parse it with {@link parseConfig}.
 * @throws RiposteError `RIPOSTE_ERR_CONFIG_READ` when the file cannot be read, else as parseConfig
 */
export function loadConfig(file: string): RiposteConfig {
  return parseConfig(readConfigText(file), file);
}

/**
 * Read `file` and check it with {@link readConfig}, collecting every error.
 * @throws RiposteError `RIPOSTE_ERR_CONFIG_READ` when the file cannot be read
 */
export function readConfigFile(file: string): ConfigReading {
  return readConfig(readConfigText(file), file);
}

function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch (err) {
    throw new RiposteError('RIPOSTE_ERR_CONFIG_READ', `Cannot read configuration file "${file}": ${(err as Error).message}`, undefined, { cause: err });
  }
}
