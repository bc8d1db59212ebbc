/**
 * Readers for the event sources: `<localfile>` (what to collect) and `<ruleset>` (what to load).
 * @module
 */
import { RiposteError } from '../errors.ts';
import { compileOsRegex } from '../regex/os-regex.ts';
import { attr, type XmlNode } from '../xml/types.ts';
import type { Draft, RulesetDraft } from './draft.ts';
import type { Issues } from './issues.ts';
import { COMMAND_LOG_FORMATS, LOCALFILE_IGNORED, LOG_FORMATS, SELF_LOCATED_LOG_FORMATS } from './known.ts';
import { checkAttributes, leafText, SingleValued } from './values.ts';

/** Wazuh's default directories, also the prefix of a bare `<rule_include>`/`<decoder_include>`. */
export const DEFAULT_RULE_DIR = 'ruleset/rules';
export const DEFAULT_DECODER_DIR = 'ruleset/decoders';
/** Wazuh's default `pattern` of a rule or decoder directory. */
export const DEFAULT_DIR_PATTERN = '.xml$';

/** `multi-line: N` (N ≥ 1), spaces allowed before the colon and after it. */
const MULTI_LINE = /^multi-line *: *[1-9]\d*$/;

/** Read a `<localfile>`. Command sources (`command`, `full_command`) are not collected by Riposte. */
export function readLocalfile(section: XmlNode, issues: Issues, draft: Draft): void {
  checkAttributes(section, issues);
  const once = new SingleValued(issues);
  let location: string | null = null;
  let logFormat: string | null = null;
  let formatNode: XmlNode | null = null;
  for (const child of section.children) {
    if (child.name === 'location') {
      if (once.first(child)) location = leafText(child, issues);
    } else if (child.name === 'log_format') {
      if (!once.first(child)) continue;
      formatNode = child;
      const v = leafText(child, issues);
      if (v !== null && !LOG_FORMATS.has(v) && !MULTI_LINE.test(v)) issues.error(child, `Unknown log format "${v}"`);
      else logFormat = v;
    } else if (!LOCALFILE_IGNORED.has(child.name)) {
      issues.error(child, 'Unknown element in <localfile>');
    }
  }
  if (formatNode === null) {
    issues.error(section, 'Missing <log_format>');
    return;
  }
  if (logFormat === null) return;
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
  draft.localfiles.push({ location, logFormat });
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
