/**
 * Readers for the event sources: `<localfile>` (what to collect) and `<ruleset>` (what to load).
 * @module
 */
import { RiposteError } from '../errors.ts';
import { compileOsRegex } from '../regex/os-regex.ts';
import { compilePcre2 } from '../regex/pcre2.ts';
import { attr, type XmlNode } from '../xml/types.ts';
import type { Draft, RulesetDraft } from './draft.ts';
import type { Issues } from './issues.ts';
import { COMMAND_LOG_FORMATS, LOCALFILE_IGNORED, LOG_FORMATS, SELF_LOCATED_LOG_FORMATS } from './known.ts';
import type { JournalFilterConfig } from './types.ts';
import { checkAttributes, leafText, readYesNo, SingleValued } from './values.ts';

/** Wazuh's default directories, also the prefix of a bare `<rule_include>`/`<decoder_include>`. */
export const DEFAULT_RULE_DIR = 'ruleset/rules';
export const DEFAULT_DECODER_DIR = 'ruleset/decoders';
/** Wazuh's default `pattern` of a rule or decoder directory. */
export const DEFAULT_DIR_PATTERN = '.xml$';

/** `multi-line: N` (N ≥ 1), spaces allowed before the colon and after it. */
const MULTI_LINE = /^multi-line *: *[1-9]\d*$/;

/** Wazuh's journald source: its log format and its only location. */
const JOURNALD = 'journald';

/**
 * Read a `<localfile>`. Command sources (`command`, `full_command`) are not collected by Riposte.
 * A journald block takes Wazuh 4.14's `<filter>` and `<only-future-events>`; a file block may
 * carry Riposte's `<skip_if_journald>`.
 */
export function readLocalfile(section: XmlNode, issues: Issues, draft: Draft): void {
  checkAttributes(section, issues);
  const once = new SingleValued(issues);
  let location: string | null = null;
  let logFormat: string | null = null;
  let formatNode: XmlNode | null = null;
  const filterNodes: XmlNode[] = [];
  let futureNode: XmlNode | null = null;
  let skipNode: XmlNode | null = null;
  for (const child of section.children) {
    if (child.name === 'location') {
      if (once.first(child)) location = leafText(child, issues);
    } else if (child.name === 'log_format') {
      if (!once.first(child)) continue;
      formatNode = child;
      const v = leafText(child, issues);
      if (v !== null && !LOG_FORMATS.has(v) && !MULTI_LINE.test(v)) issues.error(child, `Unknown log format "${v}"`);
      else logFormat = v;
    } else if (child.name === 'filter') {
      filterNodes.push(child);
    } else if (child.name === 'only-future-events') {
      if (once.first(child)) futureNode = child;
    } else if (child.name === 'skip_if_journald') {
      if (once.first(child)) skipNode = child;
    } else if (!LOCALFILE_IGNORED.has(child.name)) {
      issues.error(child, 'Unknown element in <localfile>');
    }
  }
  if (formatNode === null) {
    issues.error(section, 'Missing <log_format>');
    return;
  }
  if (logFormat === null) return;
  const journald = logFormat === JOURNALD;
  // What only a journald block can use, and what it cannot.
  if (!journald) for (const f of filterNodes) issues.warn(f, `<filter> applies to log format journald only: ignored for log format ${logFormat}`);
  if (journald && skipNode) issues.error(skipNode, '<skip_if_journald> belongs in a file <localfile>, not in the journald one');
  if (COMMAND_LOG_FORMATS.has(logFormat)) {
    if (!section.children.some((c) => c.name === 'command')) issues.error(section, `Missing <command> (log format ${logFormat})`);
    else issues.warn(section, `Log format ${logFormat} (command output) is not collected by Riposte: ignored`);
    return;
  }
  if (location === null && SELF_LOCATED_LOG_FORMATS.has(logFormat)) location = logFormat;
  if (location === null) {
    if (!section.children.some((c) => c.name === 'location')) issues.error(section, 'Missing <location>');
    return;
  }
  if (!journald) {
    const skip = skipNode ? readYesNo(skipNode, issues) : null;
    draft.localfiles.push(skip === true ? { location, logFormat, skipIfJournald: true } : { location, logFormat });
    return;
  }
  // Wazuh: "you must set both location and log_format to journald".
  if (location !== JOURNALD) {
    issues.error(section, `Log format journald reads the journal: <location> must be "journald", not "${location}"`);
    return;
  }
  const filters: JournalFilterConfig[] = [];
  for (const f of filterNodes) {
    const filter = readJournalFilter(f, issues);
    if (filter) filters.push(filter);
  }
  const future = futureNode ? readYesNo(futureNode, issues) : null;
  draft.localfiles.push({
    location,
    logFormat,
    ...(filters.length > 0 ? { filters } : {}),
    ...(future === false ? { onlyFutureEvents: false as const } : {}),
    origin: { file: issues.file, line: section.line },
  });
}

