/**
 * A long-lived child that takes one request line at a time and answers it: the daemon's way to
 * block an address without starting a process per block (≈20 ms for `nft` here). Two speak it:
 * Riposte's netlink helper (`native/riposte-nfset.c`, one `ok`/`err` line on stdout per request)
 * and `nft -i` (see {@link NFT_INTERACTIVE}). Any doubt — an error, no answer in time, the child
 * gone — resolves false, and the caller falls back to a one-shot `nft -f -` batch.
 * @module
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** How requests are framed and answers recognised. */
export interface LineProtocol {
  /** Where the answers come. */
  readonly replies: 'stdout' | 'stderr';
  /** The text written for one request; `seq` is unique within the session. */
  frame(line: string, seq: number): string;
  /** The verdict on what the child wrote since the request, or null while incomplete. */
  verdict(text: string, seq: number): boolean | null;
}

/**
 * `nft -i` prints nothing when a command succeeds and an error (with the rejected line) on stderr
 * when it fails, in input order. So each request is followed by a marker line that nft must
 * reject: its error says the request is over, and any other error before it says it failed.
 * (`-e` would confirm on stdout instead, but makes nft dump every set element before each
 * command: a cost that grows with the number of blocked addresses.)
 */
export const NFT_INTERACTIVE: LineProtocol = {
  replies: 'stderr',
  frame: (line, seq) => `${line}\nriposte-sync-${seq}\n`,
  verdict(text, seq) {
    const at = text.indexOf(`riposte-sync-${seq}\n`);
    // The marker's own error is the only one allowed before it.
    return at === -1 ? null : text.slice(0, at).split('Error:').length === 2;
  },
};

/** The netlink helper: one `ok` or `err ERRNO MESSAGE` line per request. */
export const NFSET_HELPER: LineProtocol = {
  replies: 'stdout',
  frame: (line) => `${line}\n`,
  verdict(text) {
    const nl = text.indexOf('\n');
    return nl === -1 ? null : text.slice(0, nl) === 'ok';
  },
};

interface Job {
  readonly line: string;
  readonly timeoutMs: number;
  readonly resolve: (ok: boolean) => void;
}

interface Waiter {
  readonly seq: number;
  readonly resolve: (ok: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

/** Longest answer kept while waiting (a rejected line's error is a few hundred bytes). */
const MAX_REPLY = 64 * 1024;

export class LineSession {
  readonly #file: string;
  readonly #args: readonly string[];
  readonly #protocol: LineProtocol;
  #proc: ChildProcessWithoutNullStreams | null = null;
  #text = '';
  #seq = 0;
  #waiter: Waiter | null = null;
  readonly #pending: Job[] = [];

  /**
   * @param file absolute path of the program
   * @param args its arguments
   */
  constructor(file: string, args: readonly string[], protocol: LineProtocol) {
    this.#file = file;
    this.#args = args;
    this.#protocol = protocol;
  }

  /** Start the child now (do it while the calling process is small: see `_spawner.ts`). */
  start(): this {
    this.#proc ??= this.#spawn();
    return this;
  }

  #spawn(): ChildProcessWithoutNullStreams {
    const p = spawn(this.#file, this.#args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } });
    const replies = this.#protocol.replies === 'stdout' ? p.stdout : p.stderr;
    (this.#protocol.replies === 'stdout' ? p.stderr : p.stdout).resume();
    replies.setEncoding('utf8');
    replies.on('data', (d: string) => {
      const w = this.#waiter;
      if (!w || this.#proc !== p) return; // a late answer to a request that timed out
      this.#text += d;
      const v = this.#protocol.verdict(this.#text, w.seq);
      if (v !== null) this.#settle(v);
      else if (this.#text.length > MAX_REPLY) this.#settle(false);
    });
    const gone = (): void => {
      if (this.#proc !== p) return;
      this.#proc = null;
      this.#settle(false);
    };
    p.on('exit', gone);
    p.on('error', gone);
    p.stdin.on('error', gone);
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
   * Send one request and wait for its verdict. It is written at once when nothing is in flight
   * (no event-loop turn between the caller and the child).
   * @returns true when the child accepted it; false on an error, a timeout or a dead child
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
    // A line break would let the caller's text become a second request.
    if (/[\r\n]/.test(job.line)) {
      job.resolve(false);
      this.#next();
      return;
    }
    const p = (this.#proc ??= this.#spawn());
    this.#text = '';
    const seq = ++this.#seq;
    const timer = setTimeout(() => {
      // The child is out of step now: a fresh one answers the next request.
      this.#settle(false);
      this.close();
    }, job.timeoutMs);
    this.#waiter = {
      seq,
      timer,
      resolve: (ok) => {
        job.resolve(ok);
        this.#next();
      },
    };
    p.stdin.write(this.#protocol.frame(job.line, seq));
  }

  /** End the child (its stdin closes). */
  close(): void {
    this.#proc?.stdin.end();
    this.#proc = null;
  }
}
