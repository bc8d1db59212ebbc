/**
 * The allowlist as a live thing: the running daemon sees `riposte allowlist add|remove` at once,
 * and an entry that is added lifts the active responses it covers.
 *
 * The same cheap check tells the daemon that another process recorded decisions (`ar run`,
 * `ar test`), so its revert scheduler looks at the next `until` again (`onStoreChange`), and
 * that decisions were reverted behind its back (`responses revert`), so its decide state stops
 * treating them as active: the next offence is blocked again, not refused as a duplicate.
 *
 * Why polling `PRAGMA data_version`: the operator commands are other processes writing the same
 * SQLite file; `data_version` changes exactly when another connection commits, and reading it is
 * one cheap statement, so the daemon checks it every `intervalMs` and before each decide batch
 * (`refresh()`), without a fork, a socket or a file watcher. Only when it changed is the small
 * allowlist table read and compared; only when that changed is the allowlist recompiled.
 *
 * Lifting: every active decision whose target the new allowlist refuses is claimed with the
 * store's compare-and-swap `active → reverting` (audited with the entry and its reason), then
 * reverted. The command that added the entry does the same (`liftAllowlisted`), so the lift
 * happens whether or not a daemon runs, and the compare-and-swap makes sure each decision is
 * reverted once, by whichever process claims it first.
 * @module
 */
import type { RiposteConfig } from '../config/types.ts';
import { activeKey, type AllowlistCheck } from '../decide/index.ts';
import type { DecideState } from '../decide/types.ts';
import type { Store, StoredDecision } from '../store/index.ts';
import { loadAllowlist } from './allowlist.ts';
import { BULK_CONCURRENCY, eachLimited } from './pool.ts';

/** Decisions read per store query while looking for what an allowlist change covers. */
const LIFT_CHUNK = 500;

/** Audit entries read per timer tick to keep the decide state in step with other writers. */
const SYNC_ROWS = 500;

/** One decision an allowlist entry covered, and whether its revert succeeded. */
export interface Lifted {
  readonly decision: StoredDecision;
  readonly entry: string;
  readonly reason: string;
  /** true: reverted; false: the revert failed (the decision stays `reverting`, retried at the next start). */
  readonly ok: boolean;
}

/**
 * Revert every active decision the allowlist refuses. Decisions claimed by another process first
 * are skipped (not in the result).
 * @param by who lifts, for the audit trail (`daemon`, `cli:alice`)
 * @param revert runs the decision's delete (the Responder's `revert`)
 * @returns the decisions this call claimed, with their outcome
 * @example await liftAllowlisted(store, check, (d) => responder.revert(d), 'cli:alice')
 */
