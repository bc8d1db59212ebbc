/**
 * Runs a bundled program's `main(io)` inside the daemon with the same stdin/stdout exchange as a
 * child process (message line, `check_keys`, `continue`/`abort`). Used for the bundled
 * firewall-drop so a block costs an `nft` call, not a Node start-up (≈0.5 s through tsx): the
 * program's code, checks and exit codes are exactly those of the executable.
 * @module
 */
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { ArMessageV1, KeysAnswer } from './message.ts';
import { PROGRAM_ENV, parseCheckKeys, type ExecOutcome } from './run.ts';

export interface InProcessIo {
  readonly argv: readonly string[];
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
}

export type ProgramMain = (io: InProcessIo) => Promise<number>;

export interface InProcessOptions {
  readonly message: ArMessageV1;
  readonly onKeys?: (keys: readonly string[]) => KeysAnswer | Promise<KeysAnswer>;
  /** The run is reported as timed out after this long (its work cannot be killed). */
  readonly timeoutMs?: number;
  readonly excerptBytes?: number;
}

/** Run `main` with the Wazuh exchange and report it like `runProgram` does. */
export async function runInProcess(main: ProgramMain, opts: InProcessOptions): Promise<ExecOutcome> {
  const started = performance.now();
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const limit = opts.excerptBytes ?? 4096;
  let out = '';
  let err = '';
  let outBytes = 0;
  let errBytes = 0;
  let keys: readonly string[] | null = null;
  let answer: KeysAnswer | null = null;
  let pending = '';
  let firstLine = true;
  stdin.write(`${JSON.stringify(opts.message)}\n`);
  if (opts.message.command !== 'add') stdin.end();
  stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    outBytes += chunk.length;
    if (out.length < limit) out += text.slice(0, limit - out.length);
    if (!firstLine) return;
    pending += text;
    const nl = pending.indexOf('\n');
    if (nl === -1) return;
    firstLine = false;
    const k = parseCheckKeys(pending.slice(0, nl));
    if (k === null) {
      stdin.end();
      return;
    }
    keys = k;
    void Promise.resolve(opts.onKeys ? opts.onKeys(k) : 'continue').then(
      (a) => {
        answer = a;
        stdin.end(`${JSON.stringify({ ...opts.message, command: a })}\n`);
      },
      () => {
        answer = 'abort';
        stdin.end(`${JSON.stringify({ ...opts.message, command: 'abort' })}\n`);
      },
    );
  });
  stderr.on('data', (chunk: Buffer) => {
    errBytes += chunk.length;
    if (err.length < limit) err += chunk.toString('utf8').slice(0, limit - err.length);
  });
  let timer: NodeJS.Timeout | undefined;
  let exitCode: number | null = null;
  let timedOut = false;
  let error: string | null = null;
  try {
    const run = main({ argv: [], stdin, stdout, stderr, env: { ...PROGRAM_ENV } });
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
    stdin.end();
  }
  return {
    pid: process.pid, exitCode, signal: null, timedOut, durationMs: performance.now() - started,
    stdoutExcerpt: out, stderrExcerpt: err, stdoutBytes: outBytes, stderrBytes: errBytes, keys, answer, error,
  };
}
