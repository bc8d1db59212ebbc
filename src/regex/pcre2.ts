/**
 * PCRE2 patterns (`type="pcre2"`) as Wazuh compiles them (`pcre2_compile` with options 0:
 * case-sensitive, 8-bit, no UTF unless the pattern starts with `(*UTF)`), translated once into a
 * JavaScript `RegExp` that runs on byte strings (no `u` flag; every pattern byte is emitted as
 * `\xHH` or in a byte class, so matching is byte-wise).
 *
 * The translation is explicit where JS and PCRE2 differ:
 * - `.` excludes only `\n` (JS also excludes `\r`, U+2028/9); `\s` is `[\t\n\v\f\r ]` (no
 *   `\xA0`); `\h` `\v` `\R` `\A` `\Z` `\z` `\G` `\K` `\Q..\E`, POSIX classes and `\p{..}` are
 *   expanded to byte sets;
 * - `$` matches at the end or before a final `\n`; with `(?m)`, `^` and `$` work at `\n` only;
 * - inline options (`(?i)`, `(?mUs)`, `(?-i)`, `(?i:...)`) are applied by the translator, with
 *   their PCRE2 scope (the rest of the enclosing group); `U` swaps greedy and lazy quantifiers;
 *   case-insensitivity folds ASCII letters only, as PCRE2's default tables do;
 * - atomic groups and possessive quantifiers use the exact `(?=(X))\1` emulation;
 * - named groups become numbered groups; `(?P=name)`, `\k<name>`, `\g{n}` become backreferences;
 * - `(*UTF)`: code points become UTF-8 byte sequences, `.` and negated classes consume a whole
 *   character, and a subject that is not valid UTF-8 never matches (pcre2_match fails).
 * Like PCRE2's "required code unit", a literal run every match must contain is checked with
 * `indexOf` before running the RegExp.
 *
 * Not supported (RIPOSTE_ERR_REGEX_SYNTAX): recursion and subroutine calls, conditionals,
 * callouts, branch reset `(?|`, backtracking verbs other than `(*F)`, `\X`, and case-insensitive
 * backreferences mixed with case-sensitive parts. Known differences: a backreference to a group
 * that has not participated matches empty in JS (PCRE2 fails); a group repeated by a quantifier
 * forgets a capture of an earlier iteration in JS; PCRE2's match limits are not applied.
 * @module
 */

import { RiposteError } from '../errors.ts';
import type { CompiledPattern, MatchResult } from './types.ts';

type ByteSet = Uint8Array;

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  /** 0, 1 for `x`, 2 for `xx` (whitespace in classes ignored too). */
  x: number;
  U: boolean;
  n: boolean;
}

interface Atom {
  code: string;
  /** Whether a quantifier may follow. */
  repeatable: boolean;
  /** A lookaround: quantified only inside a non-capturing group (JS rejects `(?<=a)*`). */
  lookaround?: boolean;
  /** The byte when the atom is one literal byte that case-insensitivity does not change. */
  literal?: number;
}

const OPEN = '\uE000';
const REF = '\uE002';
const END = '\uE001';

const EMPTY: readonly string[] = Object.freeze([]);

function syntax(pattern: string, message: string): RiposteError {
  return new RiposteError('RIPOSTE_ERR_REGEX_SYNTAX', `Invalid PCRE2 pattern "${pattern}": ${message}`);
}

function newSet(): ByteSet {
  return new Uint8Array(256);
}

function setRange(set: ByteSet, from: number, to: number): ByteSet {
  set.fill(1, from, to + 1);
  return set;
}

function setOf(...ranges: Array<[number, number]>): ByteSet {
  const set = newSet();
  for (const [a, b] of ranges) setRange(set, a, b);
  return set;
}

function complement(set: ByteSet): ByteSet {
  const out = newSet();
  for (let c = 0; c < 256; c++) out[c] = set[c] ? 0 : 1;
  return out;
}

function addAll(into: ByteSet, from: ByteSet): void {
  for (let c = 0; c < 256; c++) if (from[c]) into[c] = 1;
}

const DIGIT = setOf([0x30, 0x39]);
const SPACE = setOf([0x09, 0x0d], [0x20, 0x20]);
const WORD = setOf([0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]);
// In 8-bit non-UTF mode: HT, space, NBSP; LF, VT, FF, CR, NEL.
const HSPACE = setOf([0x09, 0x09], [0x20, 0x20], [0xa0, 0xa0]);
const VSPACE = setOf([0x0a, 0x0d], [0x85, 0x85]);
const NOT_NEWLINE = complement(setOf([0x0a, 0x0a]));
const ANY = setOf([0, 255]);

const POSIX: Record<string, ByteSet> = {
  alpha: setOf([0x41, 0x5a], [0x61, 0x7a]),
  digit: DIGIT,
  alnum: setOf([0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]),
  upper: setOf([0x41, 0x5a]),
  lower: setOf([0x61, 0x7a]),
  space: SPACE,
  blank: setOf([0x09, 0x09], [0x20, 0x20]),
  cntrl: setOf([0x00, 0x1f], [0x7f, 0x7f]),
  graph: setOf([0x21, 0x7e]),
  print: setOf([0x20, 0x7e]),
  punct: setOf([0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]),
  xdigit: setOf([0x30, 0x39], [0x41, 0x46], [0x61, 0x66]),
  word: WORD,
  ascii: setOf([0x00, 0x7f]),
};

