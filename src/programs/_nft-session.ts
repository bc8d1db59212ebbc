/**
 * A long-lived `nft -i -e` process for the in-process firewall-drop: a block becomes one line
 * written to a running nft (one transaction, confirmed by nft's echo), instead of a new nft
 * process per block (≈20 ms here). Any doubt — an error, no echo in time, the process gone —
 * makes the caller fall back to the one-shot `nft -f -` batch, which also re-creates the table.
 * @module
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

interface Waiter {
  readonly expect: string;
  readonly resolve: (ok: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

export class NftSession {
  readonly #nft: string;
  readonly #prefix: readonly string[];
  #proc: ChildProcessWithoutNullStreams | null = null;
  #out = '';
  #waiter: Waiter | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * @param nft absolute path of nft
   * @param prefix arguments before nft's own (tests run it as `ip netns exec NS nft`)
   */
  constructor(nft: string, prefix: readonly string[] = []) {
    this.#nft = nft;
    this.#prefix = prefix;
  }

  #start(): ChildProcessWithoutNullStreams {
    const p = spawn(this.#nft, [...this.#prefix, '-i', '-e'], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (d: string) => {
      this.#out += d;
      const w = this.#waiter;
      if (w && this.#out.includes(w.expect)) this.#settle(true);
      if (this.#out.length > 65536) this.#out = this.#out.slice(-4096);
    });
    p.stderr.on('data', (d: string) => {
      if (/Error/.test(d)) this.#settle(false);
    });
    p.on('exit', () => {
      if (this.#proc === p) this.#proc = null;
      this.#settle(false);
    });
    p.on('error', () => this.#settle(false));
    p.stdin.on('error', () => this.#settle(false));
    this.#proc = p;
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
   * Run one line (one nft transaction) and wait until nft echoes `expect`.
   * @returns true when confirmed; false on an error, a timeout or a dead process
   */
  run(line: string, expect: string, timeoutMs = 1000): Promise<boolean> {
    const next = this.#queue.then(
      () =>
        new Promise<boolean>((resolve) => {
          const p = this.#proc ?? this.#start();
          this.#out = '';
          const timer = setTimeout(() => this.#settle(false), timeoutMs);
          this.#waiter = { expect, resolve, timer };
          p.stdin.write(`${line}\n`);
        }),
    );
    this.#queue = next.catch(() => false);
    return next;
  }

  /** End the nft process. */
  close(): void {
    this.#proc?.stdin.end();
    this.#proc = null;
  }
}
