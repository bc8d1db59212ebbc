/**
 * OS_Match, the literal dialect of rule `<match>`, most static rule fields and decoder
 * `<program_name>`, ported from the reference C (`os_match_compile.c`, `os_match_execute.c`):
 * ASCII case-insensitive substring tests, `|` alternatives, `^` prefix / `$` suffix / `^…$`
 * equality, an empty alternative that matches everything, and a leading `!` that negates the
 * whole pattern. There are no escapes.
 * @module
 */
import { RiposteError } from '../errors.ts';
import { LOWER } from './_charmaps.ts';
import type { CompiledPattern, MatchResult } from './types.ts';

/** The C `OS_PATTERN_MAXSIZE`. */
const MAX_PATTERN = 20480;

/** How one alternative is compared (the C `match_fp` it gets). */
type Mode = 'contains' | 'prefix' | 'suffix' | 'equals' | 'all';

interface Alternative {
  readonly mode: Mode;
  /** The literal, already lower-cased as the C compiler stores it. */
  readonly text: string;
}

/**
 * Compile an OS_Match pattern.
 * @param pattern the pattern as a byte string
 * @returns a compiled pattern (`kind: 'osmatch'`). `exec` reports `end` as the offset of the
 *   last byte of the matched literal, or -1 when nothing was consumed (empty literal, or a
 *   negated pattern). The C code provides no end pointer for OS_Match at all, so callers
 *   needing C parity must not rely on it.
 * @example compileOsMatch('^sshd|failed password').test('Failed password for root') // true
 */
export function compileOsMatch(pattern: string): CompiledPattern {
  const nul = pattern.indexOf('\0');
  let src = nul < 0 ? pattern : pattern.slice(0, nul);
  if (src.length > MAX_PATTERN) {
    throw new RiposteError('RIPOSTE_ERR_REGEX_SYNTAX', `Invalid OS_Match pattern "${src.slice(0, 64)}...": longer than ${MAX_PATTERN} bytes`);
  }
  const source = pattern;
  const negate = src.charCodeAt(0) === 33; // '!'
  if (negate) src = src.slice(1);
  let lowered = '';
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c > 255) throw new RiposteError('RIPOSTE_ERR_REGEX_SYNTAX', `Invalid OS_Match pattern "${source}": not a byte string`);
    lowered += String.fromCharCode(LOWER[c] ?? c);
  }
  const alternatives = lowered.split('|').map(classify);
  return new OsMatch(source, negate, alternatives);
}

/** The C compiler's choice of comparison for one alternative, tested in the same order. */
function classify(alt: string): Alternative {
  const caret = alt.startsWith('^');
  const dollar = alt.endsWith('$');
  // For "^" alone the last byte is the caret itself, so this is a prefix test of "".
  if (caret && dollar && alt.length >= 2) return { mode: 'equals', text: alt.slice(1, -1) };
  if (alt === '') return { mode: 'all', text: '' };
  if (dollar) return { mode: 'suffix', text: alt.slice(0, -1) };
  if (caret) return { mode: 'prefix', text: alt.slice(1) };
  return { mode: 'contains', text: alt };
}

/**
 * One RegExp answering "does any alternative match" (used by `test`). Letters become `[aA]`
 * classes rather than the `i` flag so that latin1 letters stay case-sensitive as in the C.
 */
function anyAlternativeRegExp(alternatives: readonly Alternative[]): RegExp | null {
  const parts: string[] = [];
  for (const a of alternatives) {
    if (a.mode === 'all' || (a.text === '' && a.mode !== 'equals')) return null; // always true
    const lit = literalSource(a.text);
    parts.push(a.mode === 'equals' ? `^${lit}$` : a.mode === 'prefix' ? `^${lit}` : a.mode === 'suffix' ? `${lit}$` : lit);
  }
  return new RegExp(parts.join('|'));
}

function literalSource(lower: string): string {
  let src = '';
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if (c >= 97 && c <= 122) src += `[${lower[i]}${String.fromCharCode(c - 32)}]`;
    else if ((c >= 48 && c <= 57) || c === 95 || c === 32) src += lower[i];
    else src += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return src;
}

/** ASCII case-insensitive comparison of `s[at..at+lower.length)` with an already lower-cased literal. */
function equalsAt(s: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    if (LOWER[s.charCodeAt(at + i) & 255] !== lower.charCodeAt(i)) return false;
  }
  return true;
}

class OsMatch implements CompiledPattern {
  readonly kind = 'osmatch' as const;
  readonly source: string;
  private readonly negate: boolean;
  private readonly alternatives: readonly Alternative[];
  /** Null when some alternative matches every subject. */
  private readonly any: RegExp | null;
  /** Built on first `exec` (most patterns are only ever tested). */
  private searches: readonly (RegExp | null)[] | null = null;

  constructor(source: string, negate: boolean, alternatives: readonly Alternative[]) {
    this.source = source;
    this.negate = negate;
    this.alternatives = alternatives;
    this.any = anyAlternativeRegExp(alternatives);
  }

  test(subject: string): boolean {
    const any = this.any;
    if (any === null) return !this.negate;
    // The C callers pass strlen(): bytes after a NUL do not exist.
    const nul = subject.indexOf('\0');
    const s = nul < 0 ? subject : subject.slice(0, nul);
    return any.test(s) !== this.negate;
  }

  exec(subject: string): MatchResult | null {
    const nul = subject.indexOf('\0');
    const s = nul < 0 ? subject : subject.slice(0, nul);
    const end = this.firstMatchEnd(s);
    if (this.negate) return end === null ? { end: -1, captures: [] } : null;
    return end === null ? null : { end, captures: [] };
  }

  /** The alternatives in order, as `OSMatch_Execute` tries them; end of the first hit or null. */
  private firstMatchEnd(s: string): number | null {
    const len = s.length;
    for (let i = 0; i < this.alternatives.length; i++) {
      const a = this.alternatives[i] as Alternative;
      const size = a.text.length;
      switch (a.mode) {
        case 'all':
          return -1;
        case 'prefix':
          if (len >= size && equalsAt(s, 0, a.text)) return size - 1;
          break;
        case 'suffix':
          if (len >= size && equalsAt(s, len - size, a.text)) return size === 0 ? -1 : len - 1;
          break;
        case 'equals':
          if (len === size && equalsAt(s, 0, a.text)) return len - 1;
          break;
        case 'contains': {
          this.searches ??= this.alternatives.map((x) => (x.mode === 'contains' ? new RegExp(literalSource(x.text)) : null));
          const m = (this.searches[i] as RegExp).exec(s);
          if (m !== null) return m.index + size - 1;
          break;
        }
      }
    }
    return null;
  }
}
