/**
 * The ruleset test files (`ruleset/testing/tests/*.ini`) read exactly as `runtests.py` reads them:
 * Python 3's `configparser.RawConfigParser(dict_type=MultiOrderedDict, strict=False)`, where the
 * dict type appends a repeated key's values instead of replacing them. Consequences the reference
 * relies on:
 * - a key repeated in a section (or in a repeated section) yields one value, its parts joined by
 *   newlines; `log …` keys replay those lines as successive events of one logtest session;
 * - this also applies to `rule`/`alert`/`decoder` (two `rule = 40902` give `"40902\n40902"`);
 * - duplicate sections merge.
 * @module
 */
import { utf8ToBin } from '../bytes.ts';
import { RiposteError } from '../errors.ts';

/** One `wazuh-logtest -U rule:alert:decoder` run of the reference harness. */
export interface TestCase {
  file: string;
  section: string;
  /** The `log …` key, lower-cased as configparser does (e.g. `log 1 pass`). */
  key: string;
  /** Event lines sent in order to one session (empty lines are skipped by wazuh-logtest). */
  events: string[];
  /** Expected values for the LAST event: rule id, level as a string, decoder name. */
  expect: { rule: string; alert: string; decoder: string };
  /** `pass`: the triple must match exactly; `fail`: it must not. */
  mode: 'pass' | 'fail';
}

/** A parsed `.ini` file as configparser holds it after reading (Unicode text). */
export interface RawIni {
  /** The `[DEFAULT]` section's options. */
  readonly defaults: ReadonlyMap<string, string>;
  /** Sections in first-appearance order; each maps option name → final value. */
  readonly sections: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

// Python's str.isspace() set, which both str.strip() and the re module's \s use. It differs from
// JavaScript's \s: it has U+001C–U+001F and U+0085, and lacks U+FEFF.
const PY_WS = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'g');
const PY_RSTRIP = new RegExp(`[${PY_WS}]+$`);
const PY_NONSPACE = new RegExp(`[^${PY_WS}]`);
/** RawConfigParser.SECTCRE, applied to the stripped line: greedy, so up to the last `]`. */
const SECTION_RE = /^\[([^\n]+)\]/;
/** RawConfigParser.OPTCRE with the default delimiters `=` and `:`. */
const OPTION_RE = new RegExp(`^([^\\n]*?)[${PY_WS}]*([=:])[${PY_WS}]*([^\\n]*)$`);
const DEFAULT_SECTION = 'DEFAULT';

const pyStrip = (s: string): string => s.replace(PY_STRIP, '');

/**
 * Parse a test file with configparser's rules. `text` is the file's bytes as a byte string; it is
 * decoded as UTF-8 first, as Python does (invalid UTF-8 fails there too).
 * Throws RiposteError(RIPOSTE_ERR_INI_SYNTAX) where configparser would raise.
 */
export function parseRawIni(text: string, file: string): RawIni {
  const { defaults, sections } = readIni(text, file);
  return { defaults, sections };
}

interface ReadIni extends RawIni {
  /** Line of each section's first header, for messages. */
  readonly sectionLines: ReadonlyMap<string, number>;
}

function readIni(text: string, file: string): ReadIni {
  const fail = (line: number, message: string): never => {
    throw new RiposteError('RIPOSTE_ERR_INI_SYNTAX', message, { file, line });
  };
  let unicode: string;
  try {
    unicode = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.from(text, 'latin1'));
  } catch {
    return fail(1, 'File is not valid UTF-8');
  }
  // Universal newlines: CR LF, CR and LF all end a line.
  const lines = unicode.replace(/\r\n?/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();

  type Options = Map<string, string[]>;
  const defaults: Options = new Map();
  const sections = new Map<string, Options>();
  const sectionLines = new Map<string, number>();
  let cursect: Options | null = null;
  let optname: string | null = null;
  let indentLevel = 0;
  let firstError = 0;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const lineno = i + 1;
    const value = pyStrip(line);
    const isComment = value.startsWith('#') || value.startsWith(';');
    if (isComment || value === '') {
      // A blank line (not a comment line) adds an empty part to the value being read.
      if (!isComment && cursect && optname) cursect.get(optname)?.push('');
      continue;
    }
    // A line indented deeper than the option line continues its value.
    const curIndent = line.search(PY_NONSPACE);
    if (cursect && optname && curIndent > indentLevel) {
      cursect.get(optname)?.push(value);
      continue;
    }
    indentLevel = curIndent;
    const sect = SECTION_RE.exec(value);
    if (sect) {
      const name = sect[1] as string;
      let s = sections.get(name);
      if (!s) {
        if (name === DEFAULT_SECTION) {
          s = defaults;
        } else {
          s = new Map();
          sections.set(name, s);
          sectionLines.set(name, lineno);
        }
      }
      cursect = s;
      optname = null;
      continue;
    }
    if (!cursect) return fail(lineno, 'File contains no section headers');
    const opt = OPTION_RE.exec(value);
    if (!opt || opt[1] === '') {
      // configparser notes the error, keeps reading and raises at the end of the file.
      if (!firstError) firstError = lineno;
      if (!opt) continue;
    }
    const name = (opt[1] as string).toLowerCase();
    const part = pyStrip(opt[3] as string);
    // MultiOrderedDict: a repeated key extends its list of parts instead of replacing it.
    const current = cursect.get(name);
    if (current) current.push(part);
    else cursect.set(name, [part]);
    optname = name;
  }
  if (firstError) fail(firstError, 'Invalid line: neither a section header, an option nor a comment');

  const join = (opts: Options): Map<string, string> =>
    new Map([...opts].map(([k, parts]) => [k, parts.join('\n').replace(PY_RSTRIP, '')]));
  return { defaults: join(defaults), sections: new Map([...sections].map(([k, v]) => [k, join(v)])), sectionLines };
}

/**
 * The test invocations of one `.ini` file, in the order runtests.py runs them: sections in order,
 * and in each section the keys starting with `log ` (including any from `[DEFAULT]`, first).
 * All strings are byte strings (UTF-8 bytes, one char per byte), as wazuh-logtest sends them.
 * @example parseTestIni('[s]\nlog 1 pass = a\nrule = 1\nalert = 3\ndecoder = d\n', 'x.ini')[0].events // ['a']
 */
export function parseTestIni(text: string, file: string): TestCase[] {
  const ini = readIni(text, file);
  const cases: TestCase[] = [];
  for (const [section, options] of ini.sections) {
    // RawConfigParser.items(): defaults first, then the section's own keys; section values win.
    const items = new Map(ini.defaults);
    for (const [k, v] of options) items.set(k, v);
    const get = (name: string): string => {
      const v = items.get(name);
      if (v === undefined) {
        throw new RiposteError('RIPOSTE_ERR_INI_SYNTAX', `Section "${section}" has no "${name}" option`, { file, line: ini.sectionLines.get(section) ?? 1 });
      }
      return utf8ToBin(v);
    };
    const expect = { rule: get('rule'), alert: get('alert'), decoder: get('decoder') };
    for (const [key, value] of items) {
      if (!key.startsWith('log ')) continue;
      cases.push({
        file,
        section: utf8ToBin(section),
        key: utf8ToBin(key),
        events: value.split('\n').filter((e) => e !== '').map(utf8ToBin),
        expect,
        // runtests.py: a key ending in "fail" is negated; anything else must pass.
        mode: !key.endsWith('pass') && key.endsWith('fail') ? 'fail' : 'pass',
      });
    }
  }
  return cases;
}
