/**
 * The nftables backend of firewall-drop: Riposte's own table `inet riposte`, whose sets `drop4`
 * and `drop6` hold the blocked addresses, each element with its own `timeout` so the KERNEL lifts
 * the block on time even when no Riposte process is left alive.
 *
 * Why an own table at priority -10 rather than rules in `filter`: it never touches the host's
 * ruleset (firewalld, Docker, iptables-nft all keep theirs), a drop in any base chain is final, and
 * -10 runs before the usual priority-0 filter chains. `forward` covers containers and routed hosts.
 * Every change is one `nft -f -` batch, which the kernel applies atomically.
 * @module
 */
import { isIP } from 'node:net';
import { LineSession, NFSET_HELPER, NFT_INTERACTIVE } from './_line-session.ts';
import { ProgramError } from './_contract.ts';
import { describeFailure, run, runOk } from './_exec.ts';
import type { IpTarget } from './_targets.ts';

/** The name of the table firewall-drop owns (family `inet`). */
export const NFT_TABLE_NAME = 'riposte';
/** The table, sets and chains firewall-drop owns. */
export const NFT_TABLE = `inet ${NFT_TABLE_NAME}`;
/** Set names by address family. */
export const NFT_SETS = { 4: 'drop4', 6: 'drop6' } as const;

/**
 * Longest element timeout nft accepts: 99,999,999 s (about 3.2 years; "value too large" above,
 * measured on nft 1.0.6). A longer block gets no kernel timeout and is lifted by Riposte alone.
 */
export const NFT_MAX_TIMEOUT_SEC = 99_999_999;

/**
 * The batch lines that create the table idempotently. The chains are flushed and their two rules
 * re-added in the same transaction, so there are never duplicates and never a moment without
 * them; the sets (and so the blocked addresses) are left alone.
 * @returns nft script lines
 */
export function nftSetupLines(): string[] {
  const lines = [
    `add table ${NFT_TABLE}`,
    `add set ${NFT_TABLE} ${NFT_SETS[4]} { type ipv4_addr; flags timeout; }`,
    `add set ${NFT_TABLE} ${NFT_SETS[6]} { type ipv6_addr; flags timeout; }`,
  ];
  for (const chain of ['input', 'forward']) {
    lines.push(
      `add chain ${NFT_TABLE} ${chain} { type filter hook ${chain} priority -10; policy accept; }`,
      `flush chain ${NFT_TABLE} ${chain}`,
      `add rule ${NFT_TABLE} ${chain} ip saddr @${NFT_SETS[4]} drop`,
      `add rule ${NFT_TABLE} ${chain} ip6 saddr @${NFT_SETS[6]} drop`,
    );
  }
  return lines;
}

function checked(t: IpTarget): string {
  // Never build a script from anything but a numeric address: nft resolves host names.
  if (isIP(t.ip) !== t.family) throw new ProgramError('RIPOSTE_ERR_AR_INPUT', `Refusing a non-numeric address ${JSON.stringify(t.ip)}`);
  return t.ip;
}

/**
 * The batch that blocks an address. The element is added, deleted and added again so that a
 * repeated add (a re-trigger, an escalated duration) always leaves exactly the new timeout: a plain
 * `add` of an existing element keeps its old expiry.
 * @param t the address
 * @param timeoutSec the kernel timeout, or null for none
 * @returns the nft script
 * @example nftAddScript({ ip: '192.0.2.1', family: 4 }, 600) // '…add element inet riposte drop4 { 192.0.2.1 timeout 600s }\n'
 */
export function nftAddScript(t: IpTarget, timeoutSec: number | null): string {
  const ip = checked(t);
  const set = `${NFT_TABLE} ${NFT_SETS[t.family]}`;
  const timeout = timeoutSec !== null && timeoutSec <= NFT_MAX_TIMEOUT_SEC ? ` timeout ${timeoutSec}s` : '';
  return `${[...nftSetupLines(), `add element ${set} { ${ip} }`, `delete element ${set} { ${ip} }`, `add element ${set} { ${ip}${timeout} }`].join('\n')}\n`;
}

/** What {@link nftAdd} did. */
export interface NftAdded {
  /** The kernel timeout applied (null: none). */
  readonly appliedSec: number | null;
  /** Tracked connections the block channel ended with it; null: not done (the caller's part). */
  readonly sessionsEnded: number | null;
}

/**
 * Block an address: through the daemon's block channel when there is one (a burst of blocks is
 * then a few transactions), else with a one-shot `nft -f -` batch that also creates the table.
 * @param nft absolute path of nft
 */
export async function nftAdd(nft: string, t: IpTarget, timeoutSec: number | null, env: NodeJS.ProcessEnv): Promise<NftAdded> {
  const appliedSec = timeoutSec !== null && timeoutSec <= NFT_MAX_TIMEOUT_SEC ? timeoutSec : null;
  const c = channel;
  if (c) {
    let r = await c.add(t, appliedSec);
    // Refused (most often: the table is not there yet, or was removed): create it once, for
    // every block waiting on the same answer, and try the channel again.
    if (r === false && (await ensureTable(nft, env))) r = await c.add(t, appliedSec);
    if (r !== false) return { appliedSec, sessionsEnded: r.sessionsEnded };
  }
  await runOk(nft, ['-f', '-'], { input: nftAddScript(t, timeoutSec), env });
  return { appliedSec, sessionsEnded: null };
}

