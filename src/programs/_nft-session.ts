/**
 * A long-lived `nft -i` process for the in-process firewall-drop: a block becomes one line
 * written to a running nft (one transaction), instead of a new nft process per block (≈20 ms
 * here). Any doubt — an error, no confirmation in time, the process gone — makes the caller fall
 * back to the one-shot `nft -f -` batch, which also re-creates the table.
 *
 * Confirmation: `nft -i` prints nothing when a command succeeds, and an error (with the rejected
 * line) on stderr when it fails, in input order. So each transaction is followed by a marker line
 * that nft must reject; its error, read on stderr, says the transaction before it is over, and any
 * other error before it says it failed. (`-e` would confirm on stdout instead, but makes nft dump
 * every set element before each command: a cost that grows with the number of blocked addresses.)
 * @module
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

interface Job {
  readonly line: string;
  readonly timeoutMs: number;
  readonly resolve: (ok: boolean) => void;
}

interface Waiter {
  /** The marker line whose rejection ends the transaction. */
  readonly marker: string;
  readonly resolve: (ok: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

/** Longest stderr kept while waiting (nft's error for one line is a few hundred bytes). */
const MAX_ERR = 64 * 1024;

export class NftSession {
  readonly #nft: string;
  readonly #prefix: readonly string[];
  #proc: ChildProcessWithoutNullStreams | null = null;
  #err = '';
  #seq = 0;
  #waiter: Waiter | null = null;
  readonly #pending: Job[] = [];

  /**
   * @param nft absolute path of nft
   * @param prefix arguments before nft's own (tests run it as `ip netns exec NS nft`)
   */
  constructor(nft: string, prefix: readonly string[] = []) {
    this.#nft = nft;
    this.#prefix = prefix;
  }

  /** Start nft now (do it while the calling process is small: see `_spawner.ts`), not on first use. */
  start(): this {
    this.#proc ??= this.#spawn();
    return this;
  }

  #spawn(): ChildProcessWithoutNullStreams {
    const p = spawn(this.#nft, [...this.#prefix, '-i'], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } });
    p.stdout.resume();
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (d: string) => {
      this.#err += d;
      const w = this.#waiter;
      if (!w) {
        this.#err = '';
        return;
      }
      const at = this.#err.indexOf(`${w.marker}\n`);
      if (at !== -1) {
        // The marker's own error is the only one allowed before it.
        this.#settle(this.#err.slice(0, at).split('Error:').length - 1 === 1);
        return;
      }
      if (this.#err.length > MAX_ERR) this.#settle(false);
    });
    p.on('exit', () => {
      if (this.#proc === p) this.#proc = null;
      this.#settle(false);
    });
    p.on('error', () => this.#settle(false));
    p.stdin.on('error', () => this.#settle(false));
    return p;
  }

  #settle(ok: boolean): void {
    const w = this.#waiter;
    if (!w) return;
    this.#waiter = null;
    clearTimeout(w.timer);
    w.resolve(ok);
  }

  /**
   * Run one line (one nft transaction) and wait for nft's verdict. The line is written at once
   * when nothing is in flight (no event-loop turn between the caller and nft).
   * @returns true when nft accepted it; false on an error, a timeout or a dead process
   */
  run(line: string, timeoutMs = 1000): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      this.#pending.push({ line, timeoutMs, resolve });
      if (!this.#waiter) this.#next();
    });
  }

  #next(): void {
    const job = this.#pending.shift();
    if (!job) return;
    // A newline would let the caller's text run a second command.
    if (/[\r\n]/.test(job.line)) {
      job.resolve(false);
      this.#next();
      return;
    }
    const p = (this.#proc ??= this.#spawn());
    this.#err = '';
    const marker = `riposte-sync-${++this.#seq}`;
    const timer = setTimeout(() => this.#settle(false), job.timeoutMs);
    this.#waiter = {
      marker,
      timer,
      resolve: (ok) => {
        job.resolve(ok);
        this.#next();
      },
    };
    p.stdin.write(`${job.line}\n${marker}\n`);
  }

  /** End the nft process. */
  close(): void {
    this.#proc?.stdin.end();
    this.#proc = null;
  }
}
