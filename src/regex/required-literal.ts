/**
 * A literal that every match of a PCRE-style pattern must contain, found conservatively at load.
 * PCRE2 rejects a subject that lacks its "required code unit" before matching; JS RegExp does
 * not, so an unanchored pattern such as `[^%]*%FTD-…` costs O(n²) on long lines without it.
 * Checking `includes(literal)` first restores the linear fast path.
 * @module
 */
import type { CompiledPattern } from './types.ts';

const META = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);

/** Index just past the group or class that starts at `i` (or -1 if it is unterminated). */
function skipBracketed(src: string, i: number): number {
  if (src[i] === '[') {
    let j = i + 1;
    if (src[j] === '^') j++;
    if (src[j] === ']') j++;
    for (; j < src.length; j++) {
      if (src[j] === '\\') j++;
      else if (src[j] === '[' && src[j + 1] === ':') {
        const end = src.indexOf(':]', j + 2);
        if (end === -1) return -1;
        j = end + 1;
      } else if (src[j] === ']') return j + 1;
    }
    return -1;
  }
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === '[') {
      const e = skipBracketed(src, j);
      if (e === -1) return -1;
      j = e - 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j + 1;
  }
  return -1;
}

/**
 * The longest literal run that a match must contain, or null when none can be proven (top-level
 * alternation, case-insensitive or extended mode, or nothing literal). `body` is the pattern
 * without its leading inline-flag group.
 */
export function requiredLiteral(body: string, flags: string): string | null {
  // Case-insensitive, extended and UTF modes change what a literal byte means: prove nothing.
  if (/[ix]/.test(flags) || body.includes('(?i') || body.includes('(?x') || body.includes('(*')) return null;
  let best = '';
  let run = '';
  const flush = (): void => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < body.length; ) {
    const c = body[i] as string;
    let lit: string | null = null;
    let next = i + 1;
    if (c === '|') return null;
    if (c === '\\') {
      const e = body[i + 1];
      if (e === undefined) return null;
      if (/[^A-Za-z0-9]/.test(e)) lit = e;
      else if (e === 'Q') return null;
      next = i + 2;
      if (body[next] === '{' && /[NxpPogkuc]/.test(e)) {
        const close = body.indexOf('}', next);
        if (close === -1) return null;
        next = close + 1;
      }
    } else if (c === '{') {
      // A counted quantifier `{n}`, `{n,}`, `{n,m}` is not text.
      const m = /^\{\d*(,\d*)?\}/.exec(body.slice(i, i + 24));
      if (m) next = i + m[0].length;
    } else if (c === '[' || c === '(') {
      const end = skipBracketed(body, i);
      if (end === -1) return null;
      next = end;
    } else if (!META.has(c)) {
      lit = c;
    }
    const q = body[next];
    if (lit !== null && (q === '?' || q === '*' || (q === '{' && /^\{0[,}]/.test(body.slice(next))))) lit = null;
    if (lit === null) {
      flush();
    } else {
      run += lit;
    }
    if (q === '+' || q === '{') flush();
    i = next;
  }
  flush();
  return best.length >= 2 ? best : null;
}

/** Wrap `inner` so that subjects lacking `literal` are rejected without running the regex. */
export function withRequiredLiteral(inner: CompiledPattern, literal: string): CompiledPattern {
  return {
    kind: inner.kind,
    source: inner.source,
    test: (s) => s.includes(literal) && inner.test(s),
    exec: (s) => (s.includes(literal) ? inner.exec(s) : null),
  };
}
