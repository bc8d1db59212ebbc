/**
 * What the operator commands do (`riposte responses`, `riposte allowlist`, `riposte ar`), on the
 * same store and programs as the daemon. A revert claims the decision (`active → reverting`)
 * first, so the daemon's scheduler never reverts it a second time.
 *
 * Every command that acts (`ar run`, `ar test … add`) goes through the decide chain (target
 * validation, allowlist with this host's own addresses, dedupe), is recorded before it runs, and
 * reports the program's real outcome; nothing acts on a path of its own.
 * @module
 */
import { join } from 'node:path';
import { loadConfigReported } from '../config/prepare.ts';
import type { ActiveResponseConfig, RiposteConfig } from '../config/types.ts';
import { compileAllowlist, decide } from '../decide/index.ts';
import { RiposteError } from '../errors.ts';
import { loadAllowlist } from './allowlist.ts';
import type { AlertV1, DecideOutcome } from '../decide/types.ts';
import { ArLogAppender } from '../execute/index.ts';
import { openDataDirStore, type AllowlistInput, type ExecutionRecord, type Store, type StoredDecision } from '../store/index.ts';
import { liftAllowlisted, settleReverted, type Lifted } from './allowlist-watch.ts';
import { BUNDLED_RESPONSES } from './home.ts';
import { BULK_CONCURRENCY, eachLimited } from './pool.ts';
import { Responder } from './responder.ts';

/** Longest `--timeout` accepted: the bound of `<timeout>` in ossec.conf (INT_MAX seconds). */
export const MAX_TIMEOUT_SEC = 2_147_483_647;

/** `ar test`'s default timeout: a staging check lifts itself soon, even if nobody reverts it. */
export const AR_TEST_TIMEOUT_SEC = 60;

/** Decisions claimed per chunk by a bulk revert (bounded memory, whatever is active). */
const REVERT_CHUNK = 500;

/** The outcome of the program run a decision started (`null` for a refusal). */
export type RunStatus = Awaited<ReturnType<Responder['enforce']>>;

/** What `run` did for one bound response: the decide outcome and, for a decision, its run. */
export interface RunResult {
  readonly outcome: DecideOutcome;
  /** `succeeded` only when the program's add really succeeded. Null for a refusal. */
  readonly status: RunStatus | null;
  /** The add run as recorded (exit code, stderr excerpt, check_keys answer), when one ran. */
  readonly execution: ExecutionRecord | null;
}

/** The outcome of a bulk revert (counts only: memory stays bounded however many there are). */
export interface RevertReport {
  /** Reverts this command ran that succeeded. */
  readonly reverted: number;
  /** The ids of the reverts this command ran that failed. */
  readonly failed: readonly string[];
  /** Matching decisions another process (the daemon) claimed first. */
  readonly claimedElsewhere: number;
}

interface ChunkReport {
  readonly done: Array<[string, boolean]>;
  readonly claimedElsewhere: number;
}

export interface OperatorOptions {
  readonly configFile: string;
  readonly dataDir: string;
  readonly responseDirs?: readonly string[];
  readonly now?: () => number;
  /** Where the configuration's warnings are printed (default: stderr, `riposte: warning: …`). */
  readonly log?: (msg: string) => void;
}

/** Opens the store and the responder; `close()` when done. */
export class Operator {
  readonly config: RiposteConfig;
  readonly store: Store;
  readonly responder: Responder;
  readonly now: () => number;

  constructor(opts: OperatorOptions) {
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.config = loadConfigReported(opts.configFile, opts.log ?? ((m) => process.stderr.write(`riposte: ${m}\n`)));
    // Created when missing: `allowlist add` must work before the first start (errors name the
    // path and what to do).
    this.store = openDataDirStore(opts.dataDir);
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
    return (await this.#revertChunk(decisions, by)).done;
  }

  /**
   * Revert EVERY active decision matching the filter, in chunks (no silent limit): walks the
   * store by id, so decisions recorded meanwhile are included and none is claimed twice.
   * @param onChunk called after each chunk (progress for people)
   */
  async revertAll(filter: { readonly ruleId?: number; readonly since?: number }, by: string, onChunk?: (done: ReadonlyArray<[string, boolean]>) => void): Promise<RevertReport> {
    let reverted = 0;
    const failed: string[] = [];
    let claimedElsewhere = 0;
    const tally = (chunk: ReadonlyArray<[string, boolean]>): void => {
      for (const [id, ok] of chunk) {
        if (ok) reverted++;
        else failed.push(id);
      }
      onChunk?.(chunk);
    };
    let after = '';
    for (;;) {
      const page = this.store.decisionsAfter('active', after, REVERT_CHUNK, filter);
      if (page.length === 0) break;
      after = (page[page.length - 1] as StoredDecision).decisionId;
      const r = await this.#revertChunk(page, by);
      claimedElsewhere += r.claimedElsewhere;
      tally(r.done);
    }
    // Then the ones left `reverting` by an earlier failed revert (or a crash): "all" means all.
    // Reverts are idempotent, so running one the daemon is also retrying does no harm, and the
    // compare-and-swap records it reverted once. Not those that just failed in the first walk:
    // one attempt each per command.
    const failedNow = new Set(failed);
    after = '';
    for (;;) {
      const page = this.store.decisionsAfter('reverting', after, REVERT_CHUNK, filter);
      if (page.length === 0) break;
      after = (page[page.length - 1] as StoredDecision).decisionId;
      const todo = page.filter((d) => !failedNow.has(d.decisionId));
      const r: Array<[string, boolean]> = [];
      await eachLimited(todo, BULK_CONCURRENCY, async (d) => {
        r.push([d.decisionId, await this.#retryRevert(d, by)]);
      });
      tally(r);
    }
    return { reverted, failed, claimedElsewhere };
  }

  async #retryRevert(d: StoredDecision, by: string): Promise<boolean> {
    let ok = false;
    try {
      ok = await this.responder.revert(d);
    } catch {
      ok = false;
    }
    if (!ok) {
      this.store.appendAudit('revert_failed', d.decisionId, { by, error: 'the revert program failed' });
      return false;
    }
    settleReverted(this.store, d.decisionId, { by, retried: true });
    return true;
  }

  async #revertChunk(decisions: readonly StoredDecision[], by: string): Promise<ChunkReport> {
    const done: Array<[string, boolean]> = [];
    let claimedElsewhere = 0;
    // Claimed one at a time, when a worker is free: parallel across targets (the Responder's
    // queue serialises per target), and an interrupted command leaves few claims behind.
    await eachLimited(decisions, BULK_CONCURRENCY, async (d) => {
      if (d.state !== 'active') return;
      try {
        this.store.transition(d.decisionId, 'active', 'reverting', { by });
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'RIPOSTE_ERR_STORE_TRANSITION') throw err;
        claimedElsewhere++; // the daemon got there first
        return;
      }
      let ok = false;
      try {
        ok = await this.responder.revert(d);
      } catch {
        ok = false;
      }
      if (ok) settleReverted(this.store, d.decisionId, { by });
      else this.store.appendAudit('revert_failed', d.decisionId, { by, error: 'the revert program failed' });
      done.push([d.decisionId, ok]);
    });
    return { done, claimedElsewhere };
  }

