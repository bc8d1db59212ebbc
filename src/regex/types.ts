/**
 * The contract shared by the three pattern dialects of the Wazuh ruleset (OS_Match, OS_Regex,
 * PCRE2). All subjects are byte strings (see `src/bytes.ts`). Patterns are compiled once at load
 * and must be cheap to evaluate; they hold no per-call state, so one compiled pattern may be used
 * from anywhere.
 * @module
 */

export type PatternKind = 'osmatch' | 'osregex' | 'pcre2';

/** Result of a successful `exec`. */
export interface MatchResult {
  /**
   * Offset of the pointer the reference matcher returns: decoders continue at `end + 1`
   * (`after_prematch`, `after_parent`, `after_regex`). May equal `subject.length`.
   */
  readonly end: number;
  /** Captured substrings, in group order (OS_Regex drops an empty capture at the very end). */
  readonly captures: readonly string[];
}

export interface CompiledPattern {
  readonly kind: PatternKind;
  readonly source: string;
  /** Whether the pattern matches anywhere in `subject` (per its dialect's rules). */
  test(subject: string): boolean;
  /** Match with captures and end offset; `null` when there is no match. */
  exec(subject: string): MatchResult | null;
}
