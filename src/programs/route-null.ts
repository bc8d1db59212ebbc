/**
 * route-null: route the alert's address into a blackhole (add) or remove that route (delete), with
 * iproute2: `ip route add blackhole <ip>` / `ip -6 route add blackhole <ip>`. Wazuh's program uses
 * net-tools' `route … reject`, which Debian no longer installs, and ignores failures.
 *
 * Idempotent both ways: an existing blackhole route is success, a missing one on delete too. A
 * different route to exactly that host (rare: point-to-point links) is never replaced: the add fails
 * and says so, since taking it over would also lose it on delete. The delete names the type, so
 * only a blackhole route is ever removed.
 * @module
 */
import { ProgramError, type ExitCode } from './_contract.ts';
import { describeFailure, requireTool, run } from './_exec.ts';
import { runProgram, type ProgramIo, type ProgramSpec } from './_run.ts';
import { ipFromAlert, type IpTarget } from './_targets.ts';

/**
 * The argv of `ip` for a route operation.
 * @example routeArgs('add', { ip: '2001:db8::1', family: 6 }) // ['-6', 'route', 'add', 'blackhole', '2001:db8::1']
 */
export function routeArgs(op: 'add' | 'del', t: IpTarget): string[] {
  return [...(t.family === 6 ? ['-6'] : []), 'route', op, 'blackhole', t.ip];
}

async function isBlackholed(ip: string, t: IpTarget, env: NodeJS.ProcessEnv): Promise<boolean> {
  const args = [...(t.family === 6 ? ['-6'] : []), '-j', 'route', 'show', 'exact', t.ip];
  const r = await run(ip, args, { env });
  if (r.code !== 0) throw new ProgramError('RIPOSTE_ERR_AR_FAILED', describeFailure(ip, args, r));
  const routes: unknown = JSON.parse(r.stdout || '[]');
  return Array.isArray(routes) && routes.some((x) => (x as { type?: unknown }).type === 'blackhole');
}

/** The program. */
export const routeNull: ProgramSpec<IpTarget & { readonly tool: string }> = {
  name: 'route-null',
  flags: {},
  prepare: ({ msg, env }) => ({ ...ipFromAlert(msg.alert), tool: requireTool('ip', env, 'install iproute2') }),
  key: (t) => t.ip,
  async add(t, { env, log }) {
    const args = routeArgs('add', t);
    const r = await run(t.tool, args, { env });
    if (r.code === 0) {
      log.info(`Blackholed ${t.ip}`);
      return;
    }
    if (!/File exists/.test(r.stderr)) throw new ProgramError('RIPOSTE_ERR_AR_FAILED', describeFailure(t.tool, args, r));
    if (!(await isBlackholed(t.tool, t, env))) {
      throw new ProgramError('RIPOSTE_ERR_AR_FAILED', `A route to ${t.ip} already exists and is not a blackhole: not replacing it`);
    }
    log.info(`${t.ip} is already blackholed`);
  },
  async delete(t, { env, log }) {
    const args = routeArgs('del', t);
    const r = await run(t.tool, args, { env });
    if (r.code === 0) log.info(`Removed the blackhole route to ${t.ip}`);
    // "No such process" (ESRCH): there is no blackhole route to that address.
    else if (/No such process/.test(r.stderr)) log.info(`No blackhole route to ${t.ip}: nothing to do`);
    else throw new ProgramError('RIPOSTE_ERR_AR_FAILED', describeFailure(t.tool, args, r));
  },
};

/**
 * Run route-null as the current process.
 * @example process.exitCode = await main()
 */
export function main(io?: ProgramIo): Promise<ExitCode> {
  return runProgram(routeNull, io);
}
