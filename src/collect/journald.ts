/**
 * Follows the systemd journal through `journalctl --follow --output=json`, delivering each entry
 * that passes the journald `<localfile>` filters as the syslog line logcollector makes of it (see
 * `journal-entry.ts`), in acknowledged batches: the same contract as the file tailer (`next`,
 * `ack`, `stop`), so the collector treats both alike.
 *
 * Behaviour:
 * - **Checkpoint**: the journal cursor of the last acknowledged entry, kept in the tailer's
 *   checkpoint shape (`inode` 0, `offset` the entry's time in microseconds, `fingerprint`
 *   "journal:" + cursor), written only by `ack` after the consumer is done with the batch. A start
 *   with a checkpoint resumes right after it (`--after-cursor`), so a restart neither re-reads nor
 *   skips. A cursor the journal refuses (or a checkpoint that is not a journal cursor) resumes at
 *   the checkpoint's second instead (`--since`; entries of that second may come again). Without a
 *   checkpoint, only entries written from now on are read (`--lines=0`, like a file read from its
 *   end), unless `fromStart`.
 * - **Filtered-out entries** move the cursor too: when only such entries came, a batch without
 *   lines carries the new checkpoint (at most one per `skipFlushMs`, or per `maxBatchLines`
 *   entries), so a restart does not scan them again.
 * - **Backpressure**: journalctl's output is no longer read while `maxBatchLines` lines wait for
 *   the consumer; journalctl then blocks on the full pipe, and the journal keeps the rest.
 * - **Unrenderable entries** (no `_HOSTNAME`, `SYSLOG_IDENTIFIER` or `MESSAGE`: not syslog lines,
 *   as logcollector skips them) and JSON lines that cannot be parsed are counted, with a notice
 *   the first time.
 * - **journalctl exits** (it should not): a notice with its exit status and last error output,
 *   then it is started again from the last entry read after `restartDelayMs` (doubling up to 30 s).
 *
 * Forking: the daemon never forks once its ruleset is loaded (see `programs/_spawner.ts`).
 * `prepareJournalctl` is therefore called before the ruleset loads: it starts `xargs`, which
 * waits for the position arguments (they need the checkpoint, read when the collector opens the
 * source) on its stdin and then runs journalctl with them, its output going straight into our
 * pipe. Only a restart after journalctl exited forks the daemon itself.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { MAX_MESSAGE_BYTES } from '../engine/engine.ts';
import type { Checkpoint, CheckpointStore } from './checkpoint.ts';
import type { TailBatch, TailNotice } from './file-tail.ts';
import { passesFilters, realtimeUs, renderSyslogLine, type JournalFilterGroup } from './journal-entry.ts';

/** The source name (and Wazuh's event location) of the journal. */
export const JOURNALD_SOURCE = 'journald';
/** Environment variable: read the journal files of this directory instead of the system journal. */
export const JOURNAL_DIR_ENV = 'RIPOSTE_JOURNAL_DIR';

/** Fields the syslog line is built from (journalctl always adds `__CURSOR` and the timestamps). */
const LINE_FIELDS = ['_HOSTNAME', 'SYSLOG_IDENTIFIER', 'SYSLOG_PID', '_PID', 'MESSAGE'] as const;
/** A JSON line longer than this is dropped (a journal entry's fields are far smaller in practice). */
const MAX_JSON_BYTES = 4 * 1024 * 1024;
const CURSOR_PREFIX = 'journal:';
/** What a cursor looks like (`s=…;i=…;b=…;m=…;t=…;x=…`): printable ASCII, no spaces. */
const CURSOR = /^[\x21-\x7e]{1,512}$/;
const MAX_RESTART_DELAY_MS = 30_000;

/** How to run journalctl: the program and the arguments every run shares. */
export interface JournalctlCommand {
  readonly journalctl: string;
  /** `--directory` for journalctl (tests, the e2e lab); default: the system journal. */
  readonly directory?: string;
  /** Fields the filters read, printed besides the line's own. */
  readonly filterFields?: readonly string[];
  /** This machine's id (/etc/machine-id): only its entries are read. */
  readonly machineId?: string;
}

/**
 * journalctl, started early (see the module comment) and told where to start later. `launch` may
 * be called once; after that, or when xargs is missing, each launch spawns journalctl directly.
 */
