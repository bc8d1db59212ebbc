/**
 * Carries out decisions: record first (desired state), then run the program's `add`; revert
 * runs its `delete`. Every run is recorded and written to `active-responses.log` as one
 * `riposte: {json}` line that the default ruleset's `riposte-ar` rules read back.
 *
 * Runs are serialised per (command, target) and each command has its own queue and concurrency
 * limit, so a program that hangs delays only its own later runs for that target, never another
 * command's (Wazuh's execd, and this file before, let one hung program hold the host's slots).
 * An action runs only while its decision is still in the state that asked for it, checked at the
 * moment it starts: an add queued behind a slow run is skipped (and recorded so) once the
 * decision was reverted meanwhile, by this process or by `riposte responses revert` in another.
 * @module
 */
import { dirname } from 'node:path';
import type { CommandConfig } from '../config/types.ts';
import type { AlertV1, DecisionV1 } from '../decide/types.ts';
import {
  ArLogAppender, buildArMessage, ExecQueue, resolveProgram, runProgram, targetKey, toAlertJson, type ArAction, type ExecOutcome,
} from '../execute/index.ts';
import { runInProcess } from '../execute/in-process.ts';
import { IN_PROCESS_PROGRAMS, type InProcessProgram } from '../programs/in-process.ts';
import type { DecisionState, ExecutionRecord, Store, StoredDecision } from '../store/index.ts';

export interface ResponderOptions {
  readonly store: Store;
  readonly commands: ReadonlyMap<string, CommandConfig>;
  /** Response directories, searched in order (Riposte's bundled programs first). */
  readonly responseDirs: readonly string[];
  /** The bundled directory: its programs also get `--timeout <s>` so the kernel can expire blocks. */
  readonly bundledDir: string;
  readonly arLog: ArLogAppender;
  /** Runs of one command (child programs) in flight at once, all targets together. @default 8 */
  readonly concurrency?: number;
  readonly agentName: string;
  readonly now: () => number;
}

type Status = 'succeeded' | 'failed' | 'timed_out' | 'refused' | 'simulated' | 'skipped' | 'expired';

function statusOf(o: ExecOutcome): Status {
  if (o.timedOut) return 'timed_out';
  if (o.error !== null || o.exitCode !== 0) return 'failed';
  return 'succeeded';
}

export class Responder {
  readonly #o: ResponderOptions;
  readonly #resolved = new Map<string, Promise<string>>();
  /** One queue per command: keyed by target inside it, so the key is (command, target). */
  readonly #queues = new Map<string, ExecQueue>();
  #executions: ExecutionRecord[] = [];
  #executionsCommitted: Promise<void> | null = null;

  constructor(opts: ResponderOptions) {
    this.#o = opts;
  }

