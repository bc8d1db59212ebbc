/**
 * The `extra_args` of a message: Wazuh splits `<extra_args>` on spaces with no quoting, so each
 * item is one word. Programs accept `--name value`, `--name=value` and `--switch` flags they
 * declare; anything else is an error rather than silently ignored, so a typo in the
 * configuration shows up on the first run instead of as a response that quietly does less.
 * @module
 */
import { ProgramError, type ArMessage } from './_contract.ts';

/** How a flag is written: with a value (`--timeout 600`) or alone (`--allow-system`). */
export type FlagKind = 'value' | 'switch';

/** What a program accepts in `extra_args`. */
export interface ArgSpec {
  readonly flags: Readonly<Record<string, FlagKind>>;
  /** How many bare words are allowed, @default 0 */
  readonly positionals?: number;
}

/** Parsed `extra_args`. */
export interface ExtraArgs {
  readonly values: ReadonlyMap<string, string>;
  readonly switches: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

/** Flags every program accepts: Riposte passes the block duration as `--timeout <seconds>`. */
export const COMMON_FLAGS: Readonly<Record<string, FlagKind>> = { timeout: 'value' };

/** Longest block accepted (about 68 years): anything longer is a configuration mistake. */
const MAX_TIMEOUT_SEC = 2 ** 31 - 1;

function usage(message: string): ProgramError {
  return new ProgramError('RIPOSTE_ERR_AR_INPUT', message);
}

/**
 * Parse `extra_args` against a program's flags plus {@link COMMON_FLAGS}.
 * @param args the words of `extra_args` (empty words, from doubled spaces, are skipped)
 * @param spec the program's flags
 * @returns the parsed flags and bare words
 * @throws ProgramError `RIPOSTE_ERR_AR_INPUT` on an unknown, repeated or incomplete flag
 * @example parseExtraArgs(['--timeout', '600'], { flags: {} }).values.get('timeout') // '600'
 */
export function parseExtraArgs(args: readonly string[], spec: ArgSpec): ExtraArgs {
  const flags = { ...COMMON_FLAGS, ...spec.flags };
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const positionals: string[] = [];
  const words = args.filter((a) => a !== '');
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith('--')) {
      if (positionals.length >= (spec.positionals ?? 0)) throw usage(`Unexpected argument ${JSON.stringify(word)} in extra_args`);
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = word.slice(2, eq === -1 ? undefined : eq);
    const kind = Object.hasOwn(flags, name) ? flags[name] : undefined;
    if (kind === undefined) throw usage(`Unknown option "--${name}" in extra_args (accepted: ${Object.keys(flags).map((f) => `--${f}`).join(', ')})`);
    if (values.has(name) || switches.has(name)) throw usage(`Option "--${name}" is given twice in extra_args`);
    if (kind === 'switch') {
      if (eq !== -1) throw usage(`Option "--${name}" takes no value`);
      switches.add(name);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = word.slice(eq + 1);
    else value = words[++i];
    if (value === undefined || value === '') throw usage(`Option "--${name}" needs a value`);
    values.set(name, value);
  }
  return { values, switches, positionals };
}

/**
 * The block duration: `--timeout` in `extra_args`, else `parameters.timeout`, else none.
 * @returns whole seconds, or null for "no timeout" (absent or 0)
 * @throws ProgramError `RIPOSTE_ERR_AR_INPUT` when `--timeout` is not a whole number of seconds
 * @example blockTimeout(msg, parseExtraArgs(['--timeout', '600'], { flags: {} })) // 600
 */
export function blockTimeout(msg: ArMessage, args: ExtraArgs): number | null {
  const text = args.values.get('timeout');
  let sec = msg.timeoutSec;
  if (text !== undefined) {
    if (!/^[0-9]{1,10}$/.test(text)) throw usage(`Invalid --timeout ${JSON.stringify(text)}: must be whole seconds`);
    sec = Number(text);
  }
  if (sec !== null && sec > MAX_TIMEOUT_SEC) throw usage(`Invalid timeout ${sec}: at most ${MAX_TIMEOUT_SEC} seconds`);
  return sec === null || sec === 0 ? null : sec;
}
