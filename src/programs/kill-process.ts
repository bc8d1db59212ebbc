/**
 * kill-process: end the process an alert points at (add); delete has nothing to revert.
 *
 * The pid comes from `alert.data.pid`, else `--pid` in extra_args. A pid is a value from a log
 * line, so it is treated as hostile: pid ≤ 1 and this program's own pid and parent (the executor)
 * are refused, and when an expected name is known (`--name`, else `alert.data.process`) the
 * process must still carry it (its `comm`, executable or argv[0]) or nothing is signalled: pids are
 * reused, and a forged log line must not pick the victim. The process's start time is read with
 * the name and checked again before every signal, so a pid reused in between is not hit either.
 *
 * Signals: `--signal TERM|INT|HUP|QUIT|KILL` (default TERM); unless it was KILL, a process still
 * alive after `--grace <seconds>` (default 5; 0 = never) gets SIGKILL.
 * @module
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProgramError, type ExitCode } from './_contract.ts';
import type { Logger } from './_log.ts';
import { runProgram, type ProgramIo, type ProgramSpec } from './_run.ts';
import { alertField } from './_targets.ts';

/** Signals `--signal` accepts. */
export const SIGNALS = ['TERM', 'INT', 'HUP', 'QUIT', 'KILL'] as const;

/** Linux's largest possible pid (`pid_max` ≤ 2^22). */
const PID_MAX = 4_194_304;

/** What identifies one process over time: its pid and kernel start time (clock ticks since boot). */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: string;
  readonly comm: string;
  /** Executable path and argv[0], when readable. */
  readonly exe: string | null;
  readonly argv0: string | null;
  readonly zombie: boolean;
}

/** A validated kill request. */
export interface KillTarget {
  readonly pid: number;
  readonly name: string | null;
  readonly signal: (typeof SIGNALS)[number];
  readonly graceSec: number;
  /** The process as checked before the handshake (null: there was none). */
  readonly checked: ProcessIdentity | null;
}

function invalid(message: string): ProgramError {
  return new ProgramError('RIPOSTE_ERR_AR_INPUT', message);
}

/**
 * Parse a pid from alert data or an argument.
 * @throws ProgramError `RIPOSTE_ERR_AR_INPUT` unless it is a decimal pid in range
 * @example parsePid('4242') // 4242
 */
export function parsePid(raw: unknown): number {
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || !/^[1-9][0-9]{0,6}$/.test(text) || Number(text) > PID_MAX) throw invalid(`Invalid pid ${JSON.stringify(raw)}`);
  return Number(text);
}

/**
 * Read a process's identity from /proc.
 * @returns the identity, or null when no such process exists
 */
