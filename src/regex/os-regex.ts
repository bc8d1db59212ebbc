/**
 * OS_Regex, the regex dialect of Wazuh decoders and rules, ported from the reference C matcher
 * (`src/os_regex`: `os_regex_compile.c`, `os_regex_execute.c`). It is deliberately NOT a
 * translation to JS `RegExp`: the C scanner is a single left-to-right pass with lazy quantifiers
 * in the middle, greedy ones at the end, four backtrack slots and restart-after-first-step, and
 * every stock decoder depends on those quirks (see spec §3). The matcher below follows the C
 * control flow step by step on byte offsets instead of pointers.
 * @module
 */
import { RiposteError } from '../errors.ts';
import { CLASS, LOWER } from './_charmaps.ts';
import type { CompiledPattern, MatchResult } from './types.ts';

/** Options for {@link compileOsRegex}. */
export interface OsRegexOptions {
  /**
   * Compile as the C code does with `OS_RETURN_SUBSTRING` (decoder `<regex>`): captures are
   * returned. Wazuh compiles decoder `<prematch>` and rule `<regex>` WITHOUT it; pass `false`
   * there for exact parity, because in the C code the capture bookkeeping also changes how
   * trailing `\x*` tokens are accepted at the end of the subject.
   * @default true
   */
  readonly substrings?: boolean;
}

// Byte values the matcher dispatches on.
const BS = 92; // '\\'
const LP = 40; // '(' (a ')' is stored as '(' too, as in the C compiler)
const RP = 41;
const PIPE = 124;
const PLUS = 43;
const STAR = 42;
const CARET = 94;
const DOLLAR = 36;

const BEGIN_SET = 1;
const END_SET = 2;

/** The C `OS_PATTERN_MAXSIZE`. */
const MAX_PATTERN = 20480;

/** Stand-in for a NULL pointer; -1 is a real value (the C can return `str - 1`). */
const NIL = -2;

/** The escape letter after a backslash -> internal code (1..15), 0 when invalid. */
const ESCAPE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  const letters = 'dwsp()\\DWS.t$|<';
  for (let i = 0; i < letters.length; i++) t[letters.charCodeAt(i)] = i + 1;
  return t;
})();

/** One `|`-separated alternative, compiled to the byte form the C matcher walks. */
interface Branch {
  /** Pattern bytes (lower-cased, escapes as BS + code) followed by NUL padding. */
  readonly code: Uint8Array;
  readonly flags: number;
  /** For each position holding '(' the index of its capture pointer, else -1. */
  readonly slotOf: Int16Array;
  /** Number of '(' (open and close) in the branch. */
  readonly slots: number;
  /** A literal every match must contain (a necessary condition), for a fast reject. */
  readonly needle: string;
  /** Case-insensitive search for `needle` when it has letters; null to use `includes`. */
  readonly needleRe: RegExp | null;
  /** The literal an attempt must start with ('' if it starts otherwise or is `^`-anchored). */
  readonly lead: string;
  /** Its upper-case form when it is a letter, else ''. */
  readonly leadUpper: string;
}

function syntaxError(pattern: string, why: string): RiposteError {
  return new RiposteError('RIPOSTE_ERR_REGEX_SYNTAX', `Invalid OS_Regex pattern "${pattern}": ${why}`);
}

/**
 * Compile an OS_Regex pattern. Rejects exactly what `OSRegex_Compile` rejects: unknown escapes,
 * nested or unbalanced parentheses, `|` inside parentheses, patterns over 20480 bytes.
 * @param pattern the pattern as a byte string
 * @param options see {@link OsRegexOptions}
 * @returns a reusable compiled pattern (`kind: 'osregex'`)
 * @example compileOsRegex('^(\\S+) (\\S+)').exec('foo bar baz') // { end: 4, captures: ['foo', 'bar'] }
 */