  /** The in-process form of a command's program, or null (then it runs as a child). */
  #inProcess(command: CommandConfig | undefined): InProcessProgram | null {
    if (!command || process.env['RIPOSTE_INPROCESS'] === '0') return null;
    return IN_PROCESS_PROGRAMS.get(command.executable) ?? null;
  }

  #queueFor(commandName: string): ExecQueue {
    let q = this.#queues.get(commandName);
    if (!q) {
      const inProcess = this.#inProcess(this.#o.commands.get(commandName));
      // freshFirst: a new decision never waits behind a backlog of older ones.
      q = new ExecQueue({ concurrency: inProcess?.concurrency ?? this.#o.concurrency ?? 8, freshFirst: true });
      this.#queues.set(commandName, q);
    }
    return q;
  }

  /**
   * Whether the decision is still in `state` now; if not, the action is skipped and recorded so.
   * Read from the store, not from memory: another process (an operator's revert) may have moved it.
   */
  #stillIn(decision: DecisionV1, state: DecisionState, action: ArAction): boolean {
    const now = this.#o.store.stateOf(decision.decisionId);
    if (now === state) return true;
    this.#o.store.appendAudit(`${action}_skipped`, decision.decisionId, { expected: state, state: now });
    this.#log(decision, action, 'skipped', null, `the decision is ${now ?? 'gone'}, not ${state}`);
    return false;
  }

  /**
   * Record the decision, then (unless simulated) run its program's `add`, serialised per target.
   * Resolves when the run is over; never rejects for a failed program (the failure is recorded).
   */
  async enforce(decision: DecisionV1, alert: AlertV1, ruleDescription: string): Promise<Status> {
    if (!this.#o.store.recordDecision(decision, alert)) return 'refused';
    return this.#dispatch(decision, alert, ruleDescription);
  }

  /**
   * {@link enforce} for every decision of a batch of log lines: all are recorded in ONE
   * transaction, committed before this returns (desired state first, as for one), then their runs
   * are queued. A burst then costs a commit per batch, not one per decision.
   * @returns one promise per item, in order, as `enforce` returns
   */
  enforceBatch(items: ReadonlyArray<{ readonly decision: DecisionV1; readonly alert: AlertV1; readonly ruleDescription: string }>): Array<Promise<Status>> {
    if (items.length === 0) return [];
    const recorded = this.#o.store.recordDecisions(items);
    return items.map((it, k) => (recorded[k] ? this.#dispatch(it.decision, it.alert, it.ruleDescription) : Promise.resolve('refused' as const)));
  }

  /** Queue the add of a recorded decision. */
  #dispatch(decision: DecisionV1, alert: AlertV1, ruleDescription: string): Promise<Status> {
    const { store } = this.#o;
    if (decision.simulated) {
      this.#log(decision, 'add', 'simulated', null);
      return Promise.resolve('simulated');
    }
    return this.#queueFor(decision.command).run(targetKey(decision.target), async () => {
      if (!this.#stillIn(decision, 'active', 'add')) return 'skipped';
      // The kernel gets the time left until `until`, not the full timeout: a late add must not
      // outlive its decision; one whose time has passed is not run at all.
      let leftSec: number | null = null;
      if (decision.until !== null && decision.timeoutSec > 0) {
        leftSec = Math.ceil(decision.until - this.#o.now());
        if (leftSec <= 0) {
          try {
            store.transition(decision.decisionId, 'active', 'expired', { reason: 'its time passed before the add could run' });
          } catch {
            // Moved on meanwhile: keep that state.
          }
          this.#log(decision, 'add', 'expired', null, 'its time passed before the add could run');
          return 'expired';
        }
      }
      const outcome = await this.#run(decision, alert, 'add', ruleDescription, leftSec);
      const status = outcome ? statusOf(outcome) : 'refused';
      if (status !== 'succeeded') {
        try {
          store.transition(decision.decisionId, 'active', 'failed', { status });
        } catch {
          // Already moved on (e.g. reverted by hand meanwhile): keep that state.
        }
      } else if (store.stateOf(decision.decisionId) !== 'active') {
        // Reverted while the add ran (an operator's revert in another process does not wait for
        // this queue): its delete may have come first, so undo the add once more.
        await this.#run(decision, alert, 'delete', '', null);
      }
      return status;
    });
  }

  /**
   * The resolution of an in-process program, done on first use and kept: a broken install is
   * still refused, but a block does not pay for the file checks each time.
   */
  #resolveOnce(name: string): Promise<string> {
    let p = this.#resolved.get(name);
    if (!p) {
      p = resolveProgram(name, this.#o.responseDirs);
      this.#resolved.set(name, p);
      p.catch(() => this.#resolved.delete(name));
    }
    return p;
  }

  /** Undo a recorded decision (the revert scheduler's callback): true when `delete` succeeded. */
  async revert(stored: StoredDecision): Promise<boolean> {
    const alert = this.#o.store.getAlert(stored.decisionId);
    if (!alert) return false;
    const decision: DecisionV1 = { kind: 'decision', ...stored };
    return this.#queueFor(decision.command).run(targetKey(decision.target), async () => {
      // The claim (`active → reverting`) asked for this delete; if someone settled the decision
      // since, there is nothing left to undo.
      if (!this.#stillIn(decision, 'reverting', 'delete')) return false;
      const outcome = await this.#run(decision, alert, 'delete', '', null);
      return outcome !== null && statusOf(outcome) === 'succeeded';
    }, 'urgent'); // a due revert never waits behind a backlog of adds
  }

  /** @param leftSec the add's kernel timeout for a bundled program (null: none) */
  async #run(decision: DecisionV1, alert: AlertV1, action: ArAction, ruleDescription: string, leftSec: number | null): Promise<ExecOutcome | null> {
    const { commands, responseDirs, bundledDir } = this.#o;
    const command = commands.get(decision.command);
    const startedAt = this.#o.now();
    if (!command) {
      this.#log(decision, action, 'refused', null, `unknown command ${decision.command}`);
      return null;
    }
    // A bundled program registered as in-process (firewall-drop) runs inside the daemon (same code,
    // same checks, same exit codes): a block then costs one entry of a netlink transaction instead
    // of a Node start-up. RIPOSTE_INPROCESS=0 runs it as a child instead.
    const inProcess = this.#inProcess(command);
    let path: string;
    try {
      // Resolved once for the in-process program: its file is checked, never executed.
      path = inProcess !== null ? await this.#resolveOnce(command.executable) : await resolveProgram(command.executable, responseDirs);
    } catch (err) {
      this.#log(decision, action, 'refused', null, err instanceof Error ? err.message : String(err));
      return null;
    }
    const bundled = dirname(path) === bundledDir;
    const extra = bundled && action === 'add' && leftSec !== null ? { ...command, extraArgs: [...command.extraArgs, '--timeout', String(leftSec)] } : command;
    const direct = inProcess !== null && bundled;
    // The bundled firewall-drop reads nothing of the alert but the target, which buildArMessage
    // puts in: in-process it gets only that (building and copying the whole alert was ~0.2 ms of
    // a block's path on a cold core).
    const alertJson = direct ? {} : toAlertJson(alert, { agentName: this.#o.agentName, ruleDescription });
    const message = buildArMessage(decision, alertJson, extra, action);
    const opts = { message, timeoutMs: command.runTimeoutSec * 1000, onKeys: () => 'continue' as const };
    const outcome = direct ? await runInProcess(inProcess.main, opts) : await runProgram(path, opts);
    this.#log(decision, action, statusOf(outcome), outcome);
    await this.#recordExecution({
      decisionId: decision.decisionId,
      action,
      startedAt,
      durationMs: outcome.durationMs,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      timedOut: outcome.timedOut,
      stderrExcerpt: outcome.stderrExcerpt,
      answer: outcome.answer,
    });
    return outcome;
  }

  /**
   * Record a run; the runs that end in the same turn (a block channel answers a whole group at
   * once) are committed together, one transaction on the next turn. Resolves once committed, so
   * a run's caller still sees its record.
   */
  #recordExecution(e: ExecutionRecord): Promise<void> {
    this.#executions.push(e);
    this.#executionsCommitted ??= new Promise<void>((resolve) => {
      setImmediate(() => {
        const batch = this.#executions;
        this.#executions = [];
        this.#executionsCommitted = null;
        try {
          this.#o.store.transaction(() => {
            for (const x of batch) {
              try {
                this.#o.store.recordExecution(x);
              } catch {
                // Its decision is gone (pruned): nothing to attach the run to.
              }
            }
          });
        } catch (err) {
          // The store itself failed (e.g. busy past its timeout): the runs are in the log file.
          process.stderr.write(`riposte: could not record ${batch.length} run(s): ${err instanceof Error ? err.message : String(err)}\n`);
        } finally {
          resolve();
        }
      });
    });
    return this.#executionsCommitted;
  }

  #log(d: DecisionV1, action: ArAction, status: Status, o: ExecOutcome | null, reason?: string): void {
    const target = d.target.kind === 'ip' ? { srcip: d.target.value } : { dstuser: d.target.value };
    const line = {
      version: 1,
      decision: d.decisionId,
      command: action,
      program: d.command,
      status,
      ...target,
      rule_id: String(d.ruleId),
      ...(o ? { exit_code: o.exitCode ?? -1, duration_ms: Math.round(o.durationMs) } : {}),
      ...(reason ? { reason } : {}),
    };
    this.#o.arLog.append('riposte', JSON.stringify(line)).catch((e: unknown) => {
      process.stderr.write(`riposte: could not write to ${this.#o.arLog.file}: ${e instanceof Error ? e.message : String(e)}\n`);
    });
  }
}