export async function readIdentity(pid: number, proc = '/proc'): Promise<ProcessIdentity | null> {
  let stat: string;
  try {
    stat = await fs.readFile(`${proc}/${pid}/stat`, 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ESRCH') return null;
    throw e;
  }
  // `comm` is in parentheses and may itself hold spaces and parentheses: the LAST ')' ends it.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(open + 1, close);
  const rest = stat.slice(close + 2).split(' ');
  const readOr = async <T>(f: () => Promise<T>): Promise<T | null> => {
    try {
      return await f();
    } catch {
      return null;
    }
  };
  const exe = await readOr(async () => (await fs.readlink(`${proc}/${pid}/exe`)).replace(/ \(deleted\)$/, ''));
  const argv0 = await readOr(async () => (await fs.readFile(`${proc}/${pid}/cmdline`, 'latin1')).split('\0')[0] || null);
  return { pid, startTime: rest[19] ?? '', comm, exe, argv0, zombie: rest[0] === 'Z' };
}

/**
 * Whether a process carries an expected name: its `comm` (the kernel truncates it to 15 bytes),
 * the file name of its executable or of argv[0], or, for a name with a `/`, its executable path.
 * @example hasName({ comm: 'sleep', exe: '/usr/bin/sleep', argv0: 'sleep', … }, 'sleep') // true
 */
export function hasName(p: ProcessIdentity, name: string): boolean {
  if (name.includes('/')) return p.exe === name;
  if (p.comm === name || (name.length > 15 && p.comm === name.slice(0, 15))) return true;
  return (p.exe !== null && path.basename(p.exe) === name) || (p.argv0 !== null && path.basename(p.argv0) === name);
}

function sameProcess(a: ProcessIdentity | null, b: ProcessIdentity): boolean {
  return a !== null && !a.zombie && a.startTime === b.startTime;
}

async function signal(id: ProcessIdentity, sig: (typeof SIGNALS)[number]): Promise<boolean> {
  if (!sameProcess(await readIdentity(id.pid), id)) return false;
  try {
    process.kill(id.pid, `SIG${sig}`);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw new ProgramError('RIPOSTE_ERR_AR_FAILED', `Cannot send SIG${sig} to ${id.pid}: ${(e as Error).message}`, { cause: e });
  }
}

async function waitGone(id: ProcessIdentity, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!sameProcess(await readIdentity(id.pid), id)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

function checkName(id: ProcessIdentity, name: string | null): void {
  if (name !== null && !hasName(id, name)) {
    throw new ProgramError('RIPOSTE_ERR_AR_REFUSED', `Process ${id.pid} is "${id.comm}", not "${name}": not signalled (the pid may have been reused)`);
  }
}

async function kill(t: KillTarget, log: Logger): Promise<void> {
  const id = await readIdentity(t.pid);
  if (id === null || id.zombie) {
    log.info(`No process ${t.pid}: nothing to do`);
    return;
  }
  // The handshake took time: the pid must still be the process that was checked.
  if (t.checked !== null && id.startTime !== t.checked.startTime) {
    throw new ProgramError('RIPOSTE_ERR_AR_REFUSED', `Process ${t.pid} was replaced by another process with the same pid: not signalled`);
  }
  checkName(id, t.name);
  if (!(await signal(id, t.signal))) {
    log.info(`Process ${t.pid} ended before it was signalled`);
    return;
  }
  if (t.signal === 'KILL' || t.graceSec === 0 || (await waitGone(id, t.graceSec * 1000))) {
    log.info(`Sent SIG${t.signal} to ${t.pid} (${id.comm})`);
    return;
  }
  if (await signal(id, 'KILL')) await waitGone(id, 5000);
  log.info(`Sent SIG${t.signal} to ${t.pid} (${id.comm}), then SIGKILL after ${t.graceSec}s`);
}

/** The program. */
export const killProcess: ProgramSpec<KillTarget> = {
  name: 'kill-process',
  flags: { pid: 'value', name: 'value', signal: 'value', grace: 'value' },
  async prepare({ msg, args }) {
    const fromAlert = alertField(msg.alert, ['data', 'pid']);
    const rawPid = fromAlert !== undefined ? fromAlert : args.values.get('pid');
    if (rawPid === undefined) throw invalid('No target process: neither alert.data.pid nor --pid is given');
    const pid = parsePid(rawPid);
    if (pid <= 1 || pid === process.pid || pid === process.ppid) {
      throw new ProgramError('RIPOSTE_ERR_AR_REFUSED', `Refusing to signal pid ${pid} (init, this program or its executor)`);
    }
    const alertName = alertField(msg.alert, ['data', 'process']);
    const name = args.values.get('name') ?? (typeof alertName === 'string' && alertName !== '' ? alertName : null);
    if (name !== null && (name.length > 4096 || /[\0\n]/.test(name))) throw invalid('Invalid process name');
    const sig = (args.values.get('signal') ?? 'TERM').toUpperCase().replace(/^SIG/, '');
    if (!(SIGNALS as readonly string[]).includes(sig)) throw invalid(`Invalid --signal ${JSON.stringify(sig)}: one of ${SIGNALS.join(', ')}`);
    const grace = args.values.get('grace') ?? '5';
    if (!/^[0-9]{1,4}$/.test(grace)) throw invalid(`Invalid --grace ${JSON.stringify(grace)}: whole seconds`);
    // Delete reverts nothing, so whatever the pid is now is irrelevant to it.
    if (msg.command === 'delete') return { pid, name, signal: sig as KillTarget['signal'], graceSec: Number(grace), checked: null };
    try {
      await fs.access('/proc/self/stat');
    } catch {
      throw new ProgramError('RIPOSTE_ERR_AR_UNAVAILABLE', 'kill-process needs /proc (Linux) to check the process before signalling it');
    }
    // Checked before the handshake too, so a mismatch never enters execd's timeout list.
    const checked = await readIdentity(pid);
    if (checked !== null && !checked.zombie) checkName(checked, name);
    return { pid, name, signal: sig as KillTarget['signal'], graceSec: Number(grace), checked };
  },
  key: (t) => String(t.pid),
  add: async (t, { log }) => kill(t, log),
  async delete(t, { log }) {
    log.info(`Nothing to revert for process ${t.pid}`);
  },
};

/**
 * Run kill-process as the current process.
 * @example process.exitCode = await main()
 */
export function main(io?: ProgramIo): Promise<ExitCode> {
  return runProgram(killProcess, io);
}