export function compileOsRegex(pattern: string, options: OsRegexOptions = {}): CompiledPattern {
  const withSubstrings = options.substrings ?? true;
  // The C code sees a NUL-terminated string.
  const nul = pattern.indexOf('\0');
  const src = nul < 0 ? pattern : pattern.slice(0, nul);
  if (src.length > MAX_PATTERN) throw syntaxError(src.slice(0, 64) + '...', `longer than ${MAX_PATTERN} bytes`);

  const bytes: number[] = [];
  let depth = 0;
  let closes = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c > 255) throw syntaxError(src, 'not a byte string');
    if (c === BS) {
      const e = i + 1 < src.length ? src.charCodeAt(i + 1) : 0;
      const code = e < 256 ? (ESCAPE[e] ?? 0) : 0;
      if (code === 0) throw syntaxError(src, `invalid escape "\\${src.charAt(i + 1)}"`);
      bytes.push(BS, code);
      i++;
      continue;
    }
    let b = c;
    if (c === LP) depth++;
    else if (c === RP) {
      b = LP;
      depth--;
      closes++;
    }
    if (depth > 1) throw syntaxError(src, 'nested parentheses');
    if (depth < 0) throw syntaxError(src, 'unbalanced ")"');
    b = LOWER[b] ?? b;
    if (b === PIPE && depth !== 0) throw syntaxError(src, '"|" inside parentheses');
    bytes.push(b);
  }
  if (depth !== 0) throw syntaxError(src, 'unclosed "("');

  const branches: Branch[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== PIPE) continue;
    branches.push(makeBranch(bytes.slice(start, i)));
    start = i + 1;
  }
  // The C code keeps capture pointers (and its quirks) only when the pattern has a group.
  return new OsRegex(pattern, branches, withSubstrings && closes > 0);
}

function makeBranch(b: number[]): Branch {
  let flags = 0;
  let from = 0;
  let to = b.length;
  if (b[0] === CARET) {
    flags |= BEGIN_SET;
    from = 1;
  }
  if (to > from && b[to - 1] === DOLLAR) {
    flags |= END_SET;
    to--;
  }
  const n = to - from;
  // Four NUL bytes of padding: the C code looks up to 3 bytes past a token.
  const code = new Uint8Array(n + 4);
  const slotOf = new Int16Array(n + 4).fill(-1);
  let slots = 0;
  for (let i = 0; i < n; i++) {
    const c = b[from + i] ?? 0;
    code[i] = c;
    if (c === LP) slotOf[i] = slots++;
  }
  const needle = longestLiteral(code, n);
  // The first literal of an attempt, possibly after a '(' (a second '(' would be a literal too).
  const first = code[0] === LP ? (code[1] ?? 0) : (code[0] ?? 0);
  const hasLead = (flags & BEGIN_SET) === 0 && first !== 0 && first !== BS && first !== LP;
  const lead = hasLead ? String.fromCharCode(first) : '';
  const leadUpper = hasLead && first >= 97 && first <= 122 ? String.fromCharCode(first - 32) : '';
  return { code, flags, slotOf, slots, needle, needleRe: caseInsensitiveSearch(needle), lead, leadUpper };
}

/**
 * The longest run of adjacent literal tokens. In the C scanner a literal can only be passed by
 * comparing it with the subject, and the literal after a literal is always compared with the
 * next byte, so every match contains each run (ASCII case-insensitively). Escapes and '(' end a
 * run ('(' because a second '(' in a row is compared as a literal).
 */
function longestLiteral(code: Uint8Array, n: number): string {
  let best = '';
  let cur = '';
  let i = 0;
  while (i < n) {
    const c = code[i] ?? 0;
    if (c === BS || c === LP) {
      if (cur.length > best.length) best = cur;
      cur = '';
      if (c === BS) {
        i += 2;
        const q = code[i];
        if (q === PLUS || q === STAR) i++;
      } else {
        i++;
      }
      continue;
    }
    cur += String.fromCharCode(c);
    i++;
  }
  return cur.length > best.length ? cur : best;
}

/** A RegExp finding `lower` ASCII-case-insensitively (latin1 letters exact), or null if none is needed. */
function caseInsensitiveSearch(lower: string): RegExp | null {
  if (!/[a-z]/.test(lower)) return null;
  let src = '';
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if (c >= 97 && c <= 122) src += `[${lower[i]}${String.fromCharCode(c - 32)}]`;
    else src += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return new RegExp(src);
}

/** Shared capture-pointer scratch: matching is synchronous, so one buffer serves every call. */
let scratch = new Int32Array(16);

class OsRegex implements CompiledPattern {
  readonly kind = 'osregex' as const;
  readonly source: string;
  private readonly branches: readonly Branch[];
  /** The C `prts_closure != NULL`: captures are tracked (changes end-of-subject acceptance). */
  private readonly closure: boolean;

  constructor(source: string, branches: readonly Branch[], closure: boolean) {
    this.source = source;
    this.branches = branches;
    this.closure = closure;
  }