export async function liftAllowlisted(store: Store, check: AllowlistCheck, revert: (d: StoredDecision) => Promise<boolean>, by: string): Promise<Lifted[]> {
  const out: Lifted[] = [];
  let after = '';
  for (;;) {
    const page = store.decisionsAfter('active', after, LIFT_CHUNK);
    if (page.length === 0) break;
    after = (page[page.length - 1] as StoredDecision).decisionId;
    // Each claimed only when a worker is free to revert it (few claims left behind by a crash).
    await eachLimited(page, BULK_CONCURRENCY, async (d) => {
      const hit = check(d.target);
      if (!hit) return;
      const audit = { by, allowlist: hit.entry, reason: hit.reason };
      try {
        store.transition(d.decisionId, 'active', 'reverting', audit);
      } catch (err) {
        if ((err as { code?: unknown }).code === 'RIPOSTE_ERR_STORE_TRANSITION') return; // someone else claimed it
        throw err;
      }
      let ok = false;
      try {
        ok = await revert(d);
      } catch {
        ok = false;
      }
      if (ok) settleReverted(store, d.decisionId, audit);
      else store.appendAudit('revert_failed', d.decisionId, { ...audit, error: 'the revert program failed' });
      out.push({ decision: d, entry: hit.entry, reason: hit.reason, ok });
    });
    // Yield between chunks: a large walk must not hold the event loop (the block path) for long.
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

/**
 * Record a successful revert (`reverting → reverted`). Another process retrying the same claim
 * (`revert --all`, the daemon's scheduler) may have recorded it first: that is not an error.
 * @example settleReverted(store, id, { by: 'daemon' })
 */
export function settleReverted(store: Store, decisionId: string, audit: Readonly<Record<string, unknown>>): void {
  try {
    store.transition(decisionId, 'reverting', 'reverted', audit);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'RIPOSTE_ERR_STORE_TRANSITION') throw err;
  }
}

/** Options of {@link AllowlistWatch}. */
export interface AllowlistWatchOptions {
  readonly store: Store;
  readonly config: RiposteConfig;
  /** Runs a decision's delete (the daemon's Responder). */
  readonly revert: (d: StoredDecision) => Promise<boolean>;
  /**
   * The decide state whose active entries end when their decision is lifted or reverted by
   * another process (so the next offence is decided afresh, not refused as a duplicate of a
   * block that no longer exists).
   */
  readonly state?: DecideState;
  /**
   * Called whenever another process committed to the store (e.g. `ar run` / `ar test` recorded a
   * decision): the daemon re-arms its revert scheduler, so what they add is reverted on time.
   */
  readonly onStoreChange?: () => void;
  /** How often to look for a change, @default 250 */
  readonly intervalMs?: number;
  /** Compiles the allowlist from the store's entries, @default loadAllowlist(config, entries) */
  readonly load?: (entries: ReturnType<Store['allowlistList']>) => AllowlistCheck;
  readonly log?: (msg: string) => void;
}

/**
 * The daemon's current allowlist, reloaded when the store's entries change.
 * @example
 * const watch = new AllowlistWatch({ store, config, revert: (d) => responder.revert(d) }).start();
 * const ctx = { …, allowlist: (t) => watch.check(t) };
 * // before each decide batch
 * watch.refresh();
 */
export class AllowlistWatch {
  readonly #o: AllowlistWatchOptions;
  readonly #load: NonNullable<AllowlistWatchOptions['load']>;
  #check: AllowlistCheck;
  #version: number;
  #signature: string;
  #timer: ReturnType<typeof setInterval> | null = null;
  #lifting: Promise<void> = Promise.resolve();
  /** The last audit entry whose state change was looked at. */
  #auditSeen: number;
  /** Another process committed since the decide state was last synchronised. */
  #syncDue = false;

  constructor(opts: AllowlistWatchOptions) {
    this.#o = opts;
    this.#load = opts.load ?? ((entries) => loadAllowlist(opts.config, entries));
    this.#version = opts.store.dataVersion();
    this.#auditSeen = opts.store.lastAuditId();
    const entries = opts.store.allowlistList();
    this.#signature = signature(entries);
    this.#check = this.#load(entries);
  }

  /** The allowlist in force now (the decide chain's `allowlist`). */
  check(target: Parameters<AllowlistCheck>[0]): ReturnType<AllowlistCheck> {
    return this.#check(target);
  }

  /** Look every `intervalMs` from now on; `stop()` ends it. */
  start(): this {
    this.#timer ??= setInterval(() => {
      this.refresh();
      if (this.#syncDue) this.#syncActive();
    }, this.#o.intervalMs ?? 250);
    this.#timer.unref();
    return this;
  }

  /**
   * Reload the allowlist if another process changed the store's entries; cheap when nothing
   * changed (one pragma read). A reload that adds coverage lifts what it covers, in the background.
   * @returns true when the allowlist was reloaded
   */
  refresh(): boolean {
    // Never throws: it runs on the decide path and in a timer, where a throw would stop the daemon.
    try {
      return this.#refresh();
    } catch (err) {
      this.#o.log?.(`allowlist watch: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  #refresh(): boolean {
    const { store } = this.#o;
    const version = store.dataVersion();
    if (version === this.#version) return false;
    this.#version = version;
    this.#syncDue = true;
    this.#o.onStoreChange?.();
    const entries = store.allowlistList();
    const sig = signature(entries);
    if (sig === this.#signature) return false;
    this.#signature = sig;
    const check = this.#load(entries);
    this.#check = check;
    this.#o.log?.(`allowlist reloaded: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} from the store`);
    for (const i of check.ignored) this.#o.log?.(`allowlist entry ${JSON.stringify(typeof i.entry === 'string' ? i.entry : i.entry.value)} ignored: ${i.why}`);
    this.#lifting = this.#lifting.then(() => this.#lift(check));
    return true;
  }

  /** Stop looking; resolves once a lift under way has finished. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#lifting;
  }

  /**
   * End the decide state's active entries of decisions another process took out of force (a
   * manual revert, a lift). Runs from the timer, never on the decide path; reads only audit
   * entries it has not seen, at most SYNC_ROWS per tick.
   */
  #syncActive(): void {
    const { store, state } = this.#o;
    if (!state) {
      this.#syncDue = false;
      return;
    }
    try {
      const changes = store.stateChangesAfter(this.#auditSeen, SYNC_ROWS);
      for (const c of changes) {
        this.#auditSeen = c.auditId;
        forgetEnded(store, state, c.decisionId);
      }
      // A full read means there may be more: look again next tick even if nothing new commits.
      this.#syncDue = changes.length === SYNC_ROWS;
    } catch (err) {
      this.#o.log?.(`decide state sync: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async #lift(check: AllowlistCheck): Promise<void> {
    try {
      const lifted = await liftAllowlisted(this.#o.store, check, this.#o.revert, 'daemon');
      for (const l of lifted) {
        if (this.#o.state) forgetEnded(this.#o.store, this.#o.state, l.decision.decisionId);
        this.#o.log?.(`${l.ok ? 'lifted' : 'could not lift'} ${l.decision.command} on ${l.decision.target.value} (${l.decision.decisionId}): allowlisted by "${l.entry}" (${l.reason})`);
      }
    } catch (err) {
      this.#o.log?.(`allowlist lift failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** What is in force: the states `loadDecideState` counts as active. */
const IN_FORCE = new Set(['pending_approval', 'active', 'simulated']);

/**
 * If the decision is no longer in force, end its entry in `state.active`, unless another
 * decision of the same response and target still holds it (then keep the latest `until`).
 */
function forgetEnded(store: Store, state: DecideState, decisionId: string): void {
  const d = store.getDecision(decisionId);
  if (!d || IN_FORCE.has(d.state)) return;
  const key = activeKey(d.response, d.target);
  if (!state.active.has(key)) return;
  let until = -Infinity;
  for (const other of store.activeByTarget(d.target)) {
    if (other.response === d.response && IN_FORCE.has(other.state)) until = Math.max(until, other.until ?? Infinity);
  }
  if (until === -Infinity) state.active.delete(key);
  else state.active.set(key, until);
}

function signature(entries: ReturnType<Store['allowlistList']>): string {
  return JSON.stringify(entries.map((e) => [e.value, e.kind, e.reason]));
}