let tableSetup: Promise<boolean> | null = null;

/** Create the table (idempotent); one run at a time, shared by everyone who asks meanwhile. */
function ensureTable(nft: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  tableSetup ??= runOk(nft, ['-f', '-'], { input: `${nftSetupLines().join('\n')}\n`, env })
    .then(() => true, () => false)
    .finally(() => {
      tableSetup = null;
    });
  return tableSetup;
}

/** The element part of {@link nftAddScript} as one line: one transaction in an `nft -i` session. */
export function nftElementLine(t: IpTarget, timeoutSec: number | null): string {
  const lines = nftAddScript(t, timeoutSec).trim().split('\n');
  return lines.slice(-3).join('; ');
}

/** A block the channel put in place. */
export interface ChannelAdded {
  /** Tracked connections of the address the channel ended; null: it does not end them. */
  readonly sessionsEnded: number | null;
}

/** A long-lived way to put a block in place without starting a process (the daemon's). */
export interface BlockChannel {
  /** Block `t` (same transaction as the batch's last three lines); false: use the batch. */
  add(t: IpTarget, timeoutSec: number | null): Promise<ChannelAdded | false>;
  /** Unblock `t` (whether or not it was blocked); false: use the one-shot delete. */
  delete(t: IpTarget): Promise<boolean>;
  start(): void;
  close(): void;
  /** Transactions (request groups) sent so far. */
  readonly groups: number;
}

/**
 * Blocks through Riposte's netlink helper (`native/riposte-nfset.c`): every request waiting when a
 * transaction starts goes into it, with one conntrack pass for its blocks; ≈0.4 ms from request
 * to answer for a lone block here.
 * @param helper absolute path of the built riposte-nfset
 * @param prefix arguments before the helper's own (tests run it as `ip netns exec NS helper`)
 */
export function nfsetChannel(helper: string, prefix: readonly string[] = []): BlockChannel {
  const s = new LineSession(helper, [...prefix, NFT_TABLE_NAME, NFT_SETS[4], NFT_SETS[6]], NFSET_HELPER);
  return {
    async add(t, timeoutSec) {
      const answer = await s.request(`add ${checked(t)} ${timeoutSec ?? 0}`);
      return answer === null ? false : { sessionsEnded: Number(answer.slice(3)) || 0 };
    },
    // An unblock is due now: it goes ahead of a backlog of blocks.
    delete: async (t) => s.run(`del ${checked(t)}`, 1000, true),
    start: () => s.start(),
    close: () => s.close(),
    get groups() {
      return s.groups;
    },
  };
}

/**
 * Blocks through a long-lived `nft -i` (where the helper is not built): ≈1.4 ms per block here.
 * @param nft absolute path of nft
 * @param prefix arguments before nft's own (tests run it as `ip netns exec NS nft`)
 */
export function nftInteractiveChannel(nft: string, prefix: readonly string[] = []): BlockChannel {
  const s = new LineSession(nft, [...prefix, '-i'], NFT_INTERACTIVE);
  return {
    add: async (t, timeoutSec) => ((await s.run(nftElementLine(t, timeoutSec))) ? { sessionsEnded: null } : false),
    // Added first so that the delete succeeds whether or not the element was there.
    delete: async (t) => s.run(`add element ${NFT_TABLE} ${NFT_SETS[t.family]} { ${checked(t)} }; delete element ${NFT_TABLE} ${NFT_SETS[t.family]} { ${checked(t)} }`),
    start: () => s.start(),
    close: () => s.close(),
    get groups() {
      return s.groups;
    },
  };
}

let channel: BlockChannel | null = null;
let channelNft: string | null = null;

/**
 * In-process use (the daemon): send blocks through a long-lived channel. A block the channel
 * cannot confirm (the table does not exist yet, or was removed; the child died) falls back to the
 * full batch, which creates the table.
 * @param c the channel, or null to stop using one
 * @param nft where nft was found when the channel was set up (spares each block the search)
 */
export function useBlockChannel(c: BlockChannel | null, nft: string | null = null): void {
  channel?.close();
  channel = c;
  channelNft = c ? nft : null;
}

/** The nft found when the in-process block channel was set up, or null outside the daemon. */
export function blockChannelNft(): string | null {
  return channelNft;
}

/**
 * Unblock an address; an address (or table) that is not there is not an error.
 * @returns whether an element was removed (null: gone now, but the block channel cannot tell
 *   whether it was there)
 */
export async function nftDelete(nft: string, t: IpTarget, env: NodeJS.ProcessEnv): Promise<boolean | null> {
  if (channel && (await channel.delete(t))) return null;
  const args = ['-f', '-'];
  const r = await run(nft, args, { input: `delete element ${NFT_TABLE} ${NFT_SETS[t.family]} { ${checked(t)} }\n`, env });
  if (r.code === 0) return true;
  // Expired already, never added, or the table is gone: all mean "not blocked".
  if (/No such file or directory/.test(r.stderr)) return false;
  throw new ProgramError('RIPOSTE_ERR_AR_FAILED', describeFailure(nft, args, r));
}
