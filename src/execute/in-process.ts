/**
 * Runs a bundled program inside the daemon, on the same message and with the same `check_keys`
 * question as a child process gets, but as calls instead of JSON text on a stream. Used
 * for the bundled firewall-drop so a block costs an nft transaction, not a Node start-up (≈0.5 s
 * through tsx) nor a few event-loop turns of stdin/stdout: the program's validation, actions and
 * exit codes are exactly those of the executable (both go through programs/_run.ts).
 * @module
 */
import { Writable } from 'node:stream';
import type { ArMessageV1, KeysAnswer } from './message.ts';
import { PROGRAM_ENV, type ExecOutcome } from './run.ts';

/** What an in-process program gets: its stdin message (parsed), a stderr, its environment, the handshake. */
export interface InProcessRequest {
  readonly message: ArMessageV1;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly checkKeys: (keys: readonly string[]) => Promise<KeysAnswer>;
}

/** A program's entry point for in-process runs; resolves to its exit code. */
export type InProcessMain = (req: InProcessRequest) => Promise<number>;

export interface InProcessOptions {
  readonly message: ArMessageV1;
  readonly onKeys?: (keys: readonly string[]) => KeysAnswer | Promise<KeysAnswer>;
  /** The run is reported as timed out after this long (its work cannot be killed). */
  readonly timeoutMs?: number;
  readonly excerptBytes?: number;
}

/** Keeps the first `limit` characters written, counts the bytes. */
class Excerpt extends Writable {
  text = '';
  bytes = 0;
  readonly #limit: number;

  constructor(limit: number) {
    super();
    this.#limit = limit;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.bytes += chunk.length;
    if (this.text.length < this.#limit) this.text += chunk.toString('utf8').slice(0, this.#limit - this.text.length);
    done();
  }
}

/** Run `main` on the message and report it like `runProgram` reports a child. */
export async function runInProcess(main: InProcessMain, opts: InProcessOptions): Promise<ExecOutcome> {
  const started = performance.now();
  const stderr = new Excerpt(opts.excerptBytes ?? 4096);
  let keys: readonly string[] | null = null;
  let answer: KeysAnswer | null = null;
  const checkKeys = async (k: readonly string[]): Promise<KeysAnswer> => {
    keys = k;
    try {
      answer = opts.onKeys ? await opts.onKeys(k) : 'continue';
    } catch {
      answer = 'abort';
    }
    return answer;
  };
  let timer: NodeJS.Timeout | undefined;
  let exitCode: number | null = null;
  let timedOut = false;
  let error: string | null = null;
  try {
    const run = main({ message: opts.message, stderr, env: { ...PROGRAM_ENV }, checkKeys });
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), opts.timeoutMs ?? 60_000);
    });
    const r = await Promise.race([run, timeout]);
    if (r === 'timeout') timedOut = true;
    else exitCode = r;
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    exitCode = 1;
  } finally {
    clearTimeout(timer);
  }
  return {
    pid: process.pid, exitCode, signal: null, timedOut, durationMs: performance.now() - started,
    stdoutExcerpt: '', stderrExcerpt: stderr.text, stdoutBytes: 0, stderrBytes: stderr.bytes, keys, answer, error,
  };
}