  test(subject: string): boolean {
    const len = cLength(subject);
    const full = len === subject.length;
    const branches = this.branches;
    for (let i = 0; i < branches.length; i++) {
      const b = branches[i] as Branch;
      if (full && !mayContain(b, subject)) continue;
      if (run(b, subject, len, null, this.closure) !== NIL) return true;
    }
    return false;
  }

  exec(subject: string): MatchResult | null {
    const len = cLength(subject);
    const full = len === subject.length;
    const branches = this.branches;
    for (let i = 0; i < branches.length; i++) {
      const b = branches[i] as Branch;
      if (full && !mayContain(b, subject)) continue;
      let caps: Int32Array | null = null;
      if (this.closure) {
        if (scratch.length < b.slots + 2) scratch = new Int32Array(b.slots + 2);
        caps = scratch;
        caps.fill(-1, 0, b.slots + 2);
      }
      const end = run(b, subject, len, caps, this.closure);
      if (end === NIL) continue;
      const captures: string[] = [];
      // Pairs (open, close) are read until the first unset pointer, as the C does; this is
      // what drops an empty group left open at the end of the subject.
      if (caps !== null) {
        for (let j = 0; ; j += 2) {
          const from = caps[j] ?? -1;
          const to = caps[j + 1] ?? -1;
          if (from < 0 || to < 0) break;
          captures.push(to > from ? subject.slice(from, to) : '');
        }
      }
      return { end, captures };
    }
    return null;
  }
}

/** `strlen`: the C matcher stops at the first NUL byte. */
function cLength(s: string): number {
  const z = s.indexOf('\0');
  return z < 0 ? s.length : z;
}

function mayContain(b: Branch, s: string): boolean {
  if (b.needle === '') return true;
  return b.needleRe === null ? s.includes(b.needle) : b.needleRe.test(s);
}

/**
 * The C `_OS_Regex` on one branch. Returns the offset the C pointer result would have (may be
 * -1, i.e. `str - 1`) or NIL for no match. `caps` receives capture pointers when given;
 * `closure` reproduces the C behaviour that depends on capture tracking being enabled.
 */