/** Latin-1 letters JS's non-Unicode `i` flag folds together but PCRE2's byte tables do not. */
function latin1Partner(c: number): number {
  if (c >= 0xc0 && c <= 0xde && c !== 0xd7) return c + 0x20;
  if (c >= 0xe0 && c <= 0xfe && c !== 0xf7) return c - 0x20;
  return -1;
}

function asciiPartner(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c + 0x20;
  if (c >= 0x61 && c <= 0x7a) return c - 0x20;
  return -1;
}

function foldAscii(set: ByteSet): ByteSet {
  const out = set.slice();
  for (let c = 0; c < 256; c++) {
    const a = asciiPartner(c);
    if (set[c] && a >= 0) out[a] = 1;
  }
  return out;
}

function hex2(c: number): string {
  return c.toString(16).padStart(2, '0');
}

function escapeByte(c: number): string {
  const isAlnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return isAlnum ? String.fromCharCode(c) : `\\x${hex2(c)}`;
}

/** Ranges of `set` as JS class content (`a-z\x5f`). */
function rangesSource(set: ByteSet, want: number): string {
  let out = '';
  for (let c = 0; c < 256; c++) {
    if (set[c] !== want) continue;
    let d = c;
    while (d < 255 && set[d + 1] === want) d++;
    out += d === c ? escapeByte(c) : d === c + 1 ? escapeByte(c) + escapeByte(d) : `${escapeByte(c)}-${escapeByte(d)}`;
    c = d;
  }
  return out;
}

/** A JS class (or single escaped byte) matching exactly the bytes of `set` in a byte string. */
function classSource(set: ByteSet): string {
  let count = 0;
  for (let c = 0; c < 256; c++) count += set[c] as number;
  if (count === 0) return '[]';
  if (count === 256) return '[^]';
  if (count === 1) return escapeByte(set.indexOf(1));
  // Subjects hold only chars 0-255, so a negated class is exact and often shorter and faster.
  return count > 128 ? `[^${rangesSource(set, 0)}]` : `[${rangesSource(set, 1)}]`;
}

/** UTF-8 bytes of a code point. */
function utf8Bytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}

const VALID_UTF8 =
  /^(?:[\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2})*$/;

/** One pass of translation; `jsCase` emits letters as-is for the JS `i` flag. */
class Translator {
  private readonly p: string;
  private pos = 0;
  private flags: Flags = { i: false, m: false, s: false, x: 0, U: false, n: false };
  private readonly jsCase: boolean;
  utf = false;
  private bsrAnyCrlf = false;
  private inQuote = false;
  groupCount = 0;
  private synthetic = 0;
  readonly names = new Map<string, number>();
  /** Named references seen before their group: resolved at the end. */
  private readonly pendingNames: string[] = [];
  /** Any case-relevant atom under `i`. */
  sawCaseless = false;
  /** False once the output would change meaning under the JS `i` flag. */
  jsCaseExact = true;
  /** Group nesting depth while parsing. */
  private depth = 0;
  /** Minimum repeat count of the last quantified atom (1 when unquantified). */
  private lastMin = 1;
  private lastQuantified = false;
  /** A `|` at the top level: no literal is required by every match. */
  topAlternation = false;
  /** Longest run of literal bytes every match contains (PCRE2's "required code unit", widened). */
  required = '';

  constructor(pattern: string, jsCase: boolean) {
    this.p = pattern;
    this.jsCase = jsCase;
  }

  private err(message: string): RiposteError {
    return syntax(this.p, `${message} at offset ${this.pos}`);
  }

  private peek(k = 0): number {
    return this.p.charCodeAt(this.pos + k);
  }

  private startsWith(s: string): boolean {
    return this.p.startsWith(s, this.pos);
  }

  translate(): string {
    this.prologue();
    const body = this.alternation();
    if (this.pos < this.p.length) throw this.err('unmatched closing parenthesis');
    for (const name of this.pendingNames) if (!this.names.has(name)) throw this.err(`reference to unknown group "${name}"`);
    return body;
  }

  /** Leading `(*VERB)` options. */
  private prologue(): void {
    for (;;) {
      const m = /^\(\*([A-Z_0-9]+)(?:=\d+)?\)/.exec(this.p.slice(this.pos));
      if (!m) return;
      const verb = m[1] as string;
      if (verb === 'UTF') this.utf = true;
      else if (verb === 'BSR_ANYCRLF') this.bsrAnyCrlf = true;
      else if (/^(?:CR|CRLF|ANYCRLF|ANY|NUL|UCP|NOTEMPTY|NOTEMPTY_ATSTART)$/.test(verb)) throw this.err(`unsupported option (*${verb})`);
      // Options that only tune the engine are ignored; anything else is a verb for later.
      else if (!/^(?:LF|BSR_UNICODE|NO_AUTO_POSSESS|NO_DOTSTAR_ANCHOR|NO_JIT|NO_START_OPT|LIMIT_HEAP|LIMIT_MATCH|LIMIT_DEPTH)$/.test(verb)) return;
      this.pos += m[0].length;
    }
  }

  private alternation(): string {
    let out = this.sequence();
    while (this.pos < this.p.length && this.peek() === 0x7c) {
      if (this.depth === 0) this.topAlternation = true;
      this.pos++;
      out += '|' + this.sequence();
    }
    return out;
  }

