/**
 * Run one response program: argv array (never a shell), the Wazuh 4.x stdin contract with its
 * `check_keys` handshake, a per-run timeout that kills the whole process group, bounded output.
 *
 * stdin, and why it is always closed (Wazuh's execd never closes it before reading stdout, so a
 * program that reads stdin to EOF, e.g. `$(cat)`, hangs it forever: #29602, #35690):
 * - `delete` (and any message that is not `add`): the line is written, stdin is closed at once;
 *   execd does the same (no handshake on delete);
 * - `add`: the line is written, then stdin stays open until the first of
 *   1. a first stdout line that is `check_keys` JSON → `onKeys(keys)` decides (however long it
 *      takes: the handshake window no longer applies), the whole input JSON goes back with
 *      `command` set to `continue` or `abort`, then stdin is closed;
 *   2. a first stdout line that is anything else → closed (no keys to decide on);
 *   3. `handshakeMs` without a line → closed: a program that does not speak the handshake (a
 *      one-line reader, or a read-to-EOF script) goes on and completes;
 *   4. the program exits.
 *   A program that answers `check_keys` later than `handshakeMs` reads EOF instead of the answer
 *   (the stock programs then stop without acting): `handshakeMs` is a trade-off, 1 s by default.
 * - no message (the legacy positional protocol): stdin is closed at once.
 *
 * Timeout: after `timeoutMs` the process group (the program is spawned `detached`, so it leads a
 * group of its own) gets SIGTERM, then SIGKILL after `killGraceMs`. When the program exits by
 * itself, what it left running in the background is not touched (a restart script may have
 * started daemons); its output pipes are released after a short drain.
 *
 * Environment: a fixed minimal one (`PATH` only), never Riposte's; the working directory is the
 * program's directory.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ArMessageV1, KeysAnswer } from './message.ts';

/** The only environment a response program sees. */
export const PROGRAM_ENV: Readonly<Record<string, string>> = Object.freeze({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin' });

/** Longest first stdout line read as a handshake reply (execd's buffer for it). */
const MAX_REPLY = 8192;

export interface RunOptions {
  /** Arguments after the program (the legacy positional protocol). @default [] */
  readonly args?: readonly string[];
  /** The JSON message written on stdin (the 4.x protocol), or none. */
  readonly message?: ArMessageV1 | null;
  /** Decides on the keys of a `check_keys` reply. @default () => 'continue' */
  readonly onKeys?: (keys: readonly string[]) => KeysAnswer | Promise<KeysAnswer>;
  /** Kill the process group after this long. @default 60000 */
  readonly timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. @default 2000 */
  readonly killGraceMs?: number;
  /** How long an `add` waits for a `check_keys` reply before closing stdin. @default 1000 */
  readonly handshakeMs?: number;
  /** How long output is still read once the program exited (background children may hold the pipes). @default 250 */
  readonly drainMs?: number;
  /** Bytes of stdout and of stderr kept in the outcome. @default 4096 */
  readonly excerptBytes?: number;
  /** `argv[0]` as the program sees it (the stock programs name their log lines after it). @default the path */
  readonly argv0?: string;
}

/** What happened when a program ran. */
export interface ExecOutcome {
  /** Process id (it is also the process group id), or null when the spawn failed. */
  readonly pid: number | null;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The run hit `timeoutMs` and the process group was killed. */
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** The start of stdout / stderr (at most `excerptBytes` each, decoded as UTF-8). */
  readonly stdoutExcerpt: string;
  readonly stderrExcerpt: string;
  /** Total bytes written on stdout / stderr. */
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
  /** Keys of the program's `check_keys` reply, or null when it sent none. */
  readonly keys: readonly string[] | null;
  /** The answer written back, or null when none was (no handshake, or stdin already closed). */
  readonly answer: KeysAnswer | null;
  /** Why the program could not be run, or `onKeys` failed (its answer is then `abort`). */
  readonly error: string | null;
}

/**
 * Run `path` and report how it went. Never rejects: a spawn failure is an outcome too.
 * @param path the program, as resolved by `resolveProgram` (an absolute real path)
 * @example
 * const out = await runProgram(path, { message: buildArMessage(d, alert, cmd, 'add'),
 *   onKeys: (keys) => (store.has(handshakeKey(path, keys)) ? 'abort' : 'continue'), timeoutMs: 60_000 });
 */
export function runProgram(path: string, opts: RunOptions = {}): Promise<ExecOutcome> {
  return new Promise((resolve) => new Run(path, opts, resolve).start());
}

/** Keeps the first `max` bytes of a stream and counts the rest. */
class Excerpt {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  total = 0;

  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  add(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.kept >= this.max) return;
    const part = chunk.length <= this.max - this.kept ? chunk : chunk.subarray(0, this.max - this.kept);
    this.chunks.push(part);
    this.kept += part.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** One run's state machine (see the module comment for the stdin rules). */
class Run {
  private child: ChildProcess | null = null;
  private readonly started = performance.now();
  private ended = 0;
  private readonly out: Excerpt;
  private readonly err: Excerpt;
  private reply: Buffer[] | null = null;
  private replyBytes = 0;
  private keys: readonly string[] | null = null;
  private answer: KeysAnswer | null = null;
  private error: string | null = null;
  private timedOut = false;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private stdinClosed = false;
  private handshakeTimer: NodeJS.Timeout | null = null;
  private done = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  private readonly path: string;
  private readonly opts: RunOptions;
  private readonly resolve: (o: ExecOutcome) => void;

  constructor(path: string, opts: RunOptions, resolve: (o: ExecOutcome) => void) {
    this.path = path;
    this.opts = opts;
    this.resolve = resolve;
    const max = opts.excerptBytes ?? 4096;
    this.out = new Excerpt(max);
    this.err = new Excerpt(max);
  }

  start(): void {
    const { opts } = this;
    let child: ChildProcess;
    try {
      child = spawn(this.path, [...(opts.args ?? [])], {
        argv0: opts.argv0 ?? this.path,
        cwd: dirname(this.path),
        env: { ...PROGRAM_ENV },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        shell: false,
        windowsHide: true,
      });
    } catch (e) {
      // Invalid arguments (e.g. a NUL byte) throw before any process exists.
      this.error = `spawn failed: ${e instanceof Error ? e.message : String(e)}`;
      this.finish();
      return;
    }
    this.child = child;
    child.on('error', (e) => {
      // Only a failed spawn ends the run here; a failed kill of an exited group is harmless.
      if (child.pid === undefined) {
        this.error = `spawn failed: ${e.message}`;
        this.finish();
      }
    });
    child.on('exit', (code, signal) => this.onExit(code, signal));
    child.on('close', () => this.finish());
    child.stdout?.on('data', (b: Buffer) => this.onStdout(b));
    child.stderr?.on('data', (b: Buffer) => this.err.add(b));
    child.stdin?.on('error', () => {
      // EPIPE: the program exited or closed stdin without reading; nothing to do.
    });

    const msg = opts.message ?? null;
    if (msg) child.stdin?.write(`${JSON.stringify(msg)}\n`);
    if (msg?.command === 'add') {
      this.reply = [];
      this.handshakeTimer = this.after(opts.handshakeMs ?? 1000, () => this.closeStdin());
    } else {
      this.closeStdin();
    }
    this.after(opts.timeoutMs ?? 60_000, () => this.onTimeout());
  }

  private onStdout(b: Buffer): void {
    this.out.add(b);
    if (this.reply === null) return;
    const nl = b.indexOf(0x0a);
    const part = nl < 0 ? b : b.subarray(0, nl);
    this.reply.push(part);
    this.replyBytes += part.length;
    if (nl < 0 && this.replyBytes < MAX_REPLY) return;
    const line = Buffer.concat(this.reply).subarray(0, MAX_REPLY).toString('utf8');
    this.reply = null;
    // The reply came: however long onKeys takes, stdin now stays open for its answer.
    if (this.handshakeTimer) this.cancel(this.handshakeTimer);
    const keys = nl < 0 ? null : parseCheckKeys(line);
    if (keys === null || this.stdinClosed) {
      this.keys = keys;
      this.closeStdin();
      return;
    }
    this.keys = keys;
    void this.answerKeys(keys);
  }

  private async answerKeys(keys: readonly string[]): Promise<void> {
    let answer: KeysAnswer;
    try {
      answer = this.opts.onKeys ? await this.opts.onKeys(keys) : 'continue';
      if (answer !== 'continue' && answer !== 'abort') throw new Error(`onKeys answered ${JSON.stringify(answer)}`);
    } catch (e) {
      // When unsure, do not act: the program is told to abort.
      this.error = `onKeys failed: ${e instanceof Error ? e.message : String(e)}`;
      answer = 'abort';
    }
    const stdin = this.child?.stdin;
    if (this.stdinClosed || this.exit || !stdin) return this.closeStdin();
    const msg = this.opts.message as ArMessageV1;
    stdin.write(`${JSON.stringify({ ...msg, command: answer })}\n`);
    this.answer = answer;
    this.closeStdin();
  }

  private closeStdin(): void {
    if (this.stdinClosed) return;
    this.stdinClosed = true;
    this.reply = null;
    this.child?.stdin?.end();
  }

  private onTimeout(): void {
    if (this.exit || this.done) return;
    this.timedOut = true;
    this.killGroup('SIGTERM');
    // Not cleared on exit: what is left of the group still gets SIGKILL.
    setTimeout(() => this.killGroup('SIGKILL'), this.opts.killGraceMs ?? 2000).unref();
  }

  private killGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is gone. Fall back to the leader alone (no-op if it exited).
      try {
        this.child?.kill(signal);
      } catch {
        // Already gone.
      }
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exit = { code, signal };
    this.ended = performance.now();
    this.closeStdin();
    // Background children may keep stdout/stderr open: stop waiting for them after a drain.
    this.after(this.opts.drainMs ?? 250, () => this.finish());
  }

  private after(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  private cancel(t: NodeJS.Timeout): void {
    clearTimeout(t);
    this.timers.delete(t);
  }

  private finish(): void {
    if (this.done) return;
    // 'close' can only come after 'exit'; a spawn failure has neither.
    if (this.child?.pid !== undefined && !this.exit) return;
    this.done = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const child = this.child;
    child?.stdout?.destroy();
    child?.stderr?.destroy();
    child?.stdin?.destroy();
    this.resolve({
      pid: child?.pid ?? null,
      exitCode: this.exit?.code ?? null,
      signal: this.exit?.signal ?? null,
      timedOut: this.timedOut,
      durationMs: (this.ended || performance.now()) - this.started,
      stdoutExcerpt: this.out.text(),
      stderrExcerpt: this.err.text(),
      stdoutBytes: this.out.total,
      stderrBytes: this.err.total,
      keys: this.keys,
      answer: this.answer,
      error: this.error,
    });
  }
}

/**
 * The keys of a `check_keys` reply line, or null when the line is not one.
 * @example parseCheckKeys('{"version":1,"command":"check_keys","parameters":{"keys":["1.2.3.4"]}}') // ['1.2.3.4']
 */
export function parseCheckKeys(line: string): string[] | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as { command?: unknown; parameters?: unknown };
  if (o.command !== 'check_keys' || typeof o.parameters !== 'object' || o.parameters === null) return null;
  const keys = (o.parameters as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || !keys.every((k): k is string => typeof k === 'string')) return null;
  return keys;
}
