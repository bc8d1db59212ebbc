/**
 * host-deny: add (add) or remove (delete) an `ALL: <ip>` line in `/etc/hosts.deny`, for services
 * built with TCP wrappers. Interchangeable with Wazuh's program, with its bugs fixed:
 * - lines are compared as addresses, exactly: Wazuh's substring test made deleting 10.0.0.1 also
 *   remove 10.0.0.10, and an existing 10.0.0.10 line prevented adding 10.0.0.1;
 * - IPv6 is written in brackets (`ALL: [2001:db8::1]`), the only form TCP wrappers match (#16460);
 * - the file is edited under a lock file and replaced atomically (temporary file, fsync, rename),
 *   keeping its mode, owner and every other line byte for byte.
 * Lines Wazuh wrote (`ALL:192.0.2.1`, bracket-less IPv6) are recognised, so its blocks are removed
 * too. `RIPOSTE_HOSTS_DENY` overrides the path (tests, chroots).
 * @module
 */
import { promises as fs } from 'node:fs';
import { ProgramError, type ExitCode } from './_contract.ts';
import { atomicWrite, withLock } from './_lockfile.ts';
import { runProgram, type ProgramIo, type ProgramSpec } from './_run.ts';
import { ipFromAlert, parseTargetIp, type IpTarget } from './_targets.ts';

/** The file edited when `RIPOSTE_HOSTS_DENY` is not set. */
export const HOSTS_DENY = '/etc/hosts.deny';

/** `ALL` daemons, then one client; the client may be bracketed (IPv6) or not (Wazuh's lines). */
const ALL_RULE = /^[ \t]*ALL[ \t]*:[ \t]*(\S+)[ \t]*\r?$/;

/**
 * The line that blocks an address.
 * @example denyLine({ ip: '2001:db8::1', family: 6 }) // 'ALL: [2001:db8::1]'
 */
export function denyLine(t: IpTarget): string {
  return `ALL: ${t.family === 6 ? `[${t.ip}]` : t.ip}`;
}

/**
 * The canonical address an `ALL: <ip>` line blocks, or null for any other line.
 * @example lineAddress('ALL:10.0.0.10') // '10.0.0.10'
 */
export function lineAddress(line: string): string | null {
  const m = ALL_RULE.exec(line);
  if (!m) return null;
  let client = m[1] as string;
  if (client.startsWith('[') && client.endsWith(']')) client = client.slice(1, -1);
  try {
    return parseTargetIp(client).ip;
  } catch {
    return null;
  }
}

/**
 * The file content with the address blocked.
 * @param text the current content ('' when the file does not exist)
 * @returns the new content, or null when the address is already blocked
 * @example addDeny('ALL: 10.0.0.10\n', { ip: '10.0.0.1', family: 4 }) // 'ALL: 10.0.0.10\nALL: 10.0.0.1\n'
 */
export function addDeny(text: string, t: IpTarget): string | null {
  if (text.split('\n').some((l) => lineAddress(l) === t.ip)) return null;
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  return `${text}${sep}${denyLine(t)}\n`;
}

/**
 * The file content without the lines that block the address (other lines untouched).
 * @returns the new content, or null when no line blocks it
 * @example removeDeny('ALL: 10.0.0.1\nALL: 10.0.0.10\n', { ip: '10.0.0.1', family: 4 }) // 'ALL: 10.0.0.10\n'
 */
export function removeDeny(text: string, t: IpTarget): string | null {
  const lines = text.split('\n');
  const kept = lines.filter((l) => lineAddress(l) !== t.ip);
  return kept.length === lines.length ? null : kept.join('\n');
}

async function edit(file: string, change: (text: string) => string | null): Promise<boolean> {
  try {
    return await editLocked(file, change);
  } catch (e) {
    if (e instanceof ProgramError) throw e;
    throw new ProgramError('RIPOSTE_ERR_AR_FAILED', `Cannot update ${file}: ${(e as Error).message}`, { cause: e });
  }
}

function editLocked(file: string, change: (text: string) => string | null): Promise<boolean> {
  return withLock(`${file}.riposte-lock`, async () => {
    let text = '';
    try {
      text = await fs.readFile(file, 'latin1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const next = change(text);
    if (next === null) return false;
    await atomicWrite(file, next);
    return true;
  });
}

/** The program. */
export const hostDeny: ProgramSpec<IpTarget & { readonly file: string }> = {
  name: 'host-deny',
  flags: {},
  prepare: ({ msg, env }) => ({ ...ipFromAlert(msg.alert), file: env['RIPOSTE_HOSTS_DENY'] || HOSTS_DENY }),
  key: (t) => t.ip,
  async add(t, { log }) {
    const changed = await edit(t.file, (text) => addDeny(text, t));
    log.info(changed ? `Added "${denyLine(t)}" to ${t.file}` : `${t.ip} is already denied in ${t.file}`);
  },
  async delete(t, { log }) {
    const changed = await edit(t.file, (text) => removeDeny(text, t));
    log.info(changed ? `Removed ${t.ip} from ${t.file}` : `${t.ip} was not in ${t.file}: nothing to do`);
  },
};

/**
 * Run host-deny as the current process.
 * @example process.exitCode = await main()
 */
export function main(io?: ProgramIo): Promise<ExitCode> {
  return runProgram(hostDeny, io);
}
