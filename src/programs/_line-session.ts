/**
 * A long-lived child that takes request lines and answers each, in order: the daemon's way to
 * block an address without starting a process per block (≈20 ms for `nft` here). Two speak it:
 * Riposte's netlink helper (`native/riposte-nfset.c`, one `ok N`/`err` line on stdout per request)
 * and `nft -i` (see {@link NFT_INTERACTIVE}). Requests that arrive while others are in flight go
 * out together (group commit). Any doubt — an error, no answer in time, the child gone — resolves
 * false, and the caller falls back to a one-shot `nft -f -` batch.
 * @module
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** What a protocol reads off the child's replies for one request. */
export interface Verdict {
  readonly ok: boolean;
  /** The request's own answer text (e.g. `ok 3`), empty when the protocol has none. */
  readonly answer: string;
  /** Where the next request's replies start in the text. */
  readonly end: number;
}

/** How requests are framed and answers recognised. */
export interface LineProtocol {
  /** Where the answers come. */
  readonly replies: 'stdout' | 'stderr';
  /** The text written for one request; `seq` is unique within the session. */
  frame(line: string, seq: number): string;
  /**
   * The verdict on the oldest unanswered request, from what the child wrote since the answer
   * before it, or null while incomplete. Requests are answered in order.
   */
  take(text: string, seq: number): Verdict | null;
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
  take(text, seq) {
    const marker = `riposte-sync-${seq}\n`;
    const at = text.indexOf(marker);
    // The marker's own error is the only one allowed before it (the previous marker's caret
    // line, left at the start, holds none).
    return at === -1 ? null : { ok: text.slice(0, at).split('Error:').length === 2, answer: '', end: at + marker.length };
  },
};

/** The netlink helper: one `ok N` or `err ERRNO MESSAGE` line per request, in order. */
export const NFSET_HELPER: LineProtocol = {
  replies: 'stdout',
  frame: (line) => `${line}\n`,
  take(text) {
    const nl = text.indexOf('\n');
    if (nl === -1) return null;
    const answer = text.slice(0, nl);
    return { ok: /^ok(?: \d+)?$/.test(answer), answer, end: nl + 1 };
  },
};

interface Job {
  readonly line: string;
  readonly timeoutMs: number;
  readonly resolve: (answer: string | null) => void;
  seq: number;
}

/** Longest reply text kept while waiting (a rejected line's error is a few hundred bytes). */
const MAX_REPLY = 1024 * 1024;
/** Requests written together at most (the netlink helper's own batch limit). */
export const MAX_GROUP = 1024;

/**
 * One long-lived child and its request queue, with group commit: a request is written at once
 * when nothing is in flight (no event-loop turn between the caller and the child: the single
 * block's latency), and every request that arrives while a group is in flight goes out together
 * as the next group, in one write, which the netlink helper applies as one transaction. So a
 * burst costs a transaction per group, not one per address, and a fresh request waits at most for
 * the group in flight.
 */