export class JournalctlLauncher {
  readonly command: JournalctlCommand;
  #waiting: ChildProcess | null;

  private constructor(command: JournalctlCommand, waiting: ChildProcess | null) {
    this.command = command;
    this.#waiting = waiting;
  }

  /**
   * Start `xargs` waiting to run journalctl. Call it while the process is small (before the ruleset
   * loads). `xargs` null (not installed): each launch then spawns journalctl itself.
   */
  static prepare(command: JournalctlCommand, xargs: string | null): JournalctlLauncher {
    if (xargs === null) return new JournalctlLauncher(command, null);
    // A process group of its own, so that stop() ends journalctl (xargs's child) with it.
    const p = spawn(xargs, ['--null', '--no-run-if-empty', '--', command.journalctl, ...fixedArgs(command)], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    p.stdin?.on('error', () => {});
    p.on('error', () => {});
    return new JournalctlLauncher(command, p);
  }

  /** journalctl (or the xargs running it) reading from `position`; its stdout carries the entries. */
  launch(position: readonly string[]): { readonly proc: ChildProcess; readonly group: boolean } {
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting && waiting.exitCode === null && waiting.signalCode === null && waiting.stdin) {
      // NUL-separated, so any byte but NUL passes as one argument (a cursor has none: see CURSOR).
      waiting.stdin.end(position.map((a) => `${a}\0`).join(''));
      return { proc: waiting, group: true };
    }
    const proc = spawn(this.command.journalctl, [...fixedArgs(this.command), ...position], { stdio: ['ignore', 'pipe', 'pipe'] });
    return { proc, group: false };
  }

  /** End the waiting xargs if it was never used. */
  close(): void {
    const w = this.#waiting;
    this.#waiting = null;
    if (w && w.exitCode === null) w.stdin?.end();
  }
}

function fixedArgs(c: JournalctlCommand): string[] {
  const fields = [...new Set([...LINE_FIELDS, ...(c.filterFields ?? [])])];
  return [
    '--follow',
    '--output=json',
    // Without it, fields over 4096 bytes are printed as null.
    '--all',
    // --follow alone implies --boot (the last boot in the journal): a cursor from before a reboot
    // would skip the end of the previous boot. --merge turns that off (and --boot=all does not,
    // in systemd 252); the _MACHINE_ID match keeps out other machines' journals that --merge would
    // add (logcollector reads local journals only).
    '--merge',
    ...(c.machineId !== undefined ? [`_MACHINE_ID=${c.machineId}`] : []),
    '--no-pager',
    '--quiet',
    `--output-fields=${fields.join(',')}`,
    ...(c.directory !== undefined ? [`--directory=${c.directory}`] : []),
  ];
}

export interface JournalSourceOptions {
  readonly launcher: JournalctlLauncher;
  /** Entries pass when any group passes (no group: every entry). */
  readonly groups: readonly JournalFilterGroup[];
  /** @default "journald" */
  readonly source?: string;
  readonly store?: CheckpointStore | null;
  /** Without a checkpoint, read the whole journal instead of only new entries. @default false */
  readonly fromStart?: boolean;
  /** Longest line delivered; longer ones are cut. @default MAX_MESSAGE_BYTES */
  readonly maxLineBytes?: number;
  /** Most lines per batch, and how many may wait before reading pauses. @default 1024 */
  readonly maxBatchLines?: number;
  /** Longest wait before a batch of filtered-out entries' checkpoint. @default 1000 */
  readonly skipFlushMs?: number;
  /** First wait before journalctl is started again. @default 1000 */
  readonly restartDelayMs?: number;
  readonly log?: (notice: TailNotice) => void;
}

/** Counters since construction. */
export interface JournalStats {
  entries: number;
  lines: number;
  filtered: number;
  unrenderable: number;
  malformed: number;
  cut: number;
  restarts: number;
}

interface Pending {
  readonly line: string;
  readonly us: number;
  readonly cursor: string;
}

/**
 * @example
 * const s = new JournalSource({ launcher, groups: [], store });
 * for (let b = await s.next(); b; b = await s.next()) { handle(b.lines); s.ack(b); }
 */
