/**
 * Several sources (a tailer per file `<localfile>`, one journal source for the journald ones)
 * feeding one async consumer. The consumer gets one batch
 * at a time; each tailer waits for its batch to be consumed before reading on (backpressure), and
 * the batch is acknowledged (its checkpoint committed) only after the consumer's promise resolved.
 * Wildcards in locations are not expanded: each location is one path.
 * @module
 */
import { FileTailer, type FileTailerOptions, type TailBatch } from './file-tail.ts';
import { JournalSource, type JournalSourceOptions } from './journald.ts';

/** One file to follow; `source` defaults to the path (Wazuh's event location). */
export interface LocalFileSpec {
  readonly path: string;
  readonly source?: string;
}

/** The journal (the journald `<localfile>` blocks together); `store`, `fromStart`… come from the collector's options. */
export interface JournalSpec {
  readonly journal: Pick<JournalSourceOptions, 'launcher' | 'groups'> & { readonly fromStart?: boolean };
}

/** What the collector needs of a source: a file tailer and the journal source both are one. */
export interface LogSource {
  readonly source: string;
  next(): Promise<TailBatch | null>;
  ack(batch: TailBatch): void;
  stop(): Promise<void>;
}

/** Options shared by every tailer of the collector. */
export type LogCollectorOptions = Omit<FileTailerOptions, 'path' | 'source'>;

/** Processes one batch; the batch is acknowledged once the returned promise resolves. */
export type BatchConsumer = (batch: TailBatch) => Promise<void> | void;

/**
 * @example
 * const c = new LogCollector([{ path: '/var/log/auth.log' }], { store });
 * const done = c.run(async (b) => { for (const l of b.lines) engine.process(b.source, l); });
 * // later: await c.stop(); await done;
 */
export class LogCollector {
  readonly tailers: readonly LogSource[];
  private running = false;

  constructor(files: readonly (LocalFileSpec | JournalSpec)[], opts: LogCollectorOptions = {}) {
    const seen = new Set<string>();
    this.tailers = files.map((f): LogSource => {
      if ('journal' in f) {
        const j = new JournalSource({ ...journalOptions(opts), ...f.journal, fromStart: (f.journal.fromStart ?? false) || (opts.fromStart ?? false) });
        if (seen.has(j.source)) throw new Error(`Duplicate log source "${j.source}"`);
        seen.add(j.source);
        return j;
      }
      const source = f.source ?? f.path;
      // Two tailers on one source would overwrite each other's checkpoints.
      if (seen.has(source)) throw new Error(`Duplicate log source "${source}"`);
      seen.add(source);
      return new FileTailer({ ...opts, path: f.path, source });
    });
  }

  /**
   * Deliver batches to `consumer` until `stop()` and the final batches are consumed. Rejects with
   * the consumer's error (after stopping every tailer; the failed batch is not acknowledged).
   */
  async run(consumer: BatchConsumer): Promise<void> {
    if (this.running) throw new Error('LogCollector.run() is already running');
    this.running = true;
    let turn: Promise<void> = Promise.resolve();
    let failure: { error: unknown } | null = null;
    // One consumer call at a time, in arrival order across tailers.
    const deliver = (b: TailBatch): Promise<void> => {
      const call = turn.then(async () => {
        if (failure) throw failure.error;
        try {
          await consumer(b);
        } catch (error) {
          failure ??= { error };
          throw error;
        }
      });
      turn = call.catch(() => {});
      return call;
    };
    const loops = this.tailers.map(async (t) => {
      for (let b = await t.next(); b !== null; b = await t.next()) {
        await deliver(b);
        t.ack(b);
      }
    });
    try {
      await Promise.all(loops);
    } catch (error) {
      failure ??= { error };
      await this.stop();
      await Promise.allSettled(loops);
      throw failure.error;
    } finally {
      this.running = false;
    }
  }

  /** Stop every tailer; `run` resolves once their last batches are consumed. */
  async stop(): Promise<void> {
    await Promise.all(this.tailers.map((t) => t.stop()));
  }
}

/** The collector's options that mean the same for the journal. */
function journalOptions(o: LogCollectorOptions): Omit<JournalSourceOptions, 'launcher' | 'groups'> {
  return {
    ...(o.store !== undefined ? { store: o.store } : {}),
    ...(o.maxLineBytes !== undefined ? { maxLineBytes: o.maxLineBytes } : {}),
    ...(o.maxBatchLines !== undefined ? { maxBatchLines: o.maxBatchLines } : {}),
    ...(o.log !== undefined ? { log: o.log } : {}),
  };
}
