/**
 * What `runtests.py` does to a Wazuh installation before running the tests, by default:
 * - it copies the extra `test_*` decoders and rules from `ruleset/testing/ruleset` into `etc/`
 *   (where they load after the stock files);
 * - it rewrites rule 60000 in `0575-win-base_rules.xml` so Windows events in JSON are tested
 *   (`-s` turns this off);
 * - it skips the `*geoip.ini` test files (`-g` turns them on).
 * @module
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RiposteError } from '../errors.ts';

/** The stock rule file whose rule 60000 runtests.py rewrites by default. */
export const WIN_BASE_RULES_FILE = '0575-win-base_rules.xml';

// runtests.py's patterns, used with re.match: `.` is any character but a newline, and `$` also
// matches before a final newline.
const TEST_RULES_RE = /^test_(?:[^\n]*_)?rules[^\n]xml\n?$/;
const TEST_DECODERS_RE = /^test_(?:[^\n]*_)?decoders[^\n]xml\n?$/;

/**
 * The extra files runtests.py copies: regular files in `<rulesetDir>/testing/ruleset` named like
 * `test_rules.xml` / `test_<x>_rules.xml` and `test_decoders.xml` / `test_<x>_decoders.xml`,
 * geoip ones included. Full paths, sorted by file name.
 */
export function testRulesetFiles(rulesetDir: string): { extraDecoders: string[]; extraRules: string[] } {
  const dir = join(rulesetDir, 'testing', 'ruleset');
  const names = readdirSync(dir).sort();
  // os.path.isfile follows symbolic links.
  const isFile = (name: string): boolean => statSync(join(dir, name), { throwIfNoEntry: false })?.isFile() ?? false;
  const pick = (re: RegExp): string[] => names.filter((n) => re.test(n) && isFile(n)).map((n) => join(dir, n));
  return { extraDecoders: pick(TEST_DECODERS_RE), extraRules: pick(TEST_RULES_RE) };
}

/** Whether runtests.py leaves a file of its tests folder out by default: not `.ini`, or a `*geoip.ini` file. */
export function isDefaultSkipped(iniPath: string): boolean {
  return !iniPath.endsWith('.ini') || iniPath.endsWith('geoip.ini');
}

/**
 * Rule 60000 as runtests.py sets it up by default: its `<decoded_as>` (windows_eventchannel) and
 * `<category>` (ossec) elements are removed and `<decoded_as>json</decoded_as>` is appended as its
 * last child, so JSON-encoded Windows events reach the Windows rules.
 *
 * runtests.py does this with ElementTree (parse, edit, write back), which also drops comments and
 * re-serialises the file. Those side effects do not change how Wazuh reads this file, so only the
 * rule is edited here and every other byte is kept. Throws RiposteError(RIPOSTE_ERR_RULESET_LOAD)
 * when rule 60000 or one of the two elements is missing, where runtests.py fails too.
 */
export function rewriteRule60000(xmlText: string): string {
  const fail = (what: string): never => {
    throw new RiposteError('RIPOSTE_ERR_RULESET_LOAD', `Cannot rewrite rule 60000: ${what}`);
  };
  const rule = findRuleById(xmlText, '60000') ?? fail('no <rule id="60000">');
  if (rule.selfClosing) return fail('the rule is empty');
  const close = findEndTag(xmlText, 'rule', rule.end) ?? fail('no </rule>');
  const removals = ['decoded_as', 'category'].map((name) => {
    const range = findElement(xmlText, name, rule.end, close.start) ?? fail(`no <${name}> in the rule`);
    // ElementTree removes an element together with its tail text (here the indentation after it).
    let end = range.end;
    while (end < close.start && /[ \t\r\n]/.test(xmlText[end] as string)) end++;
    return { start: range.start, end };
  });
  removals.sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const r of removals) {
    out += xmlText.slice(pos, r.start);
    pos = r.end;
  }
  return `${out}${xmlText.slice(pos, close.start)}<decoded_as>json</decoded_as>${xmlText.slice(close.start)}`;
}

/** The first `<rule>` start tag whose `id` attribute is exactly `id` (ElementTree's `.//rule[@id="…"]`). */
function findRuleById(text: string, id: string): Tag | null {
  for (let tag = findStartTag(text, 'rule', 0, text.length); tag; tag = findStartTag(text, 'rule', tag.end, text.length)) {
    if (attributeValue(text.slice(tag.start, tag.end), 'id') === id) return tag;
  }
  return null;
}

interface Tag {
  start: number;
  end: number;
  selfClosing: boolean;
}

/** Next `<name …>` start tag in [from, to), skipping comments. */
function findStartTag(text: string, name: string, from: number, to: number): Tag | null {
  for (let i = nextMarkup(text, from, to); i >= 0; i = nextMarkup(text, i + 1, to)) {
    if (!text.startsWith(name, i + 1) || !/[\s/>]/.test(text[i + 1 + name.length] ?? '')) continue;
    let q = '';
    for (let j = i + 1 + name.length; j < to; j++) {
      const c = text[j];
      if (q) {
        if (c === q) q = '';
      } else if (c === '"' || c === "'") {
        q = c;
      } else if (c === '>') {
        return { start: i, end: j + 1, selfClosing: text[j - 1] === '/' };
      }
    }
    return null;
  }
  return null;
}

/** Next `</name>` end tag from `from`, skipping comments. */
function findEndTag(text: string, name: string, from: number): { start: number; end: number } | null {
  const re = new RegExp(`^</${name}\\s*>`);
  for (let i = nextMarkup(text, from, text.length); i >= 0; i = nextMarkup(text, i + 1, text.length)) {
    const m = re.exec(text.slice(i, i + name.length + 64));
    if (m) return { start: i, end: i + m[0].length };
  }
  return null;
}

/** The first `<name>…</name>` (or `<name/>`) element in [from, to). */
function findElement(text: string, name: string, from: number, to: number): { start: number; end: number } | null {
  const tag = findStartTag(text, name, from, to);
  if (!tag) return null;
  if (tag.selfClosing) return tag;
  const close = findEndTag(text, name, tag.end);
  return close && close.end <= to ? { start: tag.start, end: close.end } : null;
}

/** Index of the next `<` in [from, to) that is not inside a comment, or -1. */
function nextMarkup(text: string, from: number, to: number): number {
  let i = text.indexOf('<', from);
  while (i >= 0 && i < to && text.startsWith('<!--', i)) {
    const endComment = text.indexOf('-->', i + 4);
    if (endComment < 0) return -1;
    i = text.indexOf('<', endComment + 3);
  }
  return i >= 0 && i < to ? i : -1;
}

/** Value of attribute `name` in a start tag's text, or undefined. */
function attributeValue(tagText: string, name: string): string | undefined {
  const re = /([^\s=/<>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  for (let m = re.exec(tagText); m; m = re.exec(tagText)) {
    if (m[1] === name) return m[2] ?? m[3];
  }
  return undefined;
}
