/**
 * `riposte store check|recover`: what to do when `riposte.db` is damaged. While the store cannot
 * be read, nothing reverts the blocks it recorded; recovery gets the host back to a state Riposte
 * owns again:
 * 1. take the data directory's lock (never while a daemon runs on it);
 * 2. read whatever the damaged file still yields, table by table (allowlist, offenders, decisions
 *    in force, checkpoints with the alerts.json mark they belong to);
 * 3. move the file (and its -wal/-shm) aside as `riposte.db.corrupt-<ISO time>`, never delete it;
 * 4. create a new store holding what was salvaged (blocks in force keep their `until`, so the
 *    next start reverts them on time) and an audit entry of the recovery;
 * 5. lift every address in Riposte's own nftables sets that no salvaged decision accounts for:
 *    its record is lost, so nothing would revert it.
 * Blocks made by other programs (host-deny, route-null, disable-account) are reported, not
 * undone: their state is outside what Riposte owns.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AlertV1, DecisionV1 } from '../decide/types.ts';
import { NFT_SETS, NFT_TABLE_NAME } from '../programs/_fw-nft.ts';
import { findTool } from '../programs/_exec.ts';
import { ALERTS_OUTPUT } from './batch-output.ts';
import { lockDataDir } from './lock.ts';
import { Store, STORE_FILE } from '../store/index.ts';

/** What `check` found. */
export interface StoreCheck {
  readonly file: string;
  readonly exists: boolean;
  /** Empty when the file is sound. */
  readonly problems: readonly string[];
  /** Decisions in force, when they could be read. */
  readonly active: number | null;
}

/**
 * Check the store of a data directory without changing it.
 * @example const c = checkStore('/var/lib/riposte'); if (c.problems.length) …
 */
export function checkStore(dataDir: string): StoreCheck {
  const file = join(dataDir, STORE_FILE);
  if (!existsSync(file)) return { file, exists: false, problems: [], active: null };
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    let active: number | null = null;
    try {
      active = db.prepare("SELECT count(*) FROM decisions WHERE state IN ('pending_approval', 'active', 'reverting')").pluck().get() as number;
    } catch (e) {
      problems.push(`decisions cannot be read: ${message(e)}`);
    }
    return { file, exists: true, problems, active };
  } catch (e) {
    return { file, exists: true, problems: [message(e)], active: null };
  } finally {
    db?.close();
  }
}

/** What `recover` did. */
export interface StoreRecovery {
  readonly file: string;
  /** Where the damaged file went. */
  readonly movedTo: string;
  readonly salvaged: { readonly allowlist: number; readonly offenders: number; readonly decisions: number; readonly checkpoints: number };
  /** Tables that could not be read. */
  readonly lost: readonly string[];
  /** Addresses lifted from Riposte's nftables sets, as `set address`. */
  readonly lifted: readonly string[];
  /** What could not be done or checked. */
  readonly notes: readonly string[];
}

interface Salvage {
  allowlist: Array<{ value: string; kind: 'ip' | 'account'; reason: string; added_by: string }>;
  offenders: Array<{ key: string; count: number; last: number }>;
  decisions: Array<{ decision: DecisionV1; alert: AlertV1; state: string }>;
  checkpoints: Array<{ source: string; inode: number; offset: number; fingerprint: string }>;
  output: { inode: number; size: number } | null;
  lost: string[];
}

/**
 * Recover the store of a data directory (see the module comment for the steps).
 * @param opts.now clock (seconds) for the file name and the audit entry
 * @throws RiposteError `RIPOSTE_ERR_DAEMON_LOCKED` while a daemon runs on the directory
 * @example const r = recoverStore('/var/lib/riposte');
 */
export function recoverStore(dataDir: string, opts: { readonly now?: () => number } = {}): StoreRecovery {
  const now = opts.now ?? (() => Date.now() / 1000);
  const file = join(dataDir, STORE_FILE);
  const lock = lockDataDir(dataDir);
  try {
    const salvage = salvageFrom(file);
    const stamp = new Date(now() * 1000).toISOString().replace(/[:.]/g, '-');
    const movedTo = `${file}.corrupt-${stamp}`;
    if (existsSync(file)) renameSync(file, movedTo);
    for (const ext of ['-wal', '-shm']) if (existsSync(file + ext)) renameSync(file + ext, movedTo + ext);
    const notes: string[] = [];
    const store = Store.open(file, { now });
    let decisions = 0;
    try {
      for (const a of salvage.allowlist) {
        try {
          store.allowlistAdd({ value: a.value, kind: a.kind, reason: a.reason, addedBy: a.added_by });
        } catch (e) {
          notes.push(`allowlist entry "${a.value}" not kept: ${message(e)}`);
        }
      }
      for (const o of salvage.offenders) store.saveOffence(o.key, { count: o.count, last: o.last });
      for (const d of salvage.decisions) {
        if (store.recordDecision(d.decision, d.alert, d.state === 'pending_approval' ? 'pending_approval' : 'active')) decisions++;
      }
      // Checkpoints only with the alerts.json mark they were committed with: either both or neither.
      if (salvage.output) {
        store.commitBatch({ output: { name: ALERTS_OUTPUT, mark: salvage.output } });
        for (const c of salvage.checkpoints) store.putCheckpoint(c.source, c);
      } else if (salvage.checkpoints.length) {
        notes.push('log checkpoints not kept (their alerts.json mark is lost): the next start reads the logs from their end');
      }
      const kept = new Set(salvage.decisions.filter((d) => d.decision.target.kind === 'ip').map((d) => d.decision.target.value));
      const lifted = liftUnaccounted(kept, notes);
      const result: StoreRecovery = {
        file,
        movedTo,
        salvaged: { allowlist: salvage.allowlist.length, offenders: salvage.offenders.length, decisions, checkpoints: salvage.output ? salvage.checkpoints.length : 0 },
        lost: salvage.lost,
        lifted,
        notes: [...notes, 'entries made by host-deny, route-null, disable-account or custom programs before the damage are not checked: review them by hand'],
      };
      store.appendAudit('store_recovered', null, { movedTo, salvaged: result.salvaged, lost: result.lost, lifted });
      return result;
    } finally {
      store.close();
    }
  } finally {
    lock.release();
  }
}

