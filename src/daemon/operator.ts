/**
 * What the operator commands do (`riposte responses`, `riposte allowlist`, `riposte ar`), on the
 * same store and programs as the daemon. A revert claims the decision (`active → reverting`)
 * first, so the daemon's scheduler never reverts it a second time.
 * @module
 */
import { join } from 'node:path';
import { loadConfig } from '../config/load.ts';
import type { ActiveResponseConfig, RiposteConfig } from '../config/types.ts';
import { decide } from '../decide/index.ts';
import { loadAllowlist } from './allowlist.ts';
import type { AlertV1, DecideOutcome } from '../decide/types.ts';
import { ArLogAppender } from '../execute/index.ts';
import { Store, type StoredDecision } from '../store/index.ts';
import { BUNDLED_RESPONSES } from './home.ts';
import { Responder } from './responder.ts';

export interface OperatorOptions {
  readonly configFile: string;
  readonly dataDir: string;
  readonly responseDirs?: readonly string[];
  readonly now?: () => number;
}

/** Opens the store and the responder; `close()` when done. */
export class Operator {
  readonly config: RiposteConfig;
  readonly store: Store;
  readonly responder: Responder;
  readonly now: () => number;

  constructor(opts: OperatorOptions) {
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.config = loadConfig(opts.configFile);
    this.store = Store.open(join(opts.dataDir, 'riposte.db'));
    this.responder = new Responder({
      store: this.store,
      commands: this.config.commands,
      responseDirs: [BUNDLED_RESPONSES, ...(opts.responseDirs ?? [])],
      bundledDir: BUNDLED_RESPONSES,
      arLog: new ArLogAppender(join(opts.dataDir, 'active-responses.log')),
      agentName: 'riposte-cli',
      now: this.now,
    });
  }

  close(): void {
    this.store.close();
  }

  /** Revert these decisions now; returns [decisionId, ok] per decision actually claimed. */
  async revert(decisions: readonly StoredDecision[], by: string): Promise<Array<[string, boolean]>> {
    const out: Array<[string, boolean]> = [];
    for (const d of decisions) {
      if (d.state !== 'active') continue;
      try {
        this.store.transition(d.decisionId, 'active', 'reverting', { by });
      } catch {
        continue; // the daemon got there first
      }
      const ok = await this.responder.revert(d);
      if (ok) this.store.transition(d.decisionId, 'reverting', 'reverted', { by });
      out.push([d.decisionId, ok]);
    }
    return out;
  }

  /**
   * `riposte ar run`: a manual response through the same chain as an alert's (target validation,
   * allowlist, dedupe, escalation), recorded and executed; the daemon reverts it on time.
   */
  async run(command: string, target: { srcip?: string; user?: string }, timeoutSec: number): Promise<DecideOutcome[]> {
    const now = this.now();
    const response: ActiveResponseConfig = {
      name: `${command}${timeoutSec}`, disabled: false, command, location: 'local', agentId: null, level: null,
      rulesGroup: null, rulesId: [0], timeoutSec, repeatedOffendersMin: [], offenderResetSec: 0, mode: 'enforce',
      source: { file: 'cli', line: 0 },
    };
    const data: Record<string, string> = {};
    if (target.srcip !== undefined) data['srcip'] = target.srcip;
    if (target.user !== undefined) data['dstuser'] = target.user;
    const alert: AlertV1 = {
      id: `${now}.manual`, time: now, agentId: '000', rule: { id: 0, level: 15, groups: 'manual,', noAr: false },
      data, location: 'riposte-cli', fullLog: `manual ${command}`,
    };
    const outcomes = decide(alert, {
      bindings: () => [response],
      commands: this.config.commands,
      allowlist: loadAllowlist(this.config, this.store.allowlistList()),
      state: this.store.loadDecideState(now),
      now: this.now,
    });
    for (const o of outcomes) if (o.kind === 'decision') await this.responder.enforce(o, alert, `manual ${command}`);
    return outcomes;
  }
}

/** Parse "90s", "15m", "2h", "7d" (or plain seconds) to seconds; null if invalid. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] === 'm' ? 60 : m[2] === 'h' ? 3600 : m[2] === 'd' ? 86400 : 1;
  return n * unit;
}