/** `<filter field="F" ignore_if_missing="yes|no">PCRE2</filter>`, as Wazuh 4.14 reads it. */
function readJournalFilter(node: XmlNode, issues: Issues): JournalFilterConfig | null {
  const expression = leafText(node, issues, { attributes: ['field', 'ignore_if_missing'] });
  const field = attr(node, 'field');
  if (field === undefined || field === '') {
    issues.error(node, 'Missing attribute "field" (the journal field to match, e.g. "_SYSTEMD_UNIT")');
    return null;
  }
  // Journal field names: upper-case letters, digits and "_", not starting with a digit.
  if (!/^[A-Z_][A-Z0-9_]*$/.test(field)) {
    issues.error(node, `Invalid journal field "${field}": expected upper-case letters, digits and "_"`);
    return null;
  }
  const missing = attr(node, 'ignore_if_missing') ?? 'no';
  if (missing !== 'yes' && missing !== 'no') {
    issues.error(node, `Invalid value "${missing}" of attribute "ignore_if_missing": expected yes or no`);
    return null;
  }
  if (expression === null) return null;
  try {
    compilePcre2(expression);
  } catch (err) {
    if (!(err instanceof RiposteError)) throw err;
    issues.error(node, `Invalid PCRE2 expression "${expression}": ${err.message}`);
    return null;
  }
  return { field, expression, ignoreIfMissing: missing === 'yes' };
}

function emptyRuleset(): RulesetDraft {
  return {
    decoderDirs: [],
    decoderDirPatterns: [],
    ruleDirs: [],
    ruleDirPatterns: [],
    decoderFiles: [],
    ruleFiles: [],
    lists: [],
    ruleExclude: [],
    decoderExclude: [],
  };
}

/** The `pattern` attribute of a directory element (an OS_Regex on "dir/file"), checked. */
function dirPattern(node: XmlNode, issues: Issues): string | null {
  const pattern = attr(node, 'pattern') ?? DEFAULT_DIR_PATTERN;
  try {
    compileOsRegex(pattern, { substrings: false });
    return pattern;
  } catch (err) {
    if (!(err instanceof RiposteError)) throw err;
    issues.error(node, `Invalid pattern "${pattern}": ${err.message}`);
    return null;
  }
}

const RULESET_ELEMENTS: ReadonlySet<string> = new Set([
  'decoder_dir',
  'decoder_exclude',
  'decoder_include',
  'list',
  'rule_dir',
  'rule_exclude',
  'rule_include',
]);

/**
 * Read a `<ruleset>`; several sections add up. Paths are kept as written; a bare include file name
 * gets Wazuh's default directory.
 */
export function readRuleset(section: XmlNode, issues: Issues, draft: Draft): void {
  checkAttributes(section, issues);
  const rs = (draft.ruleset ??= emptyRuleset());
  for (const child of section.children) {
    if (!RULESET_ELEMENTS.has(child.name)) {
      issues.error(child, 'Unknown element in <ruleset>');
      continue;
    }
    const isDir = child.name === 'decoder_dir' || child.name === 'rule_dir';
    const value = leafText(child, issues, isDir ? { attributes: ['pattern'] } : {});
    if (value === null) continue;
    switch (child.name) {
      case 'decoder_dir':
      case 'rule_dir': {
        const pattern = dirPattern(child, issues);
        if (pattern === null) break;
        if (child.name === 'decoder_dir') {
          rs.decoderDirs.push(value);
          rs.decoderDirPatterns.push(pattern);
        } else {
          rs.ruleDirs.push(value);
          rs.ruleDirPatterns.push(pattern);
        }
        break;
      }
      case 'decoder_include':
        rs.decoderFiles.push(value.includes('/') ? value : `${DEFAULT_DECODER_DIR}/${value}`);
        break;
      case 'rule_include':
        rs.ruleFiles.push(value.includes('/') ? value : `${DEFAULT_RULE_DIR}/${value}`);
        break;
      case 'list':
        rs.lists.push(value);
        break;
      case 'rule_exclude':
        rs.ruleExclude.push(value);
        break;
      default: // decoder_exclude
        rs.decoderExclude.push(value);
    }
  }
}

/** Wazuh's defaults for a ruleset without directories. */
export function finishRuleset(rs: RulesetDraft): void {
  if (rs.decoderDirs.length === 0) {
    rs.decoderDirs.push(DEFAULT_DECODER_DIR);
    rs.decoderDirPatterns.push(DEFAULT_DIR_PATTERN);
  }
  if (rs.ruleDirs.length === 0) {
    rs.ruleDirs.push(DEFAULT_RULE_DIR);
    rs.ruleDirPatterns.push(DEFAULT_DIR_PATTERN);
  }
}
