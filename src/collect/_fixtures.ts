/**
 * Test helpers for the collect stage: temporary directories, a consumer that records what a
 * tailer delivers, and polling with generous bounds instead of timing assertions.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { FileTailer, type FileTailerOptions, type TailNotice } from './file-tail.ts';

/** A temp directory plus tailers that are all stopped before the directory is removed. */
export interface Fixture {
  readonly dir: string;
  /** Start a tailer (pollMs 20 unless given) with a recording consumer. */
  follow(opts: FileTailerOptions & { ackIf?: (batchNo: number) => boolean }): Recorder;
  /** Run `fn` at cleanup, before the directory is removed. */
  defer(fn: () => Promise<unknown>): void;
}

export interface Recorder {
  readonly tailer: FileTailer;
  readonly lines: string[];
  readonly ends: number[];
  readonly notices: TailNotice[];
  /** Stop the tailer and wait until its consumer loop has ended. */
  stop(): Promise<void>;
}

export async function fixture(t: TestContext): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'riposte-collect-'));
  const recorders: Recorder[] = [];
  const deferred: Array<() => Promise<unknown>> = [];
  // One hook, so the order is certain: tailers first, then the directory.
  t.after(async () => {
    await Promise.all([...recorders.map((r) => r.stop()), ...deferred.map((fn) => fn())]);
    await rm(dir, { recursive: true, force: true });
  });
  return {
    dir,
    defer(fn) {
      deferred.push(fn);
    },
    follow(opts) {
      const notices: TailNotice[] = [];
      const tailer = new FileTailer({ pollMs: 20, ...opts, log: (n) => notices.push(n) });
      const lines: string[] = [];
      const ends: number[] = [];
      const loop = (async () => {
        let n = 0;
        for await (const b of tailer) {
          lines.push(...b.lines);
          ends.push(...b.ends);
          if (opts.ackIf?.(n) ?? true) tailer.ack(b);
          n++;
        }
      })();
      const rec: Recorder = {
        tailer,
        lines,
        ends,
        notices,
        async stop() {
          await tailer.stop();
          await loop;
        },
      };
      recorders.push(rec);
      return rec;
    },
  };
}

/** Poll `cond` every 10 ms; fail after `timeoutMs` (generous: this is not a timing test), showing `state()`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000, state?: () => unknown): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`Timed out waiting for ${what}${state ? `: ${JSON.stringify(state())}` : ''}`);
    await delay(10);
  }
}

/** Give the tailer several polls to (wrongly) deliver something. */
export function settle(ms = 200): Promise<void> {
  return delay(ms);
}

/** `prefix-00042` style lines `from..to-1`, each with "\n". */
export function numbered(prefix: string, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += `${prefix}-${String(i).padStart(5, '0')}\n`;
  return s;
}

/** The lines of `numbered` without "\n". */
export function numberedLines(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(`${prefix}-${String(i).padStart(5, '0')}`);
  return out;
}
