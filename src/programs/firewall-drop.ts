/**
 * firewall-drop: block (add) or unblock (delete) the alert's address in the host firewall.
 * Interchangeable with Wazuh's program of the same name (same stdin contract and `check_keys`
 * key), with these fixes: a native nftables backend whose set elements expire in the kernel
 * (`--timeout`), IPv6 as first-class, idempotent adds and deletes, no lock directory to go stale,
 * established sessions ended through conntrack, and exit codes that say what happened.
 *
 * `extra_args`: `--backend nft|iptables|auto` (default auto: nft when installed, else iptables),
 * `--timeout <seconds>` (the kernel expiry of the nft element; Riposte passes the block duration).
 * @module
 */
import { blockTimeout } from './_args.ts';
import { ProgramError, type ExitCode } from './_contract.ts';
import { dropSessions } from './_conntrack.ts';
import { findTool, requireTool } from './_exec.ts';
import { iptablesAdd, iptablesDelete, iptablesTool } from './_fw-iptables.ts';
import { blockChannelNft, NFT_SETS, nftAdd, nftDelete } from './_fw-nft.ts';
import { runMessageObject, runProgram, type MessageRequest, type ProgramIo, type ProgramSpec } from './_run.ts';
import { ipFromAlert, type IpTarget } from './_targets.ts';

/** A validated block: the address, the backend tool and the kernel timeout. */
export interface FirewallTarget extends IpTarget {
  readonly backend: 'nft' | 'iptables';
  /** Absolute path of nft, iptables or ip6tables. */
  readonly tool: string;
  readonly timeoutSec: number | null;
}

/**
 * Choose the backend and find its tool (in the daemon, nft is the one found when its block channel
 * was set up: no search per block).
 * @param requested `--backend` (`nft`, `iptables` or `auto`)
 * @throws ProgramError `RIPOSTE_ERR_AR_INPUT` for an unknown backend, `RIPOSTE_ERR_AR_UNAVAILABLE`
 *   when its tool is missing
 * @example chooseBackend('auto', 4, process.env) // { backend: 'nft', tool: '/usr/sbin/nft' }
 */
export function chooseBackend(requested: string, family: 4 | 6, env: NodeJS.ProcessEnv): { backend: 'nft' | 'iptables'; tool: string } {
  const ipt = iptablesTool(family);
  switch (requested) {
    case 'nft':
      return { backend: 'nft', tool: blockChannelNft() ?? requireTool('nft', env) };
    case 'iptables':
      return { backend: 'iptables', tool: requireTool(ipt, env) };
    case 'auto': {
      const nft = blockChannelNft() ?? findTool('nft', env);
      if (nft !== null) return { backend: 'nft', tool: nft };
      const tool = findTool(ipt, env);
      if (tool !== null) return { backend: 'iptables', tool };
      throw new ProgramError('RIPOSTE_ERR_AR_UNAVAILABLE', `Neither nft nor ${ipt} is installed: install nftables (or iptables)`);
    }
    default:
      throw new ProgramError('RIPOSTE_ERR_AR_INPUT', `Invalid --backend ${JSON.stringify(requested)}: must be nft, iptables or auto`);
  }
}

/** The program. */
export const firewallDrop: ProgramSpec<FirewallTarget> = {
  name: 'firewall-drop',
  flags: { backend: 'value' },
  prepare({ msg, args, env }) {
    const ip = ipFromAlert(msg.alert);
    const timeoutSec = blockTimeout(msg, args);
    return { ...ip, ...chooseBackend(args.values.get('backend') ?? 'auto', ip.family, env), timeoutSec };
  },
  key: (t) => t.ip,
  async add(t, { env, log }) {
    let where: string;
    if (t.backend === 'nft') {
      const { appliedSec: applied, sessionsEnded } = await nftAdd(t.tool, t, t.timeoutSec, env);
      const expiry = applied !== null ? `kernel timeout ${applied}s` : t.timeoutSec !== null ? `no kernel timeout: ${t.timeoutSec}s is over nft's limit` : 'no timeout';
      where = `nft set inet riposte ${NFT_SETS[t.family]}, ${expiry}`;
      // The block channel ends the sessions of a whole batch in one conntrack pass.
      if (sessionsEnded !== null) {
        log.info(`Blocked ${t.ip} (${where}${sessionsEnded > 0 ? `; ${sessionsEnded} tracked connections ended` : ''})`);
        return;
      }
    } else {
      await iptablesAdd(t.tool, t, env);
      where = `${iptablesTool(t.family)} INPUT and FORWARD`;
    }
    const sessions = await dropSessions(t, env, log);
    log.info(`Blocked ${t.ip} (${where}${sessions > 0 ? `; ${sessions} tracked connections ended` : ''})`);
  },
  async delete(t, { env, log }) {
    const removed = t.backend === 'nft' ? await nftDelete(t.tool, t, env) : (await iptablesDelete(t.tool, t, env)) > 0;
    log.info(removed !== false ? `Unblocked ${t.ip} (${t.backend})` : `${t.ip} was not blocked (${t.backend}): nothing to do`);
  },
};

/**
 * Run firewall-drop as the current process.
 * @example process.exitCode = await main()
 */
export function main(io?: ProgramIo): Promise<ExitCode> {
  return runProgram(firewallDrop, io);
}

/**
 * Run firewall-drop on one message inside the calling process (the daemon's fast path).
 * @example await runMessage({ message, stderr, env, checkKeys: () => 'continue' })
 */
export function runMessage(req: MessageRequest): Promise<ExitCode> {
  return runMessageObject(firewallDrop, req);
}
