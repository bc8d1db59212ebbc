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
import { checkKeysLine, EXIT, isLegacyArgv, parseAnswer, parseLegacyArgv, parseMessage, ProgramError, type ArMessage, type ExitCode } from './_contract.ts';
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
    let msg: ArMessage;
    if (legacy) msg = parseLegacyArgv(io.argv);
    else {
      if (io.argv.length > 0) {
        throw new ProgramError('RIPOSTE_ERR_AR_INPUT', `Usage: ${spec.name} < one JSON message line on stdin, or ${spec.name} add|delete <user> <ip> [alert-id rule-id location file extra-args…]`);
      }
      const line = await (reader as LineReader).next();
      if (line === null) throw new ProgramError('RIPOSTE_ERR_AR_INPUT', 'No input: expected one JSON message line on stdin');
      msg = parseMessage(line);
    }
    const ctx: ProgramContext = { msg, args: parseExtraArgs(msg.extraArgs, spec), log, env: io.env };
    const target = await spec.prepare(ctx);
    if (msg.command === 'delete') {
      await spec.delete(target, ctx);
      return EXIT.OK;
    }
    if (reader && msg.json) {
      const key = spec.key(target);
      io.stdout.write(`${checkKeysLine(spec.name, [key])}\n`);
      const answer = await reader.next();
      if (answer === null) throw new ProgramError('RIPOSTE_ERR_AR_INPUT', 'No answer to check_keys: stdin was closed');
      if (parseAnswer(answer) === 'abort') {
        log.info(`Aborted: ${key} is already active`);
        return EXIT.OK;
      }
    }
    await spec.add(target, ctx);
    return EXIT.OK;
  } catch (e) {
    if (e instanceof ProgramError) {
      log.error(e.message);
      return e.exitCode;
    }
    log.error(`Unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.FAILED;
  } finally {
    reader?.close();
  }
}
