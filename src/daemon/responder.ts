/**
 * Carries out decisions: record first (desired state), then run the program's `add`; revert
 * runs its `delete`. Every run is recorded and written to `active-responses.log` as one
 * `riposte: {json}` line that the default ruleset's `riposte-ar` rules read back.
 * @module
 */
import { dirname } from 'node:path';
import type { CommandConfig } from '../config/types.ts';
import type { AlertV1, DecisionV1 } from '../decide/types.ts';
import {
  ArLogAppender, buildArMessage, ExecQueue, resolveProgram, runProgram, targetKey, toAlertJson, type ArAction, type ExecOutcome,
} from '../execute/index.ts';
import { runInProcess } from '../execute/in-process.ts';
import { runMessage as firewallDropMessage } from '../programs/firewall-drop.ts';
import type { Store, StoredDecision } from '../store/index.ts';

export interface ResponderOptions {
  readonly store: Store;
  readonly commands: ReadonlyMap<string, CommandConfig>;
  /** Response directories, searched in order (Riposte's bundled programs first). */
  readonly responseDirs: readonly string[];
  /** The bundled directory: its programs also get `--timeout <s>` so the kernel can expire blocks. */
  readonly bundledDir: string;
  readonly arLog: ArLogAppender;
  readonly queue: ExecQueue;
  readonly agentName: string;
  readonly now: () => number;
}

type Status = 'succeeded' | 'failed' | 'timed_out' | 'refused' | 'simulated';

function statusOf(o: ExecOutcome): Status {
  if (o.timedOut) return 'timed_out';
  if (o.error !== null || o.exitCode !== 0) return 'failed';
  return 'succeeded';
}

export class Responder {
  readonly #o: ResponderOptions;
  readonly #resolved = new Map<string, Promise<string>>();

  constructor(opts: ResponderOptions) {
    this.#o = opts;
  }

  /**
   * Record the decision, then (unless simulated) run its program's `add`, serialised per target.
   * Resolves when the run is over; never rejects for a failed program (the failure is recorded).
   */
  async enforce(decision: DecisionV1, alert: AlertV1, ruleDescription: string): Promise<Status> {
    const { store } = this.#o;
    if (!store.recordDecision(decision, alert)) return 'refused';
    if (decision.simulated) {
      this.#log(decision, 'add', 'simulated', null);
      return 'simulated';
    }
    return this.#o.queue.run(targetKey(decision.target), async () => {
      const outcome = await this.#run(decision, alert, 'add', ruleDescription);
      const status = outcome ? statusOf(outcome) : 'refused';
      if (status !== 'succeeded') {
        try {
          store.transition(decision.decisionId, 'active', 'failed', { status });
        } catch {
          // Already moved on (e.g. reverted by hand meanwhile): keep that state.
        }
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
    return this.#o.queue.run(targetKey(decision.target), async () => {
      const outcome = await this.#run(decision, alert, 'delete', '');
      return outcome !== null && statusOf(outcome) === 'succeeded';
    });
  }

  async #run(decision: DecisionV1, alert: AlertV1, action: ArAction, ruleDescription: string): Promise<ExecOutcome | null> {
    const { store, commands, responseDirs, bundledDir } = this.#o;
    const command = commands.get(decision.command);
    const startedAt = this.#o.now();
    if (!command) {
      this.#log(decision, action, 'refused', null, `unknown command ${decision.command}`);
      return null;
    }
    // The bundled firewall-drop runs in-process (same code, same checks, same exit codes): a
    // block then costs one nft transaction instead of a Node start-up. RIPOSTE_INPROCESS=0 runs
    // it as a child instead.
    const inProcess = command.executable === 'firewall-drop' && process.env['RIPOSTE_INPROCESS'] !== '0';
    let path: string;
    try {
      // Resolved once for the in-process program: its file is checked, never executed.
      path = inProcess ? await this.#resolveOnce(command.executable) : await resolveProgram(command.executable, responseDirs);
    } catch (err) {
      this.#log(decision, action, 'refused', null, err instanceof Error ? err.message : String(err));
      return null;
    }
    const bundled = dirname(path) === bundledDir;
    const extra = bundled && action === 'add' && decision.timeoutSec > 0 ? { ...command, extraArgs: [...command.extraArgs, '--timeout', String(decision.timeoutSec)] } : command;
    const direct = inProcess && bundled;
    // The bundled firewall-drop reads nothing of the alert but the target, which buildArMessage
    // puts in: in-process it gets only that (building and copying the whole alert was ~0.2 ms of
    // a block's path on a cold core).
    const alertJson = direct ? {} : toAlertJson(alert, { agentName: this.#o.agentName, ruleDescription });
    const message = buildArMessage(decision, alertJson, extra, action);
    const opts = { message, timeoutMs: command.runTimeoutSec * 1000, onKeys: () => 'continue' as const };
    const outcome = direct ? await runInProcess(firewallDropMessage, opts) : await runProgram(path, opts);
    store.recordExecution({
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
    this.#log(decision, action, statusOf(outcome), outcome);
    return outcome;
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
    this.#o.arLog.append('riposte', JSON.stringify(line));
  }
}
