/**
 * `riposte start`: the single-host product — a manager and a local agent in one process.
 * collect (tail) → analyse → alerts.json → decide → record → execute, and one scheduler that
 * reverts what is due, reconciled with the store at every start.
 * @module
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { binToUtf8 } from '../bytes.ts';
import { LogCollector } from '../collect/collector.ts';
import { planSources, type SourcePlan } from '../collect/sources.ts';
import { ConfigLoad } from '../config/prepare.ts';
import type { RiposteConfig } from '../config/types.ts';
import { compileBindings, decide, type DecideContext } from '../decide/index.ts';
import type { Refusal } from '../decide/types.ts';
import { toAlert } from '../engine/alert.ts';
import { alertLine } from '../engine/alert-json.ts';
import { AnalysisSession, type Processed, type Ruleset } from '../engine/engine.ts';
import { FtsQueueFile } from '../engine/fts-queue.ts';
import { ArLogAppender } from '../execute/index.ts';
import { findTool, isExecutableFile, useToolRunner } from '../programs/_exec.ts';
import { nfsetChannel, nftInteractiveChannel, useBlockChannel } from '../programs/_fw-nft.ts';
import { Spawner } from '../programs/_spawner.ts';
import { RevertScheduler } from '../schedule/index.ts';
import { ensureDataDir, openDataDirStore, type Store } from '../store/index.ts';
import { AlertFile } from './alert-file.ts';
import { AllowlistWatch } from './allowlist-watch.ts';
import { ALERTS_OUTPUT, BatchOutput, type BatchDecision } from './batch-output.ts';
import { lockDataDir, type DataDirLock } from './lock.ts';
import { BUNDLED_RESPONSES, NFSET_HELPER_PATH, RIPOSTE_HOME } from './home.ts';
import { Responder } from './responder.ts';

export interface StartOptions {
  readonly configFile: string;
  readonly dataDir: string;
  /** Use this ruleset directory instead of the configuration's `<ruleset>`. */
  readonly rulesetDir?: string;
  /** Extra response directories searched after the bundled one (e.g. a Wazuh active-response/bin). */
  readonly responseDirs?: readonly string[];
  /** Read files without a checkpoint from their start (default: their end, like logcollector). */
  readonly fromStart?: boolean;
  readonly pollMs?: number;
  /** Clock, seconds since the epoch. */
  readonly now?: () => number;
  readonly log?: (msg: string) => void;
  /** How long audit entries are kept (see docs/store.md). @default 90 days */
  readonly auditRetentionSec?: number;
  /** Wait between retries of a batch whose output failed (disk full). @default 1000 */
  readonly outputRetryMs?: number;
}

/** The documented audit retention: entries and aggregated refusals older than this are pruned. */
export const DEFAULT_AUDIT_RETENTION_SEC = 90 * 86_400;
/** How often a running daemon prunes the audit. */
const PRUNE_EVERY_MS = 86_400_000;

export interface DaemonStats {
  lines: number;
  alerts: number;
  decisions: number;
  refusals: number;
}

export class Daemon {
  readonly stats: DaemonStats = { lines: 0, alerts: 0, decisions: 0, refusals: 0 };
  readonly #store: Store;
  readonly #scheduler: RevertScheduler;
  readonly #collector: LogCollector;
  readonly #alerts: AlertFile;
  readonly #output: BatchOutput;
  readonly #running: Promise<void>;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #children: Children;
  readonly #lock: DataDirLock;
  readonly #pruneTimer: NodeJS.Timeout;
  #allowlistWatch: AllowlistWatch | null = null;

  private constructor(p: {
    store: Store; scheduler: RevertScheduler; collector: LogCollector; alerts: AlertFile; output: BatchOutput;
    running: Promise<void>; children: Children; lock: DataDirLock; pruneTimer: NodeJS.Timeout;
  }) {
    this.#store = p.store;
    this.#scheduler = p.scheduler;
    this.#collector = p.collector;
    this.#alerts = p.alerts;
    this.#output = p.output;
    this.#running = p.running;
    this.#children = p.children;
    this.#lock = p.lock;
    this.#pruneTimer = p.pruneTimer;
  }