  /** Whitespace and `#` comments in extended mode. */
  private skipExtended(): void {
    if (this.flags.x === 0 || this.inQuote) return;
    for (;;) {
      const c = this.peek();
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) this.pos++;
      else if (c === 0x23) {
        const nl = this.p.indexOf('\n', this.pos);
        this.pos = nl === -1 ? this.p.length : nl + 1;
      } else return;
    }
  }

  private sequence(): string {
    let out = '';
    let run = '';
    for (;;) {
      this.skipExtended();
      const c = this.peek();
      if (this.pos >= this.p.length || (!this.inQuote && (c === 0x7c || c === 0x29))) break;
      const atom = this.atom();
      if (atom === null) continue;
      out += this.quantified(atom);
      if (this.depth > 0) continue;
      // Track top-level runs of mandatory literal bytes for the required-literal precheck.
      if (atom.literal !== undefined && this.lastMin >= 1) run += String.fromCharCode(atom.literal);
      if (atom.literal === undefined || this.lastQuantified) {
        if (run.length > this.required.length) this.required = run;
        run = '';
      }
    }
    if (run.length > this.required.length) this.required = run;
    return out;
  }

  /** Parses an optional quantifier after `atom` and returns the code. */
  private quantified(atom: Atom): string {
    this.lastMin = 1;
    this.lastQuantified = false;
    if (this.inQuote) {
      if (!this.startsWith('\\E')) return atom.code;
      this.pos += 2;
      this.inQuote = false;
    }
    this.skipExtended();
    const c = this.peek();
    let q: string;
    if (c === 0x2a || c === 0x2b || c === 0x3f) {
      q = String.fromCharCode(c);
      this.pos++;
    } else if (c === 0x7b) {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.pos, this.pos + 24));
      if (!m) return atom.code;
      const min = Number(m[1]);
      const max = m[3] === undefined || m[3] === '' ? -1 : Number(m[3]);
      if (min > 65535 || max > 65535) throw this.err('number too big in {} quantifier');
      if (max >= 0 && max < min) throw this.err('numbers out of order in {} quantifier');
      q = m[0];
      this.pos += m[0].length;
    } else {
      return atom.code;
    }
    if (!atom.repeatable) throw this.err('quantifier does not follow a repeatable item');
    this.lastQuantified = true;
    this.lastMin = q === '+' ? 1 : q === '*' || q === '?' ? 0 : Number(/\d+/.exec(q)?.[0]);
    let lazy = this.flags.U;
    let possessive = false;
    const s = this.peek();
    if (s === 0x2b) {
      possessive = true;
      this.pos++;
    } else if (s === 0x3f) {
      lazy = !lazy;
      this.pos++;
    }
    const base = atom.lookaround ? `(?:${atom.code})` : atom.code;
    if (possessive) return this.atomic(base + q);
    return base + q + (lazy ? '?' : '');
  }

  /** `(?>X)`: a lookahead (atomic in JS) capturing X, then a backreference to it. */
  private atomic(code: string): string {
    const id = `s${++this.synthetic}`;
    return `(?:(?=${OPEN}${id}${END}${code}))${REF}${id}${END})`;
  }

  /**
   * Emits a byte set. With `fold`, case-insensitivity (when on) adds ASCII case partners, as
   * PCRE2's default tables do; without it the set is final (a class already folded, `\p`).
   */
  private set(set: ByteSet, fold = true): string {
    const caseless = fold && this.flags.i;
    let relevant = false;
    for (let c = 0x41; c <= 0x7a && !relevant; c++) if (set[c] && asciiPartner(c) >= 0) relevant = true;
    for (let c = 0xc0; c <= 0xfe && !relevant; c++) if (set[c] && latin1Partner(c) >= 0) relevant = true;
    if (relevant) {
      if (caseless) this.sawCaseless = true;
      // Under the JS `i` flag a class also matches the case partners of its members (ASCII and
      // Latin-1), which is right only where PCRE2 folds too.
      for (let c = 0; c < 256; c++) {
        if (!set[c]) continue;
        const l = latin1Partner(c);
        const a = asciiPartner(c);
        if ((l >= 0 && !set[l]) || (!caseless && a >= 0 && !set[a])) this.jsCaseExact = false;
      }
    }
    if (caseless && relevant && !this.jsCase) return classSource(foldAscii(set));
    return classSource(set);
  }

  private byte(c: number): Atom {
    const set = newSet();
    set[c] = 1;
    const code = this.set(set);
    return !this.flags.i || asciiPartner(c) < 0 ? { code, repeatable: true, literal: c } : { code, repeatable: true };
  }

  /** A set of single-byte matches; in UTF mode, `nonAscii` adds every multi-byte character. */
  private charClass(set: ByteSet, nonAscii: boolean, fold = true): Atom {
    if (!this.utf) return { code: this.set(set, fold), repeatable: true };
    if (!nonAscii) {
      for (let c = 0x80; c < 256; c++) if (set[c]) throw this.err('a non-ASCII byte in a class is not supported in UTF mode');
      return { code: this.set(set, fold), repeatable: true };
    }
    const lead = newSet();
    for (let c = 0; c < 0x80; c++) lead[c] = set[c] as number;
    setRange(lead, 0xc0, 0xff);
    return { code: `(?:${this.set(lead, fold)}[\\x80-\\xbf]*)`, repeatable: true };
  }

  /** A code point given by an escape: one byte, or its UTF-8 sequence in UTF mode. */
  private codePoint(cp: number): Atom {
    if (!this.utf) {
      if (cp > 0xff) throw this.err('character code point value too large');
      return this.byte(cp);
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw this.err('invalid code point');
    const bytes = utf8Bytes(cp);
    if (bytes.length === 1) return this.byte(cp);
    return { code: `(?:${bytes.map((b) => this.byte(b).code).join('')})`, repeatable: true };
  }

  private atom(): Atom | null {
    const c = this.peek();
    if (this.inQuote) {
      if (this.startsWith('\\E')) {
        this.pos += 2;
        this.inQuote = false;
        return null;
      }
      return this.literal();
    }
    switch (c) {
      case 0x5c:
        return this.escape();
      case 0x5b:
        return this.bracket();
      case 0x28:
        return this.group();
      case 0x2e:
        this.pos++;
        return this.flags.s ? this.charClass(ANY, true) : this.charClass(NOT_NEWLINE, true);
      case 0x5e:
        this.pos++;
        return { code: this.flags.m ? '(?:^|(?<=\\n)(?=[^]))' : '^', repeatable: false };
      case 0x24:
        this.pos++;
        return { code: this.flags.m ? '(?=\\n|$)' : '(?=\\n?$)', repeatable: false };
      case 0x2a:
      case 0x2b:
      case 0x3f:
        throw this.err('quantifier does not follow a repeatable item');
      case 0x7b:
        if (/^\{\d+(,\d*)?\}/.test(this.p.slice(this.pos, this.pos + 24))) throw this.err('quantifier does not follow a repeatable item');
        return this.literal();
      default:
        return this.literal();
    }
  }

  /** One literal byte, or a whole UTF-8 character in UTF mode. */
  private literal(): Atom {
    const c = this.peek();
    this.pos++;
    if (this.utf && c >= 0xc0) {
      let end = this.pos;
      while (end < this.p.length && (this.p.charCodeAt(end) & 0xc0) === 0x80) end++;
      if (end > this.pos) {
        const bytes = this.p.slice(this.pos - 1, end);
        this.pos = end;
        return { code: `(?:${Array.from(bytes, (ch) => this.byte(ch.charCodeAt(0)).code).join('')})`, repeatable: true };
      }
    }
    return this.byte(c);
  }

  /** Reads `\x..`, `\o{..}`, `\c.`, octal and single-letter character escapes; -1 if none. */
  private charEscape(d: number, inClass: boolean): number {
    const p = this.p;
    switch (d) {
      case 0x6e: return 0x0a; // n
      case 0x72: return 0x0d; // r
      case 0x74: return 0x09; // t
      case 0x66: return 0x0c; // f
      case 0x65: return 0x1b; // e
      case 0x61: return 0x07; // a
      case 0x62: return inClass ? 0x08 : -1; // b: backspace in a class only
      case 0x78: {
        // x: \xhh (0-2 digits) or \x{h...}
        if (p.charCodeAt(this.pos) === 0x7b) {
          const close = p.indexOf('}', this.pos);
          const hex = close === -1 ? '' : p.slice(this.pos + 1, close);
          if (!/^[0-9a-fA-F]+$/.test(hex)) throw this.err('invalid \\x{} escape');
          this.pos = close + 1;
          return parseInt(hex, 16);
        }
        const m = /^[0-9a-fA-F]{1,2}/.exec(p.slice(this.pos, this.pos + 2));
        if (!m) return 0;
        this.pos += m[0].length;
        return parseInt(m[0], 16);
      }
      case 0x6f: {
        // o{...}
        const close = p.indexOf('}', this.pos);
        const oct = p.charCodeAt(this.pos) === 0x7b && close !== -1 ? p.slice(this.pos + 1, close) : '';
        if (!/^[0-7]+$/.test(oct)) throw this.err('invalid \\o{} escape');
        this.pos = close + 1;
        return parseInt(oct, 8);
      }
      case 0x63: {
        // cX
        const x = p.charCodeAt(this.pos);
        if (!(x >= 0x20 && x <= 0x7e)) throw this.err('\\c must be followed by a printable ASCII character');
        this.pos++;
        return (x >= 0x61 && x <= 0x7a ? x - 0x20 : x) ^ 0x40;
      }
      default:
        return -1;
    }
  }

  /** Up to `max` octal digits starting at the current position (already past the backslash). */
  private octal(max: number): number {
    const m = new RegExp(`^[0-7]{1,${max}}`).exec(this.p.slice(this.pos, this.pos + max));
    const digits = m ? m[0] : '';
    this.pos += digits.length;
    return digits ? parseInt(digits, 8) : 0;
  }

  /** The set for `\d \D \s \S \w \W \h \H \v \V \N \p \P`, or null; `nonAscii` for negated ones. */
  private typeEscape(d: number, inClass: boolean): { set: ByteSet; nonAscii: boolean; noFold?: boolean } | null {
    switch (d) {
      case 0x64: return { set: DIGIT, nonAscii: false };
      case 0x44: return { set: complement(DIGIT), nonAscii: true };
      case 0x73: return { set: SPACE, nonAscii: false };
      case 0x53: return { set: complement(SPACE), nonAscii: true };
      case 0x77: return { set: WORD, nonAscii: false };
      case 0x57: return { set: complement(WORD), nonAscii: true };
      case 0x68:
      case 0x48:
      case 0x76:
      case 0x56: {
        if (this.utf) throw this.err('\\h and \\v are not supported in UTF mode');
        const base = d === 0x68 || d === 0x48 ? HSPACE : VSPACE;
        return d === 0x68 || d === 0x76 ? { set: base, nonAscii: false } : { set: complement(base), nonAscii: true };
      }
      case 0x4e:
        if (inClass) throw this.err('\\N is not supported in a class');
        return { set: NOT_NEWLINE, nonAscii: true };
      case 0x70:
      case 0x50:
        return this.property(d === 0x50);
      default:
        return null;
    }
  }

  /** `\p{Name}` / `\pL`: the bytes 0-255 with that Unicode property (8-bit non-UTF semantics). */
  private property(negated: boolean): { set: ByteSet; nonAscii: boolean; noFold: boolean } {
    if (this.utf) throw this.err('\\p is not supported in UTF mode');
    let name: string;
    if (this.peek() === 0x7b) {
      const close = this.p.indexOf('}', this.pos);
      if (close === -1) throw this.err('malformed \\p{}');
      name = this.p.slice(this.pos + 1, close);
      this.pos = close + 1;
    } else {
      name = this.p.charAt(this.pos);
      this.pos++;
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const names = name === 'L&' || name === 'LC' ? ['Lu', 'Ll', 'Lt'] : name === 'Any' ? [] : [name];
    const set = name === 'Any' ? ANY.slice() : newSet();
    for (const n of names) {
      let re: RegExp;
      try {
        re = new RegExp(`^\\p{${n}}$`, 'u');
      } catch {
        try {
          re = new RegExp(`^\\p{Script=${n}}$`, 'u');
        } catch {
          throw this.err(`unknown property name "${name}"`);
        }
      }
      for (let c = 0; c < 256; c++) if (re.test(String.fromCharCode(c))) set[c] = 1;
    }
    // Case-insensitivity does not apply to properties.
    return negated ? { set: complement(set), nonAscii: true, noFold: true } : { set, nonAscii: false, noFold: true };
  }

  private escape(): Atom | null {
    const p = this.p;
    this.pos++; // backslash
    if (this.pos >= p.length) throw this.err('\\ at end of pattern');
    const d = this.peek();
    this.pos++;
    // \N{U+hhhh}: a code point, UTF mode only.
    if (d === 0x4e && this.peek() === 0x7b) {
      const m = /^\{U\+([0-9a-fA-F]+)\}/.exec(p.slice(this.pos));
      if (!m || !this.utf) throw this.err('\\N{U+dddd} is supported only in UTF mode');
      this.pos += m[0].length;
      return this.codePoint(parseInt(m[1] as string, 16));
    }
    const type = this.typeEscape(d, false);
    if (type) return this.charClass(type.set, type.nonAscii, !type.noFold);
    switch (d) {
      case 0x51: // Q
        this.inQuote = true;
        return null;
      case 0x45: // E
        return null;
      case 0x4b: // K: resets the match start; Wazuh uses only the end and the groups.
        return null;
      case 0x62:
        return { code: '\\b', repeatable: false };
      case 0x42:
        return { code: '\\B', repeatable: false };
      case 0x41: // A
      case 0x47: // G: matching always starts at offset 0
        return { code: '^', repeatable: false };
      case 0x5a: // Z
        return { code: '(?=\\n?$)', repeatable: false };
      case 0x7a: // z
        return { code: '$', repeatable: false };
      case 0x52: // R
        return { code: this.atomic(this.bsrAnyCrlf ? '\\r\\n|[\\n\\r]' : '\\r\\n|[\\n\\x0b\\f\\r\\x85]'), repeatable: true };
      case 0x43: // C: one code unit
        return { code: '[^]', repeatable: true };
      case 0x58:
        throw this.err('\\X is not supported');
      case 0x67:
        return this.gReference();
      case 0x6b:
        return this.kReference();
      default:
        break;
    }
    if (d >= 0x31 && d <= 0x39) {
      // Back reference, or octal when it cannot be one (PCRE2's rule).
      const m = /^\d+/.exec(p.slice(this.pos - 1)) as RegExpExecArray;
      const n = Number(m[0]);
      if (n < 10 || d >= 0x38 || n <= this.groupCount) {
        this.pos += m[0].length - 1;
        return this.backref(n);
      }
      this.pos--;
      return this.codePoint(this.octal(3));
    }
    if (d === 0x30) return this.codePoint(this.octal(2));
    const ch = this.charEscape(d, false);
    if (ch >= 0) return this.codePoint(ch);
    if ((d >= 0x30 && d <= 0x39) || (d >= 0x41 && d <= 0x5a) || (d >= 0x61 && d <= 0x7a)) {
      throw this.err(`unrecognized escape \\${String.fromCharCode(d)}`);
    }
    // Escaped punctuation (or a non-ASCII byte) stands for itself.
    this.pos--;
    return this.literal();
  }

  private gReference(): Atom {
    const m = /^(?:\{(-?\d+|[A-Za-z_]\w*)\}|(-?\d+))/.exec(this.p.slice(this.pos));
    if (!m) throw this.err('\\g is not followed by a group reference (subroutine calls are not supported)');
    this.pos += m[0].length;
    const ref = (m[1] ?? m[2]) as string;
    if (/^-?\d+$/.test(ref)) {
      const n = Number(ref);
      if (n === 0) throw this.err('a group reference must not be zero');
      return this.backref(n < 0 ? this.groupCount + 1 + n : n);
    }
    return this.namedBackref(ref);
  }

  private kReference(): Atom {
    const m = /^(?:<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)'|\{([A-Za-z_]\w*)\})/.exec(this.p.slice(this.pos));
    if (!m) throw this.err('\\k is not followed by a group name');
    this.pos += m[0].length;
    return this.namedBackref((m[1] ?? m[2] ?? m[3]) as string);
  }

  private namedBackref(name: string): Atom {
    const n = this.names.get(name);
    if (n === undefined) {
      this.pendingNames.push(name);
      return this.backrefCode(`n${name}`);
    }
    return this.backref(n);
  }

  private backref(n: number): Atom {
    if (n < 1) throw this.err('reference to a non-existent group');
    return this.backrefCode(`u${n}`);
  }

  private backrefCode(id: string): Atom {
    if (this.flags.i) {
      this.sawCaseless = true;
      if (!this.jsCase) throw this.err('a case-insensitive back reference in a partly case-sensitive pattern is not supported');
    } else {
      this.jsCaseExact = false;
    }
    return { code: `(?:${REF}${id}${END})`, repeatable: true };
  }

  /** `[...]`. */
  private bracket(): Atom {
    const p = this.p;
    this.pos++;
    let negated = false;
    if (this.peek() === 0x5e) {
      negated = true;
      this.pos++;
    }
    const set = newSet();
    // Members that case-insensitivity leaves alone (\p properties).
    const raw = newSet();
    let first = true;
    for (;;) {
      if (this.pos >= p.length) throw this.err('missing terminating ] for character class');
      let c = this.peek();
      if (c === 0x5d && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (this.flags.x === 2 && (c === 0x20 || c === 0x09)) {
        this.pos++;
        continue;
      }
      if (c === 0x5b) {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(this.pos, this.pos + 16));
        if (m) {
          const cls = POSIX[m[2] as string];
          if (!cls) throw this.err(`unknown POSIX class name "${m[2]}"`);
          addAll(set, m[1] ? complement(cls) : cls);
          this.pos += m[0].length;
          if (this.peek() === 0x2d && this.peek(1) !== 0x5d) throw this.err('invalid range in character class');
          continue;
        }
        if (/^\[([.=])[^\]]*?\1\]/.test(p.slice(this.pos))) throw this.err('POSIX collating elements are not supported');
      }
      // A single character, or a type escape.
      let lo: number;
      if (c === 0x5c) {
        this.pos++;
        const d = this.peek();
        this.pos++;
        if (d === 0x51) {
          // \Q...\E inside a class
          const e = p.indexOf('\\E', this.pos);
          const end = e === -1 ? p.length : e;
          for (let k = this.pos; k < end; k++) set[this.classByte(p.charCodeAt(k))] = 1;
          this.pos = e === -1 ? end : e + 2;
          continue;
        }
        if (d === 0x45) continue;
        const type = this.typeEscape(d, true);
        if (type) {
          addAll(type.noFold ? raw : set, type.set);
          if (this.peek() === 0x2d && this.peek(1) !== 0x5d) throw this.err('invalid range in character class');
          continue;
        }
        lo = this.classEscape(d);
      } else {
        lo = this.classByte(c);
        this.pos++;
      }
      if (this.peek() === 0x2d && this.peek(1) !== 0x5d && this.pos + 1 < p.length) {
        this.pos++;
        c = this.peek();
        let hi: number;
        if (c === 0x5c) {
          this.pos++;
          const d = this.peek();
          this.pos++;
          if (d === 0x51 || d === 0x45 || this.typeEscape(d, true) !== null) throw this.err('invalid range in character class');
          hi = this.classEscape(d);
        } else if (c === 0x5b && /^\[:\^?[a-z]+:\]/.test(p.slice(this.pos, this.pos + 16))) {
          throw this.err('invalid range in character class');
        } else {
          hi = this.classByte(c);
          this.pos++;
        }
        if (hi < lo) throw this.err('range out of order in character class');
        setRange(set, lo, hi);
      } else {
        set[lo] = 1;
      }
    }
    // PCRE2 folds the members, then negates.
    const all = this.flags.i ? foldAscii(set) : set;
    addAll(all, raw);
    // In UTF mode only negated types (\S, [:^alpha:]...) put non-ASCII bytes in the set: they
    // stand for every multi-byte character.
    let high = false;
    for (let c = 0x80; c < 256 && !high; c++) if (all[c]) high = true;
    return negated ? this.charClass(complement(all), !high, false) : this.charClass(all, high, false);
  }

  /** A literal byte in a class: in UTF mode only ASCII is supported. */
  private classByte(c: number): number {
    if (this.utf && c > 0x7f) throw this.err('a non-ASCII character in a class is not supported in UTF mode');
    return c;
  }

  /** A character escape inside a class (after the backslash and `d`). */
  private classEscape(d: number): number {
    if (d >= 0x30 && d <= 0x37) {
      this.pos--;
      return this.octal(3);
    }
    const ch = this.charEscape(d, true);
    if (ch > 0xff) throw this.err('character code point value too large');
    if (ch >= 0) return this.classByte(ch);
    if ((d >= 0x38 && d <= 0x39) || !((d >= 0x41 && d <= 0x5a) || (d >= 0x61 && d <= 0x7a))) return d;
    throw this.err(`unrecognized escape \\${String.fromCharCode(d)} in character class`);
  }

  /** `(` ... `)` in all its forms. */
  private group(): Atom | null {
    const p = this.p;
    const start = this.pos;
    this.pos++;
    if (this.peek() === 0x2a) return this.verb(start);
    if (this.peek() !== 0x3f) {
      if (this.flags.n) return this.groupBody('(?:', false);
      return this.capture(undefined);
    }
    this.pos++;
    const c = this.peek();
    switch (c) {
      case 0x3a: // (?:
        this.pos++;
        return this.groupBody('(?:', false);
      case 0x3e: // (?>
        this.pos++;
        return this.atomicGroup();
      case 0x3d: // (?=
      case 0x21: // (?!
        this.pos++;
        return this.groupBody(`(?${String.fromCharCode(c)}`, true);
      case 0x23: {
        // (?# comment )
        const close = p.indexOf(')', this.pos);
        if (close === -1) throw this.err('missing ) after (?# comment');
        this.pos = close + 1;
        return null;
      }
      case 0x3c: {
        // (?<= (?<! or (?<name>
        const d = this.peek(1);
        if (d === 0x3d || d === 0x21) {
          this.pos += 2;
          return this.groupBody(`(?<${String.fromCharCode(d)}`, true);
        }
        return this.namedCapture(/^<([A-Za-z_]\w*)>/);
      }
      case 0x27:
        return this.namedCapture(/^'([A-Za-z_]\w*)'/);
      case 0x50: {
        // (?P<name> (?P=name) (?P>name)
        const d = this.peek(1);
        if (d === 0x3c) {
          this.pos++;
          return this.namedCapture(/^<([A-Za-z_]\w*)>/);
        }
        if (d === 0x3d) {
          const m = /^P=([A-Za-z_]\w*)\)/.exec(p.slice(this.pos));
          if (!m) throw this.err('syntax error in (?P= reference');
          this.pos += m[0].length;
          return this.namedBackref(m[1] as string);
        }
        throw this.err('subroutine calls are not supported');
      }
      case 0x7c:
        throw this.err('branch reset groups are not supported');
      case 0x28:
        throw this.err('conditional groups are not supported');
      case 0x43:
        throw this.err('callouts are not supported');
      case 0x52:
      case 0x26:
      case 0x2b:
        throw this.err('recursion and subroutine calls are not supported');
      default:
        if (c >= 0x30 && c <= 0x39) throw this.err('recursion and subroutine calls are not supported');
        if (c === 0x2d && p.charCodeAt(this.pos + 1) >= 0x30 && p.charCodeAt(this.pos + 1) <= 0x39) {
          throw this.err('recursion and subroutine calls are not supported');
        }
        return this.optionSetting();
    }
  }

  /** `(?imnsxU-imnsx)` or `(?imnsxU-imnsx:...)`. */
  private optionSetting(): Atom | null {
    const m = /^(\^)?([imnsxUJ]*)(?:-([imnsxUJ]*))?([:)])/.exec(this.p.slice(this.pos));
    if (!m) throw this.err('unrecognized character after (? or (?-');
    this.pos += m[0].length;
    const next: Flags = { ...this.flags };
    if (m[1]) {
      next.i = next.m = next.n = next.s = false;
      next.x = 0;
    }
    const apply = (letters: string, on: boolean): void => {
      for (let k = 0; k < letters.length; k++) {
        const l = letters[k];
        if (l === 'i') next.i = on;
        else if (l === 'm') next.m = on;
        else if (l === 's') next.s = on;
        else if (l === 'n') next.n = on;
        else if (l === 'U') next.U = on;
        else if (l === 'x') {
          if (!on) next.x = 0;
          else if (letters[k + 1] === 'x') {
            next.x = 2;
            k++;
          } else next.x = 1;
        }
      }
    };
    apply(m[2] as string, true);
    if (m[3] !== undefined) apply(m[3], false);
    if (m[4] === ')') {
      // Applies to the rest of the enclosing group.
      this.flags = next;
      return null;
    }
    const saved = this.flags;
    this.flags = next;
    this.depth++;
    const body = this.alternation();
    this.depth--;
    this.closeParen();
    this.flags = saved;
    return { code: `(?:${body})`, repeatable: true };
  }

  private closeParen(): void {
    if (this.peek() !== 0x29) throw this.err('missing closing parenthesis');
    this.pos++;
  }

  /** Body of a group up to `)`, with options scoped to it. */
  private groupBody(open: string, lookaround: boolean): Atom {
    const saved = this.flags;
    this.flags = { ...saved };
    this.depth++;
    const body = this.alternation();
    this.depth--;
    this.closeParen();
    this.flags = saved;
    return lookaround ? { code: `${open}${body})`, repeatable: true, lookaround: true } : { code: `${open}${body})`, repeatable: true };
  }

  private atomicGroup(): Atom {
    const inner = this.groupBody('(?:', false);
    return { code: this.atomic(inner.code), repeatable: true };
  }

  private capture(name: string | undefined): Atom {
    const n = ++this.groupCount;
    if (name !== undefined) {
      if (this.names.has(name)) throw this.err(`two named groups have the same name "${name}"`);
      this.names.set(name, n);
    }
    const inner = this.groupBody('', false);
    return { code: `${OPEN}u${n}${END}${inner.code}`, repeatable: true };
  }

  private namedCapture(re: RegExp): Atom {
    const m = re.exec(this.p.slice(this.pos));
    if (!m) throw this.err('syntax error in group name');
    this.pos += m[0].length;
    return this.capture(m[1] as string);
  }

  /** `(*VERB)` inside the pattern and `(*alpha_assertion:`. */
  private verb(start: number): Atom | null {
    const m = /^\*([A-Za-z_]+)(:|\))/.exec(this.p.slice(this.pos));
    if (!m) throw this.err('(* must be followed by a verb name');
    const name = m[1] as string;
    this.pos += m[0].length;
    if (m[2] === ')') {
      if (name === 'F' || name === 'FAIL') return { code: '(?!)', repeatable: false };
      this.pos = start;
      throw this.err(`backtracking verb (*${name}) is not supported`);
    }
    const look: Record<string, string> = {
      pla: '(?=',
      positive_lookahead: '(?=',
      nla: '(?!',
      negative_lookahead: '(?!',
      plb: '(?<=',
      positive_lookbehind: '(?<=',
      nlb: '(?<!',
      negative_lookbehind: '(?<!',
    };
    const open = look[name];
    if (open) return this.groupBody(open, true);
    if (name === 'atomic') return this.atomicGroup();
    this.pos = start;
    throw this.err(`(*${name}: is not supported`);
  }
}