  /**
   * `riposte allowlist add`: record the entry, then lift the active responses it (or any other
   * entry) covers, audited with the entry's reason. A running daemon sees the entry within its
   * poll interval and lifts the same decisions; the store's compare-and-swap keeps each revert
   * to one process.
   */
  async allowlistAdd(entry: AllowlistInput): Promise<Lifted[]> {
    // The same compiler the daemon uses: an entry it would ignore (`/33`, `!` negation) is refused
    // here, not stored to allowlist nothing in silence.
    const ignored = compileAllowlist([{ kind: entry.kind, value: entry.value, reason: entry.reason }], new Set(), []).ignored[0];
    if (ignored) throw new RiposteError('RIPOSTE_ERR_USAGE', `Invalid allowlist entry "${entry.value}": ${ignored.why}`);
    this.store.allowlistAdd(entry);
    const check = loadAllowlist(this.config, this.store.allowlistList());
    return liftAllowlisted(this.store, check, (d) => this.responder.revert(d), entry.addedBy);
  }

  /**
   * `riposte ar run` and `ar test … add`: a manual response through the same chain as an
   * alert's (target validation, allowlist, own addresses, dedupe, escalation), recorded and
   * executed; the daemon reverts it on time. Resolves once the program's add has finished, with
   * its real outcome.
   * @throws RangeError when `timeoutSec` is not a whole number within 0…MAX_TIMEOUT_SEC
   *   (checked before anything is decided or run)
   */
  async run(command: string, target: { srcip?: string; user?: string }, timeoutSec: number, source = 'manual'): Promise<RunResult[]> {
    if (!Number.isInteger(timeoutSec) || timeoutSec < 0 || timeoutSec > MAX_TIMEOUT_SEC) {
      throw new RangeError(`Invalid timeout ${timeoutSec}: must be whole seconds from 0 to ${MAX_TIMEOUT_SEC}`);
    }
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
      id: `${now}.${source}`, time: now, agentId: '000', rule: { id: 0, level: 15, groups: `${source},`, noAr: false },
      data, location: 'riposte-cli', fullLog: `${source} ${command}`,
    };
    const outcomes = decide(alert, {
      bindings: () => [response],
      commands: this.config.commands,
      allowlist: loadAllowlist(this.config, this.store.allowlistList()),
      state: this.store.loadDecideState(now),
      now: this.now,
    });
    const results: RunResult[] = [];
    for (const o of outcomes) {
      if (o.kind !== 'decision') {
        results.push({ outcome: o, status: null, execution: null });
        continue;
      }
      const status = await this.responder.enforce(o, alert, `${source} ${command}`);
      const execution = this.store.listExecutions(o.decisionId).filter((e) => e.action === 'add').at(-1) ?? null;
      results.push({ outcome: o, status, execution });
    }
    return results;
  }
}

/**
 * Parse a `--timeout` value: whole seconds from 0 to {@link MAX_TIMEOUT_SEC}; null if invalid.
 * @example parseTimeoutSec('600') // 600; parseTimeoutSec('99999999999') // null
 */
export function parseTimeoutSec(text: string): number | null {
  if (!/^[0-9]{1,10}$/.test(text)) return null;
  const n = Number(text);
  return n <= MAX_TIMEOUT_SEC ? n : null;
}

/** Parse "90s", "15m", "2h", "7d" (or plain seconds) to seconds; null if invalid. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] === 'm' ? 60 : m[2] === 'h' ? 3600 : m[2] === 'd' ? 86400 : 1;
  return n * unit;
}