  /** Load everything, reconcile the store with reality, then start following the logs. */
  static async start(opts: StartOptions): Promise<Daemon> {
    const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    const log = opts.log ?? ((m: string) => process.stderr.write(`riposte: ${m}\n`));
    // The configuration and every program it names are checked first; the ruleset, the checks
    // against it and the report of every error and warning come after the children started.
    const load = await ConfigLoad.begin({
      configFile: opts.configFile, home: RIPOSTE_HOME, responseDirs: [BUNDLED_RESPONSES, ...(opts.responseDirs ?? [])], collects: true,
      ...(opts.rulesetDir ? { rulesetDir: opts.rulesetDir } : {}),
    });
    // One daemon per data directory, checked before anything starts: two would write every
    // alert twice and count offences apart.
    ensureDataDir(opts.dataDir);
    const lock = lockDataDir(opts.dataDir);
    // Children are started before the ruleset loads, while this process is small (see
    // programs/_spawner.ts): tools run through a helper, blocks through one long-lived nft.
    let children: Children | null = null;
    let sources: SourcePlan | null = null;
    try {
      children = startChildren();
      // Also before the ruleset loads: journalctl, for the journald <localfile> (collect/sources.ts).
      sources = planSources(load.config?.localfiles ?? [], { log });
      const { config, ruleset } = load.finish(log);
      return await Daemon.#start(opts, config, ruleset, now, log, children, sources, lock);
    } catch (e) {
      sources?.close();
      children?.close();
      lock.release();
      throw e;
    }
  }