export class LineSession {
  readonly #file: string;
  readonly #args: readonly string[];
  readonly #protocol: LineProtocol;
  #proc: ChildProcessWithoutNullStreams | null = null;
  #text = '';
  #seq = 0;
  /** The group written and not yet fully answered, oldest first. */
  #inFlight: Job[] = [];
  #timer: NodeJS.Timeout | null = null;
  readonly #pending: Job[] = [];
  #pendingHead = 0;
  readonly #urgent: Job[] = [];
  /** Groups written so far (what a test of the batching counts). */
  groups = 0;
  #closed = false;

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
    this.#closed = false;
    this.#proc ??= this.#spawn();
    return this;
  }

  #spawn(): ChildProcessWithoutNullStreams {
    const p = spawn(this.#file, this.#args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } });
    const replies = this.#protocol.replies === 'stdout' ? p.stdout : p.stderr;
    (this.#protocol.replies === 'stdout' ? p.stderr : p.stdout).resume();
    replies.setEncoding('utf8');
    replies.on('data', (d: string) => {
      if (this.#inFlight.length === 0 || this.#proc !== p) return; // a late answer to a group that timed out
      this.#text += d;
      let at = 0;
      while (this.#inFlight.length > 0) {
        const job = this.#inFlight[0] as Job;
        const v = this.#protocol.take(at === 0 ? this.#text : this.#text.slice(at), job.seq);
        if (v === null) break;
        at += v.end;
        this.#inFlight.shift();
        job.resolve(v.ok ? v.answer : null);
      }
      this.#text = this.#text.slice(at);
      if (this.#inFlight.length === 0) this.#groupDone();
      else if (this.#text.length > MAX_REPLY) this.#fail();
    });
    const gone = (): void => {
      if (this.#proc !== p) return;
      this.#proc = null;
      this.#fail();
    };
    p.on('exit', gone);
    p.on('error', gone);
    p.stdin.on('error', gone);
    return p;
  }

  /** The group in flight cannot be answered (error, timeout, child gone): all of it fails. */
  #fail(): void {
    const jobs = this.#inFlight;
    this.#inFlight = [];
    for (const j of jobs) j.resolve(null);
    this.#groupDone();
  }

  #groupDone(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#text = '';
    this.#next();
  }

  /**
   * Send one request and wait for its verdict.
   * @returns true when the child accepted it; false on an error, a timeout or a dead child
   */
  async run(line: string, timeoutMs = 1000, urgent = false): Promise<boolean> {
    return (await this.request(line, timeoutMs, urgent)) !== null;
  }

  /**
   * Send one request and wait for its answer.
   * @param timeoutMs how long its group may take once written
   * @param urgent goes into the next group ahead of the requests already waiting
   * @returns the answer text when the child accepted it (`''` for a protocol without one); null
   *   on an error, a timeout or a dead child
   */
  request(line: string, timeoutMs = 1000, urgent = false): Promise<string | null> {
    return new Promise<string | null>((resolve) => {
      // A line break would let the caller's text become a second request.
      if (/[\r\n]/.test(line) || this.#closed) return resolve(null);
      (urgent ? this.#urgent : this.#pending).push({ line, timeoutMs, resolve, seq: 0 });
      if (this.#inFlight.length === 0) this.#next();
    });
  }

  #next(): void {
    if (this.#closed) return;
    // Urgent requests (unblocks that are due) go first, ahead of a backlog of blocks, but take at
    // most half a group while others wait: a stream of unblocks never starves the blocks.
    const waiting = this.#pending.length - this.#pendingHead;
    const urgent = this.#urgent.splice(0, waiting > 0 ? MAX_GROUP / 2 : MAX_GROUP);
    const n = Math.min(MAX_GROUP - urgent.length, this.#pending.length - this.#pendingHead);
    if (n + urgent.length === 0) return;
    const group = urgent.concat(this.#pending.slice(this.#pendingHead, this.#pendingHead + n));
    this.#pendingHead += n;
    // Compact now and then, not on every group: a long queue is sliced, not shifted.
    if (this.#pendingHead > 4096 || this.#pendingHead === this.#pending.length) {
      this.#pending.splice(0, this.#pendingHead);
      this.#pendingHead = 0;
    }
    const p = (this.#proc ??= this.#spawn());
    this.#text = '';
    let text = '';
    let timeoutMs = 0;
    for (const job of group) {
      job.seq = ++this.#seq;
      text += this.#protocol.frame(job.line, job.seq);
      timeoutMs = Math.max(timeoutMs, job.timeoutMs);
    }
    // A big group takes longer (and the helper's conntrack pass with it): a few ms per request.
    timeoutMs += 2 * group.length;
    this.#inFlight = group;
    this.groups++;
    this.#timer = setTimeout(() => {
      // The child is out of step now: a fresh one answers the next group.
      this.#proc?.stdin.end();
      this.#proc = null;
      this.#fail();
    }, timeoutMs);
    p.stdin.write(text);
  }

  /** End the child (its stdin closes); what is still queued or in flight fails. */
  close(): void {
    this.#closed = true;
    this.#proc?.stdin.end();
    this.#proc = null;
    const queued = [...this.#urgent.splice(0), ...this.#pending.splice(0).slice(this.#pendingHead)];
    this.#pendingHead = 0;
    const inFlight = this.#inFlight;
    this.#inFlight = [];
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const j of [...inFlight, ...queued]) j.resolve(null);
  }
}
