/**
 * The daemon's output path, one batch of log lines at a time, after the batch's decisions were
 * recorded and their runs dispatched: alerts.json lines, then ONE store transaction with the
 * source's checkpoint, the alerts.json mark, offence counters and folded refusals.
 *
 * Rules this module keeps (the daemon's "nothing lost, memory bounded"):
 * - a checkpoint is committed only with (after) the output of the events it covers: alerts
 *   written completely, decisions recorded;
 * - the collector waits for {@link BatchOutput.commit}'s promise before it reads on, so the
 *   backlog stays in the log file, not in memory (backpressure);
 * - when the disk is full (or any write fails), the batch is kept and retried; reading stays
 *   paused meanwhile, the outage is logged once when it starts and once when it ends, and the
 *   retry writes each alert once (a failed alerts.json append is cut back, a failed transaction
 *   rolls back).
 * @module
 */
import type { Checkpoint } from '../collect/checkpoint.ts';
import type { AlertV1, DecisionV1, Refusal } from '../decide/types.ts';
import { foldRefusals, type Store } from '../store/index.ts';
import type { Offender } from '../store/types.ts';
import type { AlertFile } from './alert-file.ts';

/** The store's output name of alerts.json. */
export const ALERTS_OUTPUT = 'alerts.json';

/** A decision of the batch: checked to be recorded before the checkpoint passes it. */
export interface BatchDecision {
  readonly decision: DecisionV1;
  readonly alert: AlertV1;
  readonly description: string;
}

/** What one batch produced, handed over once its decisions were dispatched. */
export interface BatchWork {
  readonly source: string;
  readonly checkpoint: Checkpoint | null;
  /** Builds the batch's alerts.json text (called once, after dispatch). */
  readonly text: () => string;
  readonly decisions: readonly BatchDecision[];
  readonly refusals: readonly Refusal[];
  /** Offender histories changed by the batch (read at commit time). */
  readonly offences: () => ReadonlyArray<readonly [string, Offender]>;
}

export interface BatchOutputOptions {
  readonly store: Store;
  readonly alerts: AlertFile;
  /** Record and run a decision again whose recording failed (e.g. disk full). */
  readonly enforce: (d: BatchDecision) => void;
  /** After a batch with decisions: the scheduler looks at the store again. */
  readonly changed: () => void;
  readonly log: (msg: string) => void;
  /** Clock, seconds. */
  readonly now: () => number;
  /** Wait between retries of a failed batch. @default 1000 */
  readonly retryMs?: number;
}

interface Pending {
  readonly work: BatchWork;
  text: string | null;
  written: boolean;
  readonly resolve: () => void;
}

/**
 * @example
 * const out = new BatchOutput({ store, alerts, enforce, changed, log, now });
 * collector.run((batch) => { …decide and dispatch…; return out.commit(work); });
 */
export class BatchOutput {
  readonly #o: BatchOutputOptions;
  readonly #retryMs: number;
  #failingSince: number | null = null;
  #failure = '';
  #closing = false;
  #abandoned = false;
  #timer: NodeJS.Timeout | null = null;
  #pending: Pending | null = null;

  constructor(opts: BatchOutputOptions) {
    this.#o = opts;
    this.#retryMs = opts.retryMs ?? 1000;
  }

  /**
   * Write and commit the batch on the next turn of the event loop (after its runs were started).
   * Resolves once it is committed, which may wait for disk space; at {@link close} it resolves
   * without committing what still fails (the events are then read again at the next start).
   */
  commit(work: BatchWork): Promise<void> {
    return new Promise<void>((resolve) => {
      const p: Pending = { work, text: null, written: false, resolve };
      this.#pending = p;
      setImmediate(() => this.#attempt(p));
    });
  }

  /** Whether a batch was given up at shutdown: no checkpoint may be written after that. */
  get abandoned(): boolean {
    return this.#abandoned;
  }

  /** Whether writes are failing now (disk full): reading is paused. */
  get stalled(): boolean {
    return this.#failingSince !== null;
  }

  /** Try what is pending once more, then give up on it: for shutdown. */
  close(): void {
    this.#closing = true;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
      if (this.#pending) this.#attempt(this.#pending);
    }
  }

  #attempt(p: Pending): void {
    this.#timer = null;
    // After a batch was given up, no later one may commit: its checkpoint would pass the gap.
    if (this.#abandoned) {
      this.#done(p);
      return;
    }
    const { store, alerts } = this.#o;
    try {
      const { work } = p;
      if (work.decisions.length > 0) {
        for (const d of work.decisions) {
          if (store.getDecision(d.decision.decisionId) !== null) continue;
          // Its recording failed in the batch's turn: record and run it now, or wait and retry.
          this.#o.enforce(d);
          if (store.getDecision(d.decision.decisionId) === null) throw new Error(`Decision "${d.decision.decisionId}" could not be recorded`);
        }
        this.#o.changed();
      }
      p.text ??= work.text();
      if (!p.written) {
        if (p.text !== '') alerts.append(p.text);
        p.written = true;
      }
      store.commitBatch({
        ...(work.checkpoint ? { checkpoint: { source: work.source, checkpoint: work.checkpoint } } : {}),
        output: { name: ALERTS_OUTPUT, mark: alerts.mark() },
        offences: work.offences(),
        refusals: foldRefusals(work.refusals, this.#o.now()),
      });
    } catch (e) {
      this.#failed(e);
      if (this.#closing) {
        this.#abandoned = true;
        this.#o.log(`stopping with a batch of "${p.work.source}" not committed: its lines are read again at the next start`);
        this.#done(p);
        return;
      }
      this.#timer = setTimeout(() => this.#attempt(p), this.#retryMs);
      return;
    }
    if (this.#failingSince !== null) {
      this.#o.log(`writing resumed after ${Math.round(this.#o.now() - this.#failingSince)} s; nothing was lost`);
      this.#failingSince = null;
      this.#failure = '';
    }
    this.#done(p);
  }

  #done(p: Pending): void {
    if (this.#pending === p) this.#pending = null;
    p.resolve();
  }

  #failed(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    if (this.#failingSince !== null && message === this.#failure) return;
    this.#failingSince ??= this.#o.now();
    this.#failure = message;
    const code = (e as { code?: unknown } | null)?.code;
    const full = code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || /disk is full|no space left/i.test(message);
    this.#o.log(
      full
        ? `DISK FULL: cannot write "${this.#o.alerts.path}" or the store (${message}). Reading the logs is paused and nothing is lost; writing resumes by itself once space is freed (retrying every ${this.#retryMs} ms)`
        : `cannot write the output of a batch of "${this.#hint()}" (${message}); reading the logs is paused, retrying every ${this.#retryMs} ms`,
    );
  }

  #hint(): string {
    return this.#pending?.work.source ?? 'a log';
  }
}