function run(b: Branch, s: string, len: number, caps: Int32Array | null, closure: boolean): number {
  const p = b.code;
  const slotOf = b.slotOf;
  const endSet = (b.flags & END_SET) !== 0;
  const beginSet = (b.flags & BEGIN_SET) !== 0;

  let rCode = 0;
  let matched = false; // the C `_regex_matched`
  let stError = -1;
  // The four backtrack slots (pattern offset, subject offset); -1 = empty.
  let e0 = -1, e1 = -1, e2 = -1, e3 = -1;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let pt = 0;
  let st = 0;
  const lead = b.lead;
  const leadUpper = b.leadUpper;
  // Cached next occurrences of the lead literal (-2 = not searched yet, -1 = none left).
  let nextLo = -2;
  let nextUp = leadUpper === '' ? -1 : -2;

  for (st = 0; st < len; st++) {
    if (pt === 0 && lead !== '') {
      // A fresh attempt (no backtrack slots, no st_error) whose first token is a literal: in
      // the C loop every byte that does not match it only sets r_code to NULL and moves on,
      // so jump straight to the next candidate byte.
      if (nextLo !== -1 && nextLo < st) nextLo = s.indexOf(lead, st);
      if (nextUp !== -1 && nextUp < st) nextUp = s.indexOf(leadUpper, st);
      const next = nextLo < 0 ? nextUp : nextUp < 0 || nextLo < nextUp ? nextLo : nextUp;
      // No candidate left: the C code would end the loop with pt on a literal and fail.
      if (next < 0 || next >= len) return NIL;
      if (next > st) {
        st = next;
        rCode = NIL;
      }
    }
    let c = p[pt] as number;
    if (c === 0) {
      // Inside the loop the subject is never at its end, so `$` branches cannot stop here.
      if (!endSet) return rCode;
    } else if (c === LP) {
      if (caps !== null) caps[slotOf[pt] as number] = st;
      pt++;
      c = p[pt] as number;
      if (c === 0 && !endSet) return rCode;
    }

    const ch = s.charCodeAt(st) & 255;
    if (c === BS) {
      if (CLASS[((p[pt + 1] as number) << 8) | ch] === 1) {
        let np = pt + 2;
        const q = p[np] as number;
        if (q !== PLUS && q !== STAR) {
          // A single-step escape.
          pt = np;
          if (stError < 0) stError = st;
          rCode = st;
          continue;
        }
        if (q === STAR) matched = true;
        if (matched) {
          // Already inside a quantified run: peek whether the next element accepts this byte.
          np++;
          let ok = -1;
          if (p[np] === LP) np++;
          const nc = p[np] as number;
          if (nc === 0) {
            ok = 1;
          } else if (nc === BS) {
            if (CLASS[((p[np + 1] as number) << 8) | ch] === 1) {
              const q2 = p[np + 2];
              ok = q2 !== PLUS && q2 !== STAR ? 2 : 0;
            }
          } else if (nc === LOWER[ch]) {
            matched = false;
            ok = 1;
          }
          if (ok >= 0) {
            if (caps !== null && p[np - 1] === LP) {
              caps[slotOf[np - 1] as number] = matched && ok === 1 ? st + 1 : st;
            }
            // A trailing quantified token: keep consuming, r_code stays at its first byte.
            if (nc === 0) continue;
            np += ok;
            if (e0 < 0) {
              e0 = pt;
              s0 = st;
            } else if (e1 < 0) {
              e1 = pt;
              s1 = st;
            } else if (e2 < 0) {
              e2 = pt;
              s2 = st;
            } else if (e3 < 0) {
              e3 = pt;
              s3 = st;
            }
            pt = np;
          }
        } else {
          // First byte of a `+` run.
          np++;
          if (closure && p[np] === LP) {
            if (caps !== null) caps[slotOf[np] as number] = st + 1 >= len ? st + 1 : st;
          }
          matched = true;
        }
        rCode = st;
        continue;
      } else if ((p[pt + 2] === 0 || p[pt + 3] === 0) && matched && rCode !== NIL) {
        rCode = st;
        if (!endSet) return rCode;
      } else if (p[pt + 2] === PLUS && matched) {
        // The `+` run ended: retry this byte on the next element.
        pt += 3;
        st--;
        matched = false;
        continue;
      } else if (p[pt + 2] === STAR) {
        // A `*` element may match nothing.
        pt += 3;
        st--;
        rCode = st;
        matched = false;
        continue;
      }
      matched = false;
    } else if (c === LOWER[ch]) {
      pt++;
      if (stError < 0) stError = st;
      rCode = st;
      continue;
    }

    // Mismatch: newest backtrack slot first, then restart after the first step of the attempt.
    if (e3 >= 0) {
      pt = e3;
      st = s3;
      e3 = -1;
      continue;
    } else if (e2 >= 0) {
      pt = e2;
      st = s2;
      e2 = -1;
      continue;
    } else if (e1 >= 0) {
      pt = e1;
      st = s1;
      e1 = -1;
      continue;
    } else if (e0 >= 0) {
      pt = e0;
      st = s0;
      e0 = -1;
      continue;
    } else if (beginSet) {
      return NIL;
    } else if (stError >= 0) {
      st = stError;
      stError = -1;
    }
    pt = 0;
    rCode = NIL;
  }

  // End of subject. With capture tracking the C code first skips `\x*` tokens to close a
  // trailing group (this skipping also affects the acceptance test below).
  if (closure) {
    while (p[pt] !== LP && p[pt] !== 0) {
      if (p[pt] === BS && p[pt + 2] === STAR) pt += 3;
      else break;
    }
    if (p[pt] === LP && caps !== null) caps[slotOf[pt] as number] = st;
  }

  // The C acceptance expression, including its side effects on `pt` between alternatives:
  //   at end ('(' skipped) | matched \x+ or \x* then end or \y* then end | \x* then end.
  if (p[pt] === LP) pt++;
  if (p[pt] === 0) return rCode;
  if (p[pt] === BS && matched) {
    pt += 2;
    if (p[pt] === PLUS || p[pt] === STAR) {
      pt++;
      if (p[pt] === LP) pt++;
      if (p[pt] === 0) return rCode;
      if (p[pt] === BS) {
        pt += 2;
        if (p[pt] === STAR) {
          pt++;
          if (p[pt] === LP) pt++;
          if (p[pt] === 0) return rCode;
        }
      }
    }
  }
  if (p[pt] === BS) {
    pt += 2;
    if (p[pt] === STAR) {
      pt++;
      if (p[pt] === LP) pt++;
      if (p[pt] === 0) return rCode;
    }
  }
  return NIL;
}