export class JournalSource {
  readonly source: string;
  readonly stats: JournalStats = { entries: 0, lines: 0, filtered: 0, unrenderable: 0, malformed: 0, cut: 0, restarts: 0 };

  readonly #launcher: JournalctlLauncher;
  readonly #groups: readonly JournalFilterGroup[];
  readonly #store: CheckpointStore | null;
  readonly #fromStart: boolean;
  readonly #maxLineBytes: number;
  readonly #maxBatch: number;
  readonly #skipFlushMs: number;
  readonly #restartDelayMs: number;
  readonly #log: (notice: TailNotice) => void;

  #proc: ChildProcess | null = null;
  #group = false;
  #opened = false;
  #stopping = false;
  #restartTimer: NodeJS.Timeout | null = null;
  #restartDelay: number;
  /** Entries parsed since the current journalctl started (a refused cursor shows as none). */
  #readSinceLaunch = 0;
  #launchedWithCursor = false;
  #stderrTail = '';

  #partial: Buffer[] = [];
  #partialBytes = 0;
  #dropping = false;
  readonly #pending: Pending[] = [];
  /** The last entry parsed (delivered or filtered out), and the last one a batch covered. */
  #last: { cursor: string; us: number } | null = null;
  #covered: string | null = null;
  #skippedSinceBatch = 0;
  #skipTimer: NodeJS.Timeout | null = null;
  #skipDue = false;
  #wake: (() => void) | null = null;
  #inFlight: Promise<TailBatch | null> | null = null;
  readonly #said = new Set<string>();

  constructor(opts: JournalSourceOptions) {
    this.source = opts.source ?? JOURNALD_SOURCE;
    this.#launcher = opts.launcher;
    this.#groups = opts.groups;
    this.#store = opts.store ?? null;
    this.#fromStart = opts.fromStart ?? false;
    this.#maxLineBytes = opts.maxLineBytes ?? MAX_MESSAGE_BYTES;
    this.#maxBatch = Math.max(1, opts.maxBatchLines ?? 1024);
    this.#skipFlushMs = opts.skipFlushMs ?? 1000;
    this.#restartDelayMs = opts.restartDelayMs ?? 1000;
    this.#restartDelay = this.#restartDelayMs;
    this.#log = opts.log ?? (() => {});
  }

