/**
 * One entry point for the three pattern dialects of the ruleset.
 * @module
 */
import { compileOsMatch } from './os-match.ts';
import { compileOsRegex } from './os-regex.ts';
import { compilePcre2 } from './pcre2.ts';
import type { CompiledPattern, PatternKind } from './types.ts';

export type { CompiledPattern, MatchResult, PatternKind } from './types.ts';

/**
 * Compile `source` in the given dialect (`captures`: return substrings, as decoder regexes do); throws RiposteError(RIPOSTE_ERR_REGEX_SYNTAX) on a bad pattern.
 * @example compilePattern('osregex', '^(\\S+) from (\\S+)').exec('root from 1.2.3.4')
 */
export function compilePattern(kind: PatternKind, source: string, opts: { captures?: boolean } = {}): CompiledPattern {
  // Compiled patterns hold no per-call state, so identical ones (thousands in a ruleset) are shared.
  const key = `${kind}${opts.captures ? '+' : '-'}${source}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const compiled = compileUncached(kind, source, opts);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

const CACHE_MAX = 50_000;
const cache = new Map<string, CompiledPattern>();

function compileUncached(kind: PatternKind, source: string, opts: { captures?: boolean }): CompiledPattern {
  switch (kind) {
    case 'osmatch':
      return compileOsMatch(source);
    case 'osregex':
      // Only decoder <regex> is compiled with OS_RETURN_SUBSTRING; it also changes how trailing
      // `\x*` tokens behave at the end of the subject.
      return compileOsRegex(source, { substrings: opts.captures ?? false });
    case 'pcre2':
      return compilePcre2(source);
  }
}

/** Parse a `type="…"` attribute value; undefined for an unknown dialect. */
export function parsePatternKind(value: string): PatternKind | undefined {
  switch (value.toLowerCase()) {
    case 'osmatch':
      return 'osmatch';
    case 'osregex':
      return 'osregex';
    case 'pcre2':
      return 'pcre2';
    default:
      return undefined;
  }
}
