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