  /** The next batch, waiting as long as needed; null once stopped and drained. Not reentrant. */
  next(): Promise<TailBatch | null> {
    if (this.#inFlight) throw new Error('JournalSource.next() called while a previous call is pending');
    const p = this.#pull().finally(() => {
      this.#inFlight = null;
    });
    this.#inFlight = p;
    return p;
  }

  /** Commit the batch's checkpoint: its entries (and all before them) are processed. */
  ack(batch: TailBatch): void {
    if (batch.source !== this.source) throw new Error(`Batch of "${batch.source}" acknowledged on "${this.source}"`);
    if (this.#store && batch.checkpoint.fingerprint.startsWith(CURSOR_PREFIX)) this.#store.put(this.source, batch.checkpoint);
  }

  /** Stop: journalctl is ended, a pending `next()` returns what was read, later calls null. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#launcher.close();
    this.#clearTimers();
    this.#kill();
    this.#poke();
    if (this.#inFlight) await this.#inFlight.catch(() => null);
  }

  async #pull(): Promise<TailBatch | null> {
    if (!this.#opened && !this.#stopping) this.#open();
    for (;;) {
      const b = this.#batch();
      if (b) return b;
      if (this.#stopping) return null;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = null;
    }
  }

  /** A batch of what is pending, a checkpoint-only batch when due, or null. */
  #batch(): TailBatch | null {
    if (this.#pending.length > 0) {
      const take = this.#pending.splice(0, this.#maxBatch);
      const lastLine = take[take.length - 1] as Pending;
      // Drained: the batch also covers the filtered-out entries read after its last line.
      const upTo = this.#pending.length === 0 && this.#last ? this.#last : { cursor: lastLine.cursor, us: lastLine.us };
      this.#resumeReading();
      return this.#seal(take.map((p) => p.line), take.map((p) => p.us), upTo);
    }
    if (this.#last && this.#last.cursor !== this.#covered && (this.#skipDue || this.#stopping)) {
      return this.#seal([], [], this.#last);
    }
    return null;
  }

  #seal(lines: string[], ends: number[], upTo: { cursor: string; us: number }): TailBatch {
    this.#covered = upTo.cursor;
    this.#skippedSinceBatch = 0;
    this.#skipDue = false;
    if (this.#skipTimer) clearTimeout(this.#skipTimer);
    this.#skipTimer = null;
    const checkpoint: Checkpoint = { inode: 0, offset: upTo.us, fingerprint: `${CURSOR_PREFIX}${upTo.cursor}` };
    return { source: this.source, lines, ends, checkpoint };
  }

  /** First start: where to read from, from the checkpoint. */
  #open(): void {
    this.#opened = true;
    const cp = this.#store?.get(this.source) ?? null;
    if (cp) {
      const cursor = cp.fingerprint.startsWith(CURSOR_PREFIX) ? cp.fingerprint.slice(CURSOR_PREFIX.length) : '';
      if (CURSOR.test(cursor)) {
        this.#last = { cursor, us: cp.offset };
        this.#covered = cursor;
        this.#notify('resume', `Resuming after journal cursor "${cursor}"`);
        this.#launch();
        return;
      }
      this.#notify('checkpoint-mismatch', `The checkpoint is not a journal cursor; reading from its time (${new Date(cp.offset / 1000).toISOString()})`);
      this.#launch(sinceArgs(cp.offset));
      return;
    }
    this.#notify(this.#fromStart ? 'start-beginning' : 'start-end', `No checkpoint; reading ${this.#fromStart ? 'the whole journal' : 'entries from now on'}`);
    this.#launch([this.#fromStart ? '--lines=all' : '--lines=0']);
  }

  /** Start journalctl after the last entry read, or at `position`. */
  #launch(position?: readonly string[]): void {
    const pos = position ?? (this.#last ? [`--after-cursor=${this.#last.cursor}`] : ['--lines=0']);
    this.#launchedWithCursor = position === undefined && this.#last !== null;
    this.#readSinceLaunch = 0;
    this.#stderrTail = '';
    this.#partial = [];
    this.#partialBytes = 0;
    this.#dropping = false;
    let launched: { proc: ChildProcess; group: boolean };
    try {
      launched = this.#launcher.launch(pos);
    } catch (err) {
      this.#exited(`could not be started: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const { proc, group } = launched;
    this.#proc = proc;
    this.#group = group;
    proc.stdout?.on('data', (chunk: Buffer) => this.#onData(chunk));
    proc.stderr?.on('data', (chunk: Buffer) => {
      this.#stderrTail = (this.#stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    proc.on('error', (err) => {
      if (this.#proc === proc) this.#exited(`failed: ${err.message}`);
    });
    proc.on('close', (code, signal) => {
      if (this.#proc === proc) this.#exited(signal ? `was killed (${signal})` : `exited with status ${code ?? '?'}`);
    });
    if (this.#pending.length >= this.#maxBatch) proc.stdout?.pause();
  }

  #exited(how: string): void {
    this.#proc = null;
    if (this.#stopping) return;
    const why = this.#stderrTail.trim().split('\n').pop() ?? '';
    const refused = this.#launchedWithCursor && this.#readSinceLaunch === 0 && /cursor/i.test(this.#stderrTail);
    this.stats.restarts++;
    this.#notify('error', `journalctl ${how}${why ? `: ${why}` : ''}; starting it again in ${this.#restartDelay} ms`);
    const position = refused && this.#last ? sinceArgs(this.#last.us) : undefined;
    if (refused) this.#notify('checkpoint-mismatch', `The journal refused the cursor; reading from its time (${new Date((this.#last?.us ?? 0) / 1000).toISOString()})`);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (!this.#stopping) this.#launch(position);
    }, this.#restartDelay);
    this.#restartDelay = Math.min(MAX_RESTART_DELAY_MS, this.#restartDelay * 2);
  }

  #onData(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.#dropping) {
        this.#dropping = false;
        continue;
      }
      if (this.#partialBytes > 0) {
        this.#partial.push(piece);
        const whole = Buffer.concat(this.#partial);
        this.#partial = [];
        this.#partialBytes = 0;
        this.#entry(whole);
      } else {
        this.#entry(piece);
      }
    }
    if (start < chunk.length && !this.#dropping) {
      const rest = chunk.subarray(start);
      this.#partialBytes += rest.length;
      if (this.#partialBytes > MAX_JSON_BYTES) {
        this.#partial = [];
        this.#partialBytes = 0;
        this.#dropping = true;
        this.stats.malformed++;
        this.#once('oversize', 'error', `A journal entry longer than ${MAX_JSON_BYTES} bytes of JSON was dropped`);
      } else {
        // Copied: the chunk's memory is reused by the stream.
        this.#partial.push(Buffer.from(rest));
      }
    }
    if (this.#pending.length >= this.#maxBatch) this.#proc?.stdout?.pause();
    if (this.#pending.length > 0 || this.#skipDue) this.#poke();
  }

  #entry(json: Buffer): void {
    if (json.length === 0) return;
    let entry: Record<string, unknown>;
    try {
      const v = JSON.parse(json.toString('utf8')) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      entry = v as Record<string, unknown>;
    } catch {
      this.stats.malformed++;
      this.#once('malformed', 'error', 'journalctl printed a line that is not a JSON entry; skipped (counted in stats.malformed)');
      return;
    }
    const cursor = entry['__CURSOR'];
    const us = realtimeUs(entry);
    if (typeof cursor !== 'string' || !CURSOR.test(cursor) || us === null) {
      this.stats.malformed++;
      this.#once('nocursor', 'error', 'A journal entry without a usable __CURSOR or __REALTIME_TIMESTAMP; skipped');
      return;
    }
    this.stats.entries++;
    this.#readSinceLaunch++;
    this.#restartDelay = this.#restartDelayMs;
    this.#last = { cursor, us };
    if (!passesFilters(entry, this.#groups)) {
      this.stats.filtered++;
      this.#skipped();
      return;
    }
    let line = renderSyslogLine(entry);
    if (line === null) {
      this.stats.unrenderable++;
      this.#once('unrenderable', 'error', 'A journal entry without _HOSTNAME, SYSLOG_IDENTIFIER or MESSAGE is not a syslog line; skipped as logcollector does (counted in stats.unrenderable)');
      this.#skipped();
      return;
    }
    if (line.length > this.#maxLineBytes) {
      line = line.slice(0, this.#maxLineBytes);
      this.stats.cut++;
      this.#notify('cut', `Journal entry "${cursor}" longer than ${this.#maxLineBytes} bytes as a line; cut`);
    }
    this.stats.lines++;
    this.#pending.push({ line, us, cursor });
  }

  /** A filtered-out entry: its cursor is checkpointed by the next batch, or by a batch of its own. */
  #skipped(): void {
    this.#skippedSinceBatch++;
    if (this.#pending.length > 0) return;
    if (this.#skippedSinceBatch >= this.#maxBatch) {
      this.#skipDue = true;
      return;
    }
    this.#skipTimer ??= setTimeout(() => {
      this.#skipTimer = null;
      this.#skipDue = true;
      this.#poke();
    }, this.#skipFlushMs);
  }

  #resumeReading(): void {
    if (this.#pending.length < this.#maxBatch) this.#proc?.stdout?.resume();
  }

  #kill(): void {
    const p = this.#proc;
    this.#proc = null;
    if (!p || p.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
    try {
      // xargs and its journalctl share a process group of their own (see JournalctlLauncher).
      process.kill(this.#group ? -p.pid : p.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }

  #clearTimers(): void {
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    if (this.#skipTimer) clearTimeout(this.#skipTimer);
    this.#restartTimer = null;
    this.#skipTimer = null;
  }

  #poke(): void {
    this.#wake?.();
  }

  #once(key: string, kind: TailNotice['kind'], message: string): void {
    if (this.#said.has(key)) return;
    this.#said.add(key);
    this.#notify(kind, message);
  }

  #notify(kind: TailNotice['kind'], message: string): void {
    this.#log({ source: this.source, kind, message });
  }
}

/** journalctl arguments reading from the second of `us` on (the entries of that second included). */
function sinceArgs(us: number): string[] {
  return [`--since=@${Math.floor(us / 1_000_000)}`];
}
