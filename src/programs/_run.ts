/**
 * The driver every bundled program runs through: read the message, validate it and its target,
 * do the `check_keys` handshake on `add`, act, and turn the outcome into an exit code and one
 * stderr line. A program only supplies a {@link ProgramSpec}.
 *
 * Order matters for execd: everything that can be checked without acting (message, arguments,
 * target, tools present, platform) is checked BEFORE `check_keys`, so a message that cannot be
 * acted on never enters execd's timeout list and never triggers a pointless delete later.
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import { parseExtraArgs, type ArgSpec, type ExtraArgs } from './_args.ts';
import { checkKeysLine, EXIT, isLegacyArgv, parseAnswer, parseLegacyArgv, parseMessage, ProgramError, validateMessage, type ArMessage, type ExitCode } from './_contract.ts';
import { LineReader } from './_lines.ts';
import { createLogger, type Logger } from './_log.ts';

/** What a program's steps get. */
export interface ProgramContext {
  readonly msg: ArMessage;
  readonly args: ExtraArgs;
  readonly log: Logger;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * A response program. `prepare` validates and returns the target; `add` and `delete` must be
 * idempotent (execd may delete what a failed add never created, and a crash may repeat an add).
 */
export interface ProgramSpec<T> extends ArgSpec {
  /** The name in `check_keys` (`origin.name`) and in log lines, e.g. `firewall-drop`. */
  readonly name: string;
  /** Validate the target and the host before the handshake; throw ProgramError to refuse. */
  prepare(ctx: ProgramContext): T | Promise<T>;
  /** The `check_keys` key of a target (execd keys its timeout list on it). */
  key(target: T): string;
  add(target: T, ctx: ProgramContext): Promise<void>;
  delete(target: T, ctx: ProgramContext): Promise<void>;
}

/** The process's streams and arguments; tests pass their own. */
export interface ProgramIo {
  readonly argv: readonly string[];
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
}

/** The real process's {@link ProgramIo}. */
export function processIo(): ProgramIo {
  return { argv: process.argv.slice(2), stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * Run a program once.
 * @param spec the program
 * @param io its streams, @default processIo()
 * @returns the exit code to end the process with
 * @example process.exitCode = await runProgram(firewallDrop)
 */
export async function runProgram<T>(spec: ProgramSpec<T>, io: ProgramIo = processIo()): Promise<ExitCode> {
  const log = createLogger(spec.name, io.stderr, io.env);
  const legacy = isLegacyArgv(io.argv);
  const reader = legacy ? null : new LineReader(io.stdin);
  try {
    return await guarded(log, async () => {
      if (legacy) return act(spec, parseLegacyArgv(io.argv), log, io.env, null);
      if (io.argv.length > 0) {
        throw new ProgramError('RIPOSTE_ERR_AR_INPUT', `Usage: ${spec.name} < one JSON message line on stdin, or ${spec.name} add|delete <user> <ip> [alert-id rule-id location file extra-args…]`);
      }
      const r = reader as LineReader;
      const line = await r.next();
      if (line === null) throw new ProgramError('RIPOSTE_ERR_AR_INPUT', 'No input: expected one JSON message line on stdin');
      const msg = parseMessage(line);
      const handshake = async (keys: readonly string[]): Promise<'continue' | 'abort'> => {
        io.stdout.write(`${checkKeysLine(spec.name, keys)}\n`);
        const answer = await r.next();
        if (answer === null) throw new ProgramError('RIPOSTE_ERR_AR_INPUT', 'No answer to check_keys: stdin was closed');
        return parseAnswer(answer);
      };
      return act(spec, msg, log, io.env, msg.json ? handshake : null);
    });
  } finally {
    reader?.close();
  }
}

/** The `check_keys` exchange as a call: the keys in, execd's answer out. */
export type Handshake = (keys: readonly string[]) => 'continue' | 'abort' | Promise<'continue' | 'abort'>;

/** What {@link runMessageObject} gets instead of process streams. */
export interface MessageRequest {
  /** The message a process would read as one JSON line on stdin, as the parsed object. */
  readonly message: unknown;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  /** Answers `check_keys` (asked on `add` only, as on stdin). */
  readonly checkKeys: Handshake;
}

/**
 * Run a program on one message without process streams: the same validation, handshake point,
 * actions and exit codes as {@link runProgram}, minus the JSON text and the line-by-line stream
 * exchange. The daemon runs its bundled firewall-drop this way, so a block costs microseconds of
 * work before the firewall call instead of several event-loop turns.
 * @example await runMessageObject(firewallDrop, { message, stderr, env, checkKeys: () => 'continue' })
 */
export function runMessageObject<T>(spec: ProgramSpec<T>, req: MessageRequest): Promise<ExitCode> {
  const log = createLogger(spec.name, req.stderr, req.env);
  return guarded(log, () => act(spec, validateMessage(req.message), log, req.env, req.checkKeys));
}

/** Validate, prepare, handshake (on add, when there is one), act. */
async function act<T>(spec: ProgramSpec<T>, msg: ArMessage, log: Logger, env: NodeJS.ProcessEnv, handshake: Handshake | null): Promise<ExitCode> {
  const ctx: ProgramContext = { msg, args: parseExtraArgs(msg.extraArgs, spec), log, env };
  const target = await spec.prepare(ctx);
  if (msg.command === 'delete') {
    await spec.delete(target, ctx);
    return EXIT.OK;
  }
  if (handshake) {
    const key = spec.key(target);
    if ((await handshake([key])) === 'abort') {
      log.info(`Aborted: ${key} is already active`);
      return EXIT.OK;
    }
  }
  await spec.add(target, ctx);
  return EXIT.OK;
}

/** Turn a thrown failure into its exit code and one stderr line. */
async function guarded(log: Logger, body: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof ProgramError) {
      log.error(e.message);
      return e.exitCode;
    }
    log.error(`Unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.FAILED;
  }
}