/** Resolves group markers: JS group numbers follow the order of opening parentheses. */
function finalize(code: string, groupCount: number, names: ReadonlyMap<string, number>, pattern: string): { source: string; groupIndex: number[] } {
  const jsIndex = new Map<string, number>();
  let next = 0;
  const markerOpen = new RegExp(`${OPEN}([^${END}]*)${END}`, 'g');
  for (const m of code.matchAll(markerOpen)) jsIndex.set(m[1] as string, ++next);
  const groupIndex: number[] = [0];
  for (let g = 1; g <= groupCount; g++) groupIndex.push(jsIndex.get(`u${g}`) as number);
  const source = code.replace(markerOpen, '(').replace(new RegExp(`${REF}([^${END}]*)${END}`, 'g'), (_m, id: string) => {
    let key = id;
    if (id.startsWith('n')) key = `u${names.get(id.slice(1))}`;
    const idx = jsIndex.get(key);
    if (idx === undefined) throw syntax(pattern, 'reference to a non-existent group');
    return `\\${idx}`;
  });
  return { source, groupIndex };
}

class Pcre2Pattern implements CompiledPattern {
  readonly kind = 'pcre2' as const;
  readonly source: string;
  /** The JS translation (for diagnostics and tests). */
  readonly regexp: RegExp;
  private readonly utf: boolean;
  private readonly groupCount: number;
  /** JS group number of each PCRE2 group (index 0 unused); null when they coincide. */
  private readonly groupIndex: number[] | null;
  /**
   * Bytes every match contains, checked with `indexOf` first: most subjects fail fast, and a
   * pattern like `[^%]*%FTD` cannot go quadratic on a long line without `%FTD`.
   */
  readonly required: string;

