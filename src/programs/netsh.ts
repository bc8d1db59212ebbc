/**
 * netsh (Windows): block (add) or unblock (delete) the alert's address in Windows Defender
 * Firewall, with a rule named `RIPOSTE BLOCKED <ip>` in both directions. Fixes over Wazuh's
 * program: IPv6 gets `/128` (Wazuh applied `/32` to it), outbound is blocked too, an existing rule
 * is not duplicated, and a delete of a missing rule succeeds. On other systems it exits with
 * `RIPOSTE_ERR_AR_UNAVAILABLE` before the handshake.
 * @module
 */
import path from 'node:path';
import { ProgramError, type ExitCode } from './_contract.ts';
import { describeFailure, run, runOk } from './_exec.ts';
import { runProgram, type ProgramIo, type ProgramSpec } from './_run.ts';
import { ipFromAlert, type IpTarget } from './_targets.ts';

/**
 * The rule name of an address.
 * @example ruleName({ ip: '192.0.2.1', family: 4 }) // 'RIPOSTE BLOCKED 192.0.2.1'
 */
export function ruleName(t: IpTarget): string {
  return `RIPOSTE BLOCKED ${t.ip}`;
}

/**
 * The netsh argv that adds the rule of one direction. Each item is one argument: Node quotes
 * `name=RIPOSTE BLOCKED …` as a whole, which netsh reads as one token.
 * @example netshAddArgs({ ip: '2001:db8::1', family: 6 }, 'in') // ['advfirewall', 'firewall', 'add', 'rule', 'name=RIPOSTE BLOCKED 2001:db8::1', 'dir=in', 'action=block', 'remoteip=2001:db8::1/128']
 */
export function netshAddArgs(t: IpTarget, dir: 'in' | 'out'): string[] {
  return ['advfirewall', 'firewall', 'add', 'rule', `name=${ruleName(t)}`, `dir=${dir}`, 'action=block', `remoteip=${t.ip}/${t.family === 4 ? 32 : 128}`];
}

/**
 * The netsh argv that deletes every rule of the address (both directions share the name).
 * @example netshDeleteArgs({ ip: '192.0.2.1', family: 4 }) // ['advfirewall', 'firewall', 'delete', 'rule', 'name=RIPOSTE BLOCKED 192.0.2.1']
 */
export function netshDeleteArgs(t: IpTarget): string[] {
  return ['advfirewall', 'firewall', 'delete', 'rule', `name=${ruleName(t)}`];
}

/**
 * The netsh argv that shows the rule of one direction (exit 0 when it exists).
 * @example netshShowArgs({ ip: '192.0.2.1', family: 4 }, 'out') // ['advfirewall', 'firewall', 'show', 'rule', 'name=RIPOSTE BLOCKED 192.0.2.1', 'dir=out']
 */
export function netshShowArgs(t: IpTarget, dir: 'in' | 'out'): string[] {
  return ['advfirewall', 'firewall', 'show', 'rule', `name=${ruleName(t)}`, `dir=${dir}`];
}

/**
 * Where netsh.exe is, from `SystemRoot` (never from PATH, which a service may not control).
 * @example netshPath({ SystemRoot: 'C:\\Windows' }) // 'C:\\Windows\\System32\\netsh.exe'
 */
export function netshPath(env: NodeJS.ProcessEnv): string {
  return path.win32.join(env['SystemRoot'] || 'C:\\Windows', 'System32', 'netsh.exe');
}

/** The program. */
export const netsh: ProgramSpec<IpTarget & { readonly netsh: string }> = {
  name: 'netsh',
  flags: {},
  prepare({ msg, env }) {
    const ip = ipFromAlert(msg.alert);
    if (process.platform !== 'win32') throw new ProgramError('RIPOSTE_ERR_AR_UNAVAILABLE', `netsh is for Windows only (this is ${process.platform}): use firewall-drop`);
    return { ...ip, netsh: netshPath(env) };
  },
  key: (t) => t.ip,
  async add(t, { env, log }) {
    // Per direction, so a half-done earlier add is completed and nothing is duplicated.
    for (const dir of ['in', 'out'] as const) {
      if ((await run(t.netsh, netshShowArgs(t, dir), { env })).code !== 0) await runOk(t.netsh, netshAddArgs(t, dir), { env });
    }
    log.info(`Blocked ${t.ip} (firewall rule "${ruleName(t)}", inbound and outbound)`);
  },
  async delete(t, { env, log }) {
    const args = netshDeleteArgs(t);
    const r = await run(t.netsh, args, { env });
    if (r.code === 0) log.info(`Unblocked ${t.ip}`);
    else if (/No rules match/i.test(r.stdout + r.stderr)) log.info(`${t.ip} was not blocked: nothing to do`);
    else throw new ProgramError('RIPOSTE_ERR_AR_FAILED', describeFailure(t.netsh, args, r));
  },
};

/**
 * Run netsh as the current process.
 * @example process.exitCode = await main()
 */
export function main(io?: ProgramIo): Promise<ExitCode> {
  return runProgram(netsh, io);
}