/** Read each table on its own: a damaged page loses that table, not the others. */
function salvageFrom(file: string): Salvage {
  const s: Salvage = { allowlist: [], offenders: [], decisions: [], checkpoints: [], output: null, lost: [] };
  if (!existsSync(file)) return s;
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('user_version');
  } catch {
    s.lost.push('all tables (the file is not a readable database)');
    return s;
  }
  const read = <T>(table: string, sql: string): T[] => {
    try {
      return db.prepare(sql).all() as T[];
    } catch {
      s.lost.push(table);
      return [];
    }
  };
  try {
    s.allowlist = read('allowlist', 'SELECT value, kind, reason, added_by FROM allowlist');
    s.offenders = read('offenders', 'SELECT key, count, last FROM offenders');
    const rows = read<Record<string, unknown>>('decisions', "SELECT * FROM decisions WHERE state IN ('pending_approval', 'active', 'reverting')");
    for (const r of rows) {
      try {
        s.decisions.push({
          decision: {
            kind: 'decision', decisionId: String(r['decision_id']), response: String(r['response']), command: String(r['command']),
            target: { kind: r['target_kind'] === 'user' ? 'user' : 'ip', value: String(r['target']) }, alertId: String(r['alert_id']),
            ruleId: Number(r['rule_id']), decidedAt: Number(r['decided_at']), timeoutSec: Number(r['timeout_sec']),
            until: r['until'] === null ? null : Number(r['until']), offence: Number(r['offence']), escalated: r['escalated'] === 1,
            simulated: false, mode: 'enforce',
          },
          alert: JSON.parse(String(r['alert_json'])) as AlertV1,
          state: String(r['state']),
        });
      } catch {
        s.lost.push(`decision "${String(r['decision_id'])}"`);
      }
    }
    s.checkpoints = read('checkpoints', 'SELECT source, inode, offset, fingerprint FROM checkpoints');
    const out = read<{ inode: number; size: number }>('outputs', `SELECT inode, size FROM outputs WHERE name = '${ALERTS_OUTPUT}'`);
    s.output = out[0] ?? null;
  } finally {
    db.close();
  }
  return s;
}

/** Delete the elements of Riposte's nft sets that no kept decision accounts for. */
function liftUnaccounted(kept: ReadonlySet<string>, notes: string[]): string[] {
  const nft = findTool('nft', { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' });
  if (!nft) {
    notes.push('nft is not installed: no Riposte firewall sets to check');
    return [];
  }
  const lifted: string[] = [];
  for (const set of Object.values(NFT_SETS)) {
    let elements: string[];
    try {
      const out = JSON.parse(execFileSync(nft, ['-j', 'list', 'set', 'inet', NFT_TABLE_NAME, set], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as {
        nftables: Array<{ set?: { elem?: unknown[] } }>;
      };
      elements = (out.nftables.find((o) => o.set)?.set?.elem ?? []).map(elementAddress).filter((a): a is string => a !== null);
    } catch {
      notes.push(`no nft set "inet ${NFT_TABLE_NAME} ${set}" on this host`);
      continue;
    }
    for (const address of elements) {
      if (kept.has(address)) continue;
      try {
        execFileSync(nft, ['delete', 'element', 'inet', NFT_TABLE_NAME, set, `{ ${address} }`], { stdio: ['ignore', 'ignore', 'pipe'] });
        lifted.push(`${set} ${address}`);
      } catch (e) {
        notes.push(`could not lift ${address} from "inet ${NFT_TABLE_NAME} ${set}": ${message(e)}`);
      }
    }
  }
  return lifted;
}

/** An nft JSON set element: a plain address, or `{ elem: { val, timeout, expires } }`. */
function elementAddress(e: unknown): string | null {
  const val = typeof e === 'string' ? e : (e as { elem?: { val?: unknown } } | null)?.elem?.val;
  // Only a numeric address goes back to nft (it would resolve a name).
  return typeof val === 'string' && isIP(val) !== 0 ? val : null;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
