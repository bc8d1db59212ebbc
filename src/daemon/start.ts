/**
 * `riposte start`: the single-host product — a manager and a local agent in one process.
 * collect (tail) → analyse → alerts.json → decide → record → execute, and one scheduler that
 * reverts what is due, reconciled with the store at every start.
 * @module
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { binToUtf8 } from '../bytes.ts';
import { LogCollector } from '../collect/collector.ts';
import { loadConfig } from '../config/load.ts';
import type { RiposteConfig } from '../config/types.ts';
import { compileBindings, decide, type DecideContext } from '../decide/index.ts';
import { toAlert } from '../engine/alert.ts';
import { alertJson } from '../engine/alert-json.ts';
import { AnalysisSession, type Processed, type Ruleset } from '../engine/engine.ts';
import { loadRuleset, sourcesFromConfig, stockSources } from '../engine/load-ruleset.ts';
import { ArLogAppender } from '../execute/index.ts';
import { findTool, isExecutableFile, useToolRunner } from '../programs/_exec.ts';
import { nfsetChannel, nftInteractiveChannel, useBlockChannel } from '../programs/_fw-nft.ts';
import { Spawner } from '../programs/_spawner.ts';
import { RevertScheduler } from '../schedule/index.ts';
import { Store } from '../store/index.ts';
import { loadAllowlist } from './allowlist.ts';
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
}

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
  readonly #alerts: WriteStream;
  readonly #running: Promise<void>;
  readonly #pending = new Set<Promise<unknown>>();

  readonly #children: Children;
  readonly #later: AfterDispatch;

  private constructor(store: Store, scheduler: RevertScheduler, collector: LogCollector, alerts: WriteStream, running: Promise<void>, children: Children, later: AfterDispatch) {
    this.#children = children;
    this.#later = later;
    this.#store = store;
    this.#scheduler = scheduler;
    this.#collector = collector;
    this.#alerts = alerts;
    this.#running = running;
  }

  /** Load everything, reconcile the store with reality, then start following the logs. */
  static async start(opts: StartOptions): Promise<Daemon> {
    const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    const log = opts.log ?? ((m: string) => process.stderr.write(`riposte: ${m}\n`));
    const config: RiposteConfig = loadConfig(opts.configFile);
    // Children are started before the ruleset loads, while this process is small (see
    // programs/_spawner.ts): tools run through a helper, blocks through one long-lived nft.
    const children = startChildren();
    try {
      return await Daemon.#start(opts, config, now, log, children);
    } catch (e) {
      children.close();
      throw e;
    }
  }

  static async #start(opts: StartOptions, config: RiposteConfig, now: () => number, log: (msg: string) => void, children: Children): Promise<Daemon> {
    const ruleset: Ruleset = loadRuleset(
      opts.rulesetDir ? stockSources(opts.rulesetDir) : sourcesFromConfig(config.ruleset ?? emptyRuleset(), RIPOSTE_HOME),
    );
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    const store = Store.open(join(opts.dataDir, 'riposte.db'));
    const arLog = new ArLogAppender(join(opts.dataDir, 'active-responses.log'));
    const alerts = createWriteStream(join(opts.dataDir, 'alerts.json'), { flags: 'a', mode: 0o640 });
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

    const ctx: DecideContext = {
      bindings: compileBindings(config.activeResponses),
      commands: config.commands,
      allowlist: loadAllowlist(config, store.allowlistList()),
      state: store.loadDecideState(now()),
      now,
    };
    const session = new AnalysisSession(ruleset, now, { ignoreMode: 'live', logAlertLevel: config.logAlertLevel });
    let batchStart = now();
    const savedOffences = new WeakSet<object>();
    const later = new AfterDispatch((e) => log(`deferred write failed: ${e instanceof Error ? e.message : String(e)}`));
    const collector = new LogCollector(
      config.localfiles.map((l) => ({ path: l.location })),
      {
        // Acknowledged offsets are committed after this turn's runs were dispatched, not between.
        store: { get: (s) => store.getCheckpoint(s), put: (s, cp) => later.add(() => store.putCheckpoint(s, cp)) },
        fromStart: opts.fromStart ?? false,
        ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
        log: (n) => log(`${n.source}: ${n.message}`),
      },
    );
    let seq = 0;
    let daemon: Daemon | null = null;
    const running = collector.run((batch) => {
      // Decisions first: each is recorded and its program started (as far as it goes without
      // waiting for I/O) before anything else is written; alerts.json and the offence counters
      // follow once this turn's runs have been dispatched.
      const alerted: Array<{ p: Processed; id: string; at: number }> = [];
      const toEnforce: Parameters<Responder['enforceBatch']>[0][number][] = [];
      let decided = false;
      for (const line of batch.lines) {
        const p = session.process(batch.source, line);
        if (daemon) daemon.stats.lines++;
        const id = `${p.event.time}.${seq + 1}`;
        const alert = toAlert(p, ++seq);
        if (alert) {
          if (daemon) daemon.stats.alerts++;
          const description = binToUtf8(p.outcome.description);
          for (const o of decide(alert, ctx)) {
            decided = true;
            if (o.kind === 'refusal') {
              if (daemon) daemon.stats.refusals++;
              later.add(() => store.appendAudit(`refused:${o.reason}`, null, { response: o.response, rule: o.ruleId, target: o.target, detail: o.detail }));
              continue;
            }
            if (daemon) daemon.stats.decisions++;
            toEnforce.push({ decision: o, alert, ruleDescription: description });
          }
        }
        // Built later from this event's own objects (the outcome holds its firedtimes snapshot).
        if (p.outcome.alert) alerted.push({ p, id, at: Date.now() });
      }
      // enforceBatch() records the batch's decisions synchronously, in one transaction, before
      // any of their runs starts: desired state is durable before anything runs.
      for (const run of responder.enforceBatch(toEnforce)) daemon?.track(run.then(() => scheduler.changed()));
      if (toEnforce.length > 0) later.add(() => scheduler.changed());
      // After dispatching runs, the next batch waits for one turn of the event loop: a backlog of
      // lines is read without any other wait, so without it the block channel's answers (and
      // due reverts) would wait for the whole backlog to be analysed.
      const next = toEnforce.length > 0 ? new Promise<void>((r) => setImmediate(r)) : undefined;
      const since = batchStart;
      batchStart = now();
      if (alerted.length === 0 && !decided) return next;
      later.add(() => {
        let text = '';
        for (const a of alerted) {
          const json = alertJson(a.p, { agentName: manager, managerName: manager, id: a.id }, a.at);
          if (json) text += `${JSON.stringify(json)}\n`;
        }
        if (text) alerts.write(text);
        // One commit for the batch's offences, each saved once (an offence is a new object; `last`
        // is in whole seconds, so `since` alone matched the whole second's offenders every batch).
        if (decided) {
          store.transaction(() => {
            for (const [key, off] of ctx.state.offenders) {
              if (off.last >= since && !savedOffences.has(off)) {
                store.saveOffence(key, off);
                savedOffences.add(off);
              }
            }
          });
        }
      });
      return next;
    });
    daemon = new Daemon(store, scheduler, collector, alerts, running, children, later);
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
   */
  async stop(): Promise<void> {
    await this.#collector.stop();
    await this.#running.catch(() => {});
    await this.idle();
    this.#later.flush();
    this.#scheduler.stop();
    this.#children.close();
    await new Promise<void>((r) => this.#alerts.end(() => r()));
    this.#store.close();
  }
}

/**
 * Writes that must not sit between a decision and the start of its run (alerts.json lines,
 * offence counters, log checkpoints): queued during a batch, done in FIFO order on the next
 * turn of the event loop, once the runs' synchronous part (up to the nft write) is over.
 */
class AfterDispatch {
  #jobs: Array<() => void> = [];
  #immediate: NodeJS.Immediate | null = null;
  readonly #onError: (e: unknown) => void;

  constructor(onError: (e: unknown) => void) {
    this.#onError = onError;
  }

  add(job: () => void): void {
    this.#jobs.push(job);
    this.#immediate ??= setImmediate(() => this.flush());
  }

  /** Run what is queued now (also at shutdown, before the files close). */
  flush(): void {
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#immediate = null;
    const jobs = this.#jobs;
    this.#jobs = [];
    for (const j of jobs) {
      try {
        j();
      } catch (e) {
        this.#onError(e);
      }
    }
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

function emptyRuleset(): NonNullable<RiposteConfig['ruleset']> {
  return { decoderDirs: [], ruleDirs: [], decoderFiles: [], ruleFiles: [], lists: [], ruleExclude: [], decoderExclude: [] };
}