  static async #start(
    opts: StartOptions, config: RiposteConfig, ruleset: Ruleset, now: () => number, log: (msg: string) => void, children: Children,
    sources: SourcePlan, lock: DataDirLock,
  ): Promise<Daemon> {
    const store = openDataDirStore(opts.dataDir);
    let alerts: AlertFile | null = null;
    try {
      alerts = AlertFile.open(join(opts.dataDir, 'alerts.json'), store.getOutputMark(ALERTS_OUTPUT));
      if (alerts.cutBytes > 0) log(`alerts.json: removed ${alerts.cutBytes} bytes written after the last checkpoint (their log lines are read again)`);
      return await Daemon.#run(opts, config, ruleset, now, log, children, sources, lock, store, alerts);
    } catch (e) {
      alerts?.close();
      store.close();
      throw e;
    }
  }

  static async #run(
    opts: StartOptions, config: RiposteConfig, ruleset: Ruleset, now: () => number, log: (msg: string) => void, children: Children,
    sources: SourcePlan, lock: DataDirLock, store: Store, alerts: AlertFile,
  ): Promise<Daemon> {
    const retentionSec = opts.auditRetentionSec ?? DEFAULT_AUDIT_RETENTION_SEC;
    const prune = (): void => {
      try {
        const removed = store.pruneAudit(retentionSec);
        if (removed > 0) log(`audit: removed ${removed} entries older than ${Math.round(retentionSec / 86_400)} days (retention)`);
      } catch (e) {
        log(`audit retention: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    prune();
    const arLog = new ArLogAppender(join(opts.dataDir, 'active-responses.log'));
    const manager = hostname();
    const responder = new Responder({
      store,
      commands: config.commands,
      responseDirs: [BUNDLED_RESPONSES, ...(opts.responseDirs ?? [])],
      bundledDir: BUNDLED_RESPONSES,
      arLog,
      agentName: manager,
      now,
    });
    // Many reverts in flight, so that the block channel takes a burst's due deletes together (each
    // command's own queue still caps its child programs).
    const scheduler = new RevertScheduler({ store, revert: (d) => responder.revert(d), now, concurrency: 2048, onError: (e) => log(`revert scheduler: ${String(e)}`) });
    await scheduler.start();

    const state = store.loadDecideState(now());
    // `riposte allowlist add|remove` takes effect at once: reloaded on change, lifting what it covers.
    const watch = new AllowlistWatch({ store, config, revert: (d) => responder.revert(d), state, log, onStoreChange: () => scheduler.changed() }).start();
    const ctx: DecideContext = {
      bindings: compileBindings(config.activeResponses),
      commands: config.commands,
      allowlist: (t) => watch.check(t),
      state,
      now,
    };
    // First-time-seen keys survive restarts, as analysisd's queue/fts/fts-queue does.
    const fts = FtsQueueFile.open(join(opts.dataDir, 'fts-queue'), log);
    const session = new AnalysisSession(ruleset, now, {
      ignoreMode: 'live', logAlertLevel: config.logAlertLevel, fts, ...(config.memorySize !== undefined ? { memorySize: config.memorySize } : {}),
    });
    let batchStart = now();
    let daemon: Daemon | null = null;
    // enforce() records the decision synchronously, before its first await: desired state is
    // durable before anything runs. A recording that fails (disk full) is retried by the output
    // path before the batch's checkpoint may pass it.
    const enforce = (d: BatchDecision): void => {
      const run = responder.enforce(d.decision, d.alert, d.description).then(
        () => scheduler.changed(),
        // Said once: while the output is stalled the retries fail the same way, and say so there.
        (e: unknown) => (output.stalled ? undefined : log(`response "${d.decision.response}" for "${d.decision.target.value}": ${e instanceof Error ? e.message : String(e)}`)),
      );
      daemon?.track(run);
    };
    const output = new BatchOutput({ store, alerts, enforce, changed: () => scheduler.changed(), log, now, ...(opts.outputRetryMs !== undefined ? { retryMs: opts.outputRetryMs } : {}) });
    // A batch's decisions are recorded in ONE transaction (Responder.enforceBatch), committed
    // before any of their runs starts. Returns false when that failed (disk full): then the output
    // path records and runs each of them (enforce, above) before the batch's checkpoint may pass it.
    const enforceAll = (items: readonly BatchDecision[]): boolean => {
      if (items.length === 0) return true;
      let runs: Array<Promise<unknown>>;
      try {
        runs = responder.enforceBatch(items.map((d) => ({ decision: d.decision, alert: d.alert, ruleDescription: d.description })));
      } catch (e) {
        if (!output.stalled) log(`recording ${items.length} decision(s) failed: ${e instanceof Error ? e.message : String(e)}`);
        return false;
      }
      for (const run of runs) daemon?.track(run.then(() => scheduler.changed()));
      scheduler.changed();
      return true;
    };
    // Offence histories already saved: decide replaces an offender's object when it changes, and
    // `last` is in whole seconds, so `last >= since` alone would save a whole second's offenders
    // again with every batch of a burst.
    const savedOffences = new WeakSet<object>();
    const collector = new LogCollector(
      sources.specs,
      {
        // Batch checkpoints are committed by the output path, in one transaction with the output
        // they cover (BatchOutput); the acknowledgement that follows writes the same value again,
        // unless the output gave up on a batch at shutdown (then nothing may pass it). The
        // tailer's own put is where a file without checkpoint starts.
        store: { get: (s) => store.getCheckpoint(s), put: (s, cp) => (output.abandoned ? undefined : store.putCheckpoint(s, cp)) },
        fromStart: opts.fromStart ?? false,
        ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
        log: (n) => log(`${n.source}: ${n.message}`),
      },
    );
    let seq = 0;
    const running = collector.run((batch) => {
      watch.refresh();
      // Decisions first: each is recorded and its program started (as far as it goes without
      // waiting for I/O) before anything else is written; alerts.json, the offence counters and
      // the checkpoint follow on the next turn, and the collector reads on only once they are
      // written (backpressure: the backlog stays in the log file).
      const alerted: Array<{ p: Processed; id: string; at: number }> = [];
      const decisions: BatchDecision[] = [];
      const refusals: Refusal[] = [];
      for (const line of batch.lines) {
        const p = session.process(batch.source, line);
        if (daemon) daemon.stats.lines++;
        const id = `${p.event.time}.${seq + 1}`;
        const alert = toAlert(p, ++seq);
        if (alert) {
          if (daemon) daemon.stats.alerts++;
          const description = binToUtf8(p.outcome.description);
          for (const o of decide(alert, ctx)) {
            if (o.kind === 'refusal') {
              if (daemon) daemon.stats.refusals++;
              refusals.push(o);
              continue;
            }
            if (daemon) daemon.stats.decisions++;
            decisions.push({ decision: o, alert, description });
          }
        }
        // Built later from this event's own objects (the outcome holds its firedtimes snapshot).
        if (p.outcome.alert) alerted.push({ p, id, at: Date.now() });
      }
      // Recorded in one transaction, then dispatched, before anything else of the batch is
      // written; the output's commit (next turn) is also the turn that lets the block channel's
      // answers and due reverts in between two batches of a backlog. Once recorded, the output
      // path need not look each decision up again.
      const recorded = enforceAll(decisions);
      const since = batchStart;
      batchStart = now();
      const decided = decisions.length > 0 || refusals.length > 0;
      const offences = decided ? [...ctx.state.offenders].filter(([, off]) => off.last >= since && !savedOffences.has(off)) : [];
      for (const [, off] of offences) savedOffences.add(off);
      return output.commit({
        source: batch.source,
        checkpoint: batch.lines.length > 0 ? batch.checkpoint : null,
        decisions: recorded ? [] : decisions,
        refusals,
        text: () => {
          let text = '';
          for (const a of alerted) {
            const line = alertLine(a.p, { agentName: manager, managerName: manager, id: a.id }, a.at);
            if (line !== null) text += `${line}\n`;
          }
          alerted.length = 0;
          return text;
        },
        offences: () => offences,
      });
    });
    const pruneTimer = setInterval(prune, PRUNE_EVERY_MS).unref();
    daemon = new Daemon({ store, scheduler, collector, alerts, output, running, children, lock, pruneTimer });
    daemon.#allowlistWatch = watch;
    running.catch((e: unknown) => log(`log collector stopped: ${String(e)}`));
    log(`started: ${config.localfiles.length} log file(s), ${config.activeResponses.filter((a) => !a.disabled).length} active response(s)`);
    return daemon;
  }

  track(p: Promise<unknown>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** Wait until every run started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  /**
   * Stop following logs and scheduling. Active responses stay in force (desired state): they
   * are reverted on time by the next start, and firewall elements also expire in the kernel.
   * The store closes last, once no revert and no run can write to it any more.
   */
  async stop(): Promise<void> {
    clearInterval(this.#pruneTimer);
    const stopping = this.#collector.stop();
    this.#output.close();
    await stopping;
    await this.#running.catch(() => {});
    this.#output.close();
    await this.idle();
    await this.#scheduler.stop();
    await this.idle();
    await this.#allowlistWatch?.stop();
    this.#children.close();
    this.#alerts.close();
    this.#store.close();
    this.#lock.release();
  }
}

/** The daemon's long-lived children, and how to end them. */
interface Children {
  close(): void;
}

/**
 * The tool runner helper and, for the in-process firewall-drop, one long-lived block channel:
 * the netlink helper when it was built (`npm ci` builds it where a C compiler exists), else
 * `nft -i`. RIPOSTE_INPROCESS=0 turns all of it off: programs then run as children of the daemon.
 */
function startChildren(): Children {
  if (process.env['RIPOSTE_INPROCESS'] === '0') return { close: () => {} };
  const spawner = new Spawner().start();
  const before = useToolRunner(spawner);
  const nft = findTool('nft', { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' });
  const channel = nft && isExecutableFile(NFSET_HELPER_PATH) ? nfsetChannel(NFSET_HELPER_PATH) : nft ? nftInteractiveChannel(nft) : null;
  channel?.start();
  useBlockChannel(channel, nft);
  return {
    close: () => {
      useBlockChannel(null);
      useToolRunner(before);
      spawner.close();
    },
  };
}
