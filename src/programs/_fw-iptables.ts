/**
 * The iptables backend of firewall-drop, for hosts without nft: the rules Wazuh's firewall-drop
 * makes (`-s IP -j DROP` at the top of INPUT and FORWARD), so blocks Wazuh left behind are lifted by
 * Riposte's delete too. Unlike Wazuh: `-w` (wait for the xtables lock instead of failing), `-C`
 * before `-I` (no duplicates), delete until no copy is left, and exit codes checked.
 * @module
 */
import { ProgramError } from './_contract.ts';
import { describeFailure, run, runOk } from './_exec.ts';
import type { IpTarget } from './_targets.ts';

/** Chains the DROP rule goes into. */
export const IPTABLES_CHAINS = ['INPUT', 'FORWARD'] as const;

/** Seconds to wait for the xtables lock held by another iptables run. */
const LOCK_WAIT_SEC = '10';

/** At most this many copies of a rule are deleted (copies come from older, non-idempotent tools). */
const MAX_COPIES = 64;

/** The tool for an address family. */
export function iptablesTool(family: 4 | 6): 'iptables' | 'ip6tables' {
  return family === 4 ? 'iptables' : 'ip6tables';
}

/**
 * The argv of one iptables operation.
 * @example iptablesArgs('-I', 'INPUT', '192.0.2.1') // ['-w', '10', '-I', 'INPUT', '-s', '192.0.2.1', '-j', 'DROP']
 */
export function iptablesArgs(op: '-C' | '-I' | '-D', chain: string, ip: string): string[] {
  return ['-w', LOCK_WAIT_SEC, op, chain, '-s', ip, '-j', 'DROP'];
}

async function exists(tool: string, chain: string, ip: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const args = iptablesArgs('-C', chain, ip);
  const r = await run(tool, args, { env });
  if (r.code === 0) return true;
  if (r.code === 1 && /does a matching rule exist/.test(r.stderr)) return false;
  throw new ProgramError('RIPOSTE_ERR_AR_FAILED', describeFailure(tool, args, r));
}

/**
 * Insert the DROP rules that are missing.
 * @param tool absolute path of iptables or ip6tables (matching the family)
 */
export async function iptablesAdd(tool: string, t: IpTarget, env: NodeJS.ProcessEnv): Promise<void> {
  for (const chain of IPTABLES_CHAINS) {
    if (!(await exists(tool, chain, t.ip, env))) await runOk(tool, iptablesArgs('-I', chain, t.ip), { env });
  }
}

/**
 * Delete every copy of the DROP rules.
 * @returns how many rules were deleted
 */
export async function iptablesDelete(tool: string, t: IpTarget, env: NodeJS.ProcessEnv): Promise<number> {
  let deleted = 0;
  for (const chain of IPTABLES_CHAINS) {
    for (let i = 0; i < MAX_COPIES && (await exists(tool, chain, t.ip, env)); i++) {
      await runOk(tool, iptablesArgs('-D', chain, t.ip), { env });
      deleted++;
    }
  }
  return deleted;
}
