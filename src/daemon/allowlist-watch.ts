/**
 * The allowlist as a live thing: the running daemon sees `riposte allowlist add|remove` at once,
 * and an entry that is added lifts the active responses it covers.
 *
 * The same cheap check tells the daemon that another process recorded decisions (`ar run`,
 * `ar test`), so its revert scheduler looks at the next `until` again (`onStoreChange`).
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
  /** The decide state whose active entries a lift ends (so a later block is decided afresh). */
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

  constructor(opts: AllowlistWatchOptions) {
    this.#o = opts;
    this.#load = opts.load ?? ((entries) => loadAllowlist(opts.config, entries));
    this.#version = opts.store.dataVersion();
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
    this.#timer ??= setInterval(() => this.refresh(), this.#o.intervalMs ?? 250);
    this.#timer.unref();
    return this;
  }

  /**
   * Reload the allowlist if another process changed the store's entries; cheap when nothing
   * changed (one pragma read). A reload that adds coverage lifts what it covers, in the background.
   * @returns true when the allowlist was reloaded
   */
  refresh(): boolean {
    const { store } = this.#o;
    let version: number;
    try {
      version = store.dataVersion();
    } catch (err) {
      this.#o.log?.(`allowlist watch: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
    if (version === this.#version) return false;
    this.#version = version;
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

  async #lift(check: AllowlistCheck): Promise<void> {
    try {
      const lifted = await liftAllowlisted(this.#o.store, check, this.#o.revert, 'daemon');
      for (const l of lifted) {
        this.#o.state?.active.delete(activeKey(l.decision.response, l.decision.target));
        this.#o.log?.(`${l.ok ? 'lifted' : 'could not lift'} ${l.decision.command} on ${l.decision.target.value} (${l.decision.decisionId}): allowlisted by "${l.entry}" (${l.reason})`);
      }
    } catch (err) {
      this.#o.log?.(`allowlist lift failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function signature(entries: ReturnType<Store['allowlistList']>): string {
  return JSON.stringify(entries.map((e) => [e.value, e.kind, e.reason]));
}
