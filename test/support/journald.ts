/**
 * A real systemd-journald for tests, on machines where none runs (CI has no systemd as PID 1).
 *
 * It runs in a private mount namespace where the test's temp dir is mounted over /run (so its
 * sockets, `/run/systemd/journal/{socket,dev-log,stdout}`, and its volatile storage,
 * `/run/log/journal/<machine-id>/`, are files in that dir), an empty dir over /var/log/journal
 * and a journald.conf of ours over /etc/systemd/journald.conf (volatile storage, no rate limit,
 * no kernel messages, no forwarding). The host's /run, journal and configuration are untouched.
 * Entries come in through the syslog socket (`dev-log`), as sshd's syslog(3) sends them, and are
 * read back with journalctl `--directory` (Riposte's `RIPOSTE_JOURNAL_DIR`).
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const JOURNALD_BINARIES = ['/lib/systemd/systemd-journald', '/usr/lib/systemd/systemd-journald'];

/** The journald binary, or null when systemd is not installed. */
export function journaldBinary(): string | null {
  return JOURNALD_BINARIES.find((p) => existsSync(p)) ?? null;
}

/** Why a real journald cannot run here (null: it can). */
export function journaldUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (a mount namespace for systemd-journald)';
  if (journaldBinary() === null) return 'systemd-journald is not installed (package systemd)';
  if (!existsSync('/etc/systemd/journald.conf')) return 'no /etc/systemd/journald.conf to mount over';
  return null;
}

export interface TestJournal {
  /** The temp dir holding everything. */
  readonly dir: string;
  /** For journalctl `--directory` / `RIPOSTE_JOURNAL_DIR`. */
  readonly journalDir: string;
  /** journald's syslog socket: what /dev/log points to. */
  readonly devLog: string;
  readonly pid: number;
  /** Log `message` through the syslog socket with `logger`, as program `tag` (and `pid`). */
  log(tag: string, message: string | Buffer, pid?: number): void;
  /** Stop journald (by its PID) and remove the dir unless `keepDir`. */
  stop(): Promise<void>;
}

/** Start journald; resolves once its syslog socket and journal file exist. */
export async function startJournal(opts: { keepDir?: boolean; tmp?: string; dir?: string; bootId?: string } = {}): Promise<TestJournal> {
  const binary = journaldBinary();
  if (binary === null) throw new Error('systemd-journald is not installed');
  // `dir`: a journal started again over the same files (a restart, or a reboot with `bootId`).
  const dir = opts.dir ?? mkdtempSync(join(opts.tmp ?? tmpdir(), 'rpjournald-'));
  const run = join(dir, 'run');
  const varlog = join(dir, 'varlog');
  mkdirSync(run, { recursive: true });
  mkdirSync(varlog, { recursive: true });
  const bootFile = join(dir, 'boot_id');
  // The kernel's format (UUID with dashes), which journald insists on.
  if (opts.bootId !== undefined) writeFileSync(bootFile, `${opts.bootId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')}\n`);
  const conf = join(dir, 'journald.conf');
  writeFileSync(conf, '[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToWall=no\nForwardToConsole=no\nRateLimitBurst=0\nRateLimitIntervalSec=0\n');
  const out = join(dir, 'journald.out');
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    'set -e',
    `mount --bind ${q(run)} /run`,
    ...(existsSync('/var/log/journal') ? [`mount --bind ${q(varlog)} /var/log/journal`] : []),
    `mount --bind ${q(conf)} /etc/systemd/journald.conf`,
    // Another boot, as far as journald can tell (it stamps each entry with _BOOT_ID).
    ...(opts.bootId !== undefined ? [`mount --bind ${q(bootFile)} /proc/sys/kernel/random/boot_id`] : []),
    `exec ${q(binary)}`,
  ].join('\n');
  writeFileSync(out, '');
  const child: ChildProcess = spawn('unshare', ['--mount', '--propagation', 'private', '/bin/sh', '-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const devLog = join(run, 'systemd/journal/dev-log');
  const journalDir = join(run, 'log/journal');
  const machineId = readFileSync('/etc/machine-id', 'utf8').trim();
  const journalFile = join(journalDir, machineId, 'system.journal');
  const end = Date.now() + 10_000;
  if (opts.dir !== undefined) rmSync(devLog, { force: true });
  while (!(existsSync(devLog) && existsSync(journalFile))) {
    const failed = child.exitCode !== null || child.signalCode !== null ? 'exited' : Date.now() > end ? 'did not start in 10 s' : null;
    if (failed) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      if (opts.dir === undefined && !opts.keepDir) rmSync(dir, { recursive: true, force: true });
      throw new Error(`systemd-journald ${failed}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const pid = child.pid as number;
  return {
    dir,
    journalDir,
    devLog,
    pid,
    log(tag, message, msgPid) {
      const args = ['--socket', devLog, '--socket-errors=on', '-t', tag, ...(msgPid !== undefined ? [`--id=${msgPid}`] : [])];
      const r = spawnSync('logger', args, { input: message, timeout: 10_000 });
      if (r.status !== 0) throw new Error(`logger failed: ${r.stderr.toString()}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
        }, 3000);
        await exited;
        clearTimeout(timer);
      }
      if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The journal's entries so far, as journalctl prints them (`--output=json`). */
export function journalEntries(j: TestJournal): Record<string, unknown>[] {
  const r = spawnSync('journalctl', [`--directory=${j.journalDir}`, '--output=json', '--all', '--no-pager'], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}