  constructor(source: string, regexp: RegExp, utf: boolean, groupCount: number, groupIndex: number[], required: string) {
    this.source = source;
    this.regexp = regexp;
    this.utf = utf;
    this.groupCount = groupCount;
    this.groupIndex = groupIndex.every((v, k) => v === k) ? null : groupIndex;
    this.required = required;
  }

  test(subject: string): boolean {
    if (this.required !== '' && subject.indexOf(this.required) === -1) return false;
    // pcre2_match rejects a subject that is not valid UTF-8 in UTF mode.
    if (this.utf && !VALID_UTF8.test(subject)) return false;
    return this.regexp.test(subject);
  }

  exec(subject: string): MatchResult | null {
    if (this.required !== '' && subject.indexOf(this.required) === -1) return null;
    if (this.utf && !VALID_UTF8.test(subject)) return null;
    const m = this.regexp.exec(subject);
    if (m === null) return null;
    // w_expression_match returns a pointer to the last byte of the match (ovector[1] - 1).
    const end = m.index + m[0].length - 1;
    const map = this.groupIndex;
    // pcre2_match reports groups up to the highest one that participated.
    let last = this.groupCount;
    if (map === null) {
      while (last > 0 && m[last] === undefined) last--;
      if (last === 0) return { end, captures: EMPTY };
      const captures = m.slice(1, last + 1) as string[];
      for (let g = 0; g < last; g++) if (captures[g] === undefined) captures[g] = '';
      return { end, captures };
    }
    while (last > 0 && m[map[last] as number] === undefined) last--;
    if (last === 0) return { end, captures: EMPTY };
    const captures = new Array<string>(last);
    for (let g = 1; g <= last; g++) captures[g - 1] = m[map[g] as number] ?? '';
    return { end, captures };
  }
}

/**
 * Compile a Wazuh PCRE2 pattern (a byte string) into a byte-wise JS matcher.
 * @throws RiposteError `RIPOSTE_ERR_REGEX_SYNTAX` for invalid or unsupported syntax.
 * @example compilePcre2('(?i)user (\\S+)').exec('USER root')  // { end: 8, captures: ['root'] }
 */
export function compilePcre2(pattern: string): CompiledPattern {
  let t = new Translator(pattern, true);
  let code = t.translate();
  let flags = '';
  if (t.sawCaseless) {
    if (t.jsCaseExact) {
      flags = 'i';
    } else {
      t = new Translator(pattern, false);
      code = t.translate();
    }
  }
  const { source, groupIndex } = finalize(code, t.groupCount, t.names, pattern);
  let regexp: RegExp;
  try {
    regexp = new RegExp(source, flags);
  } catch (e) {
    throw new RiposteError('RIPOSTE_ERR_REGEX_SYNTAX', `Invalid PCRE2 pattern "${pattern}": ${(e as Error).message}`, undefined, { cause: e });
  }
  return new Pcre2Pattern(pattern, regexp, t.utf, t.groupCount, groupIndex, t.topAlternation ? '' : t.required);
}
