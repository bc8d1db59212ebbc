/**
 * Ending the sessions a blocked address already has. A new DROP rule stops new packets, but
 * conntrack entries of established sessions linger (and with a stateful ruleset that accepts
 * ESTABLISHED early, keep working); `conntrack -D` removes them. Best effort: the block itself has
 * already succeeded, so a missing tool or a failure here is logged, not fatal.
 * @module
 */
import { findTool, run } from './_exec.ts';
import type { Logger } from './_log.ts';
import type { IpTarget } from './_targets.ts';

/**
 * The argv lists that delete the address's entries in both directions.
 * @example conntrackArgs({ ip: '2001:db8::1', family: 6 })[0] // ['-f', 'ipv6', '-D', '-s', '2001:db8::1']
 */
export function conntrackArgs(t: IpTarget): string[][] {
  const family = t.family === 6 ? ['-f', 'ipv6'] : [];
  return [
    [...family, '-D', '-s', t.ip],
    [...family, '-D', '-d', t.ip],
  ];
}

/**
 * Delete the conntrack entries of an address, when the conntrack tool exists.
 * @returns how many entries were deleted (0 when the tool is absent)
 */
export async function dropSessions(t: IpTarget, env: NodeJS.ProcessEnv, log: Logger): Promise<number> {
  const tool = findTool('conntrack', env);
  if (tool === null) return 0;
  let deleted = 0;
  for (const args of conntrackArgs(t)) {
    try {
      const r = await run(tool, args, { env, timeoutMs: 10_000 });
      const m = /(\d+) flow entries have been deleted/.exec(r.stderr);
      // conntrack exits 1 when it deleted nothing: not a failure.
      if (m) deleted += Number(m[1]);
      else if (r.code !== 0) log.info(`conntrack ${args.join(' ')}: exit ${r.code ?? r.signal}: ${r.stderr.trim()}`);
    } catch (e) {
      log.info(`conntrack ${args.join(' ')}: ${(e as Error).message}`);
    }
  }
  return deleted;
}
