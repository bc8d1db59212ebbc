/**
 * The e2e lab's services: a private rsyslogd (or systemd-journald), a real sshd logging through it, a throwaway
 * account, Riposte itself, and the attacker's tools (sshpass logins, plain TCP probes, nft reads).
 *
 * Why a private mount namespace for sshd: sshd logs with syslog(3), which always writes to
 * /dev/log, and /dev is the host's. sshd runs under `unshare --mount` with a small tmpfs mounted
 * over /dev holding bind mounts of the few device nodes it needs and a /dev/log symlink to this
 * lab's rsyslogd socket (a file in the lab's temp dir). So the host's /dev (and its /dev/log, if
 * any) is never touched, and this rsyslogd only ever hears this sshd.
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startJournal } from '../support/journald.ts';
import { Cleanup, Daemon, Netns, TARGET_IP, sh, waitFor, which } from './lab.ts';

const REPO = new URL('../../', import.meta.url).pathname;
/** Riposte's launcher. */
export const RIPOSTE_BIN = join(REPO, 'bin/riposte.js');
/** The Node flags on the launcher's `#!/usr/bin/env -S node …` line: the lab runs Riposte as users do. */
const LAUNCHER_FLAGS = (/^#!\/usr\/bin\/env -S node(.*)$/m.exec(readFileSync(RIPOSTE_BIN, 'utf8').split('\n')[0] ?? '')?.[1] ?? '').trim().split(/\s+/).filter(Boolean);

/** Run a command; resolves with its exit code (124 when our own timeout killed it) and output. */
export function run(cmd: string, args: readonly string[], timeoutMs: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      const code = e === null ? 0 : e.killed ? 124 : typeof e.code === 'number' ? e.code : 1;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** A private rsyslogd (in the target namespace) writing auth and authpriv to `authLog`. */
export async function startSyslog(net: Netns, dir: string, cleanup: Cleanup): Promise<{ socket: string; authLog: string }> {
  const socket = join(dir, 'log.sock');
  const authLog = join(dir, 'auth.log');
  const work = join(dir, 'rsyslog-work');
  mkdirSync(work);
  writeFileSync(authLog, '', { mode: 0o640 });
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(conf, `global(workDirectory="${work}")
module(load="imuxsock" SysSock.Use="on" SysSock.Name="${socket}" SysSock.RateLimit.Interval="0")
auth,authpriv.* action(type="omfile" file="${authLog}" template="RSYSLOG_TraditionalFileFormat")
`);
  const [cmd, args] = net.exec(net.target, which('rsyslogd') as string, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')]);
  const d = new Daemon('rsyslogd', cmd, args, join(dir, 'rsyslogd.out'));
  cleanup.add('stop rsyslogd', () => d.stop());
  await waitFor(() => (existsSync(socket) ? true : d.running ? undefined : fail(`rsyslogd exited: ${readFileSync(join(dir, 'rsyslogd.out'), 'utf8')}`)), 'the rsyslogd socket', 10_000, 50);
  return { socket, authLog };
}

function fail(msg: string): never {
  throw new Error(msg);
}

/** A throwaway account with a random password nobody uses: the "valid user" of wrong-password attempts. */
export function createUser(tag: string, cleanup: Cleanup): string {
  const name = `riposte-e2e-${tag}`;
  sh('useradd', ['--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/sh', '--comment', 'riposte e2e (throwaway)', name]);
  cleanup.add(`userdel ${name}`, () => {
    sh('userdel', [name]);
  });
  sh('chpasswd', [], `${name}:${randomBytes(18).toString('base64url')}\n`);
  return name;
}

/**
 * sshd in the target namespace and a private mount namespace (see the module comment), only
 * `user` allowed to log in, password authentication without PAM (so every try is logged at once
 * as "Failed password", with no PAM delay).
 */
export async function startSshd(net: Netns, dir: string, socket: string, user: string, cleanup: Cleanup): Promise<Daemon> {
  // sshd refuses to start without its privilege separation directory.
  if (!existsSync('/run/sshd')) {
    mkdirSync('/run/sshd', { mode: 0o755 });
    cleanup.add('rmdir /run/sshd', () => rmdirSync('/run/sshd'));
  }
  const key = join(dir, 'ssh_host_ed25519_key');
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'riposte-e2e', '-f', key]);
  const conf = join(dir, 'sshd_config');
  const lines = [
    `ListenAddress ${TARGET_IP}:22`,
    `HostKey ${key}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AllowUsers ${user}`,
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication no',
    'AuthorizedKeysFile none',
    'UsePAM no',
    'PermitRootLogin no',
    'PermitTTY no',
    'X11Forwarding no',
    'AllowTcpForwarding no',
    'MaxAuthTries 6',
    'MaxStartups 100:30:200',
    'LoginGraceTime 15',
    'UseDNS no',
    'SyslogFacility AUTH',
    'LogLevel INFO',
    // OpenSSH 9.8+ penalises sources that fail to authenticate; the attack must go on.
    'PerSourcePenalties no',
  ];
  const sshd = which('sshd') as string;
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const check = await run(sshd, ['-t', '-f', conf], 10_000);
  if (check.code !== 0 && /PerSourcePenalties/.test(check.out)) writeFileSync(conf, `${lines.filter((l) => !l.startsWith('PerSourcePenalties')).join('\n')}\n`);
  sh(sshd, ['-t', '-f', conf]);
  const olddev = join(dir, 'olddev');
  mkdirSync(olddev);
  const script = [
    'set -e',
    `mount --rbind /dev '${olddev}'`,
    'mount -t tmpfs -o mode=0755,size=64k riposte-e2e-dev /dev',
    `for n in null zero full random urandom tty; do : > /dev/$n; mount --bind '${olddev}'/$n /dev/$n; done`,
    `ln -s '${socket}' /dev/log`,
    `umount -l '${olddev}'`,
    `exec '${sshd}' -D -f '${conf}'`,
  ].join('\n');
  const [cmd, args] = net.exec(net.target, which('unshare') as string, ['--mount', '--propagation', 'private', '/bin/sh', '-c', script]);
  const d = new Daemon('sshd', cmd, args, join(dir, 'sshd.out'));
  cleanup.add('stop sshd', () => d.stop());
  await waitFor(() => (existsSync(join(dir, 'sshd.pid')) ? true : d.running ? undefined : fail(`sshd exited: ${readFileSync(join(dir, 'sshd.out'), 'utf8')}`)), 'sshd', 10_000, 50);
  return d;
}

/** The files of one Riposte instance. */
export interface RiposteFiles {
  readonly conf: string;
  readonly data: string;
  readonly out: string;
  /** Riposte's environment (the journal directory, in journal mode). */
  readonly env?: NodeJS.ProcessEnv;
}

/** How sshd's lines reach Riposte: through rsyslogd into a file, or through the journal only. */
export type LabLogging = 'rsyslog' | 'journal';

/**
 * A private systemd-journald (test/support/journald.ts) instead of rsyslogd: sshd's /dev/log is
 * its syslog socket, and Riposte reads its files (RIPOSTE_JOURNAL_DIR).
 */
export async function startJournald(dir: string, cleanup: Cleanup): Promise<{ socket: string; journalDir: string }> {
  const j = await startJournal({ tmp: dir, keepDir: true });
  cleanup.add('stop systemd-journald', () => j.stop());
  return { socket: j.devLog, journalDir: j.journalDir };
}

/**
 * Riposte's configuration for the lab: firewall-drop on the sshd brute-force rules, `timeoutSec`
 * for a first offence, 1 minute for the next (`repeated_offenders`), `allowed` white-listed.
 */
export function writeRiposteConfig(dir: string, authLog: string, timeoutSec: number, allowed: string, journal?: { dir: string; filter: string }): RiposteFiles {
  const journalDir = journal?.dir;
  // Journal mode: Wazuh 4.14's journald block, with the default configuration's filter when sshd
  // runs in an "ssh.service" cgroup (see sshdUnitCgroup).
  const localfile =
    journal === undefined
      ? `<localfile><log_format>syslog</log_format><location>${authLog}</location></localfile>`
      : `<localfile><log_format>journald</log_format><location>journald</location>${journal.filter}</localfile>`;
  const conf = join(dir, 'ossec.conf');
  writeFileSync(conf, `<ossec_config>
  <global><white_list>${allowed}</white_list></global>
  <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response>
    <command>firewall-drop</command><location>local</location><rules_id>5712,5720,5763</rules_id>
    <timeout>${timeoutSec}</timeout><repeated_offenders>1</repeated_offenders>
  </active-response>
  ${localfile}
  <ruleset><decoder_dir>ruleset/decoders</decoder_dir><rule_dir>ruleset/rules</rule_dir></ruleset>
</ossec_config>
`);
  return { conf, data: join(dir, 'data'), out: join(dir, 'riposte.out'), ...(journalDir !== undefined ? { env: { ...process.env, RIPOSTE_JOURNAL_DIR: journalDir } } : {}) };
}

/** `riposte start` inside the target namespace; resolves once it says it has started. */
export async function startRiposte(net: Netns, f: RiposteFiles, cleanup: Cleanup): Promise<Daemon> {
  const before = existsSync(f.out) ? readFileSync(f.out, 'utf8').length : 0;
  const [cmd, args] = net.exec(net.target, process.execPath, [...LAUNCHER_FLAGS, RIPOSTE_BIN, 'start', '--config', f.conf, '--data-dir', f.data, '--from-start']);
  const d = new Daemon('riposte', cmd, args, f.out, f.env);
  cleanup.add(`stop riposte ${d.pid}`, () => d.stop());
  await waitFor(() => {
    const out = readFileSync(f.out, 'utf8').slice(before);
    if (/riposte: started:/.test(out)) return true;
    return d.running ? undefined : fail(`riposte exited: ${out}`);
  }, 'riposte to start', 30_000, 50);
  return d;
}

/** One element of an nft set as `nft -j` shows it. */
export interface NftElement {
  readonly ip: string;
  /** Kernel timeout in seconds (null: none). */
  readonly timeout: number | null;
  readonly expires: number | null;
}

/** The elements of `inet riposte drop4` in `ns` (empty when the table does not exist yet). */
export async function dropSet(net: Netns, ns: string): Promise<NftElement[]> {
  const [cmd, args] = net.exec(ns, 'nft', ['-j', 'list', 'set', 'inet', 'riposte', 'drop4']);
  const r = await run(cmd, args, 10_000);
  if (r.code !== 0) {
    if (/No such file or directory/.test(r.out)) return [];
    throw new Error(`nft list set failed: ${r.out}`);
  }
  return parseNftSet(r.out);
}

/** The elements in `nft -j list set` output. */
export function parseNftSet(json: string): NftElement[] {
  const doc = JSON.parse(json) as { nftables: { set?: { elem?: unknown[] } }[] };
  const out: NftElement[] = [];
  for (const item of doc.nftables) {
    for (const e of item.set?.elem ?? []) {
      if (typeof e === 'string') out.push({ ip: e, timeout: null, expires: null });
      else {
        const el = (e as { elem: { val: string; timeout?: number; expires?: number } }).elem;
        out.push({ ip: el.val, timeout: el.timeout ?? null, expires: el.expires ?? null });
      }
    }
  }
  return out;
}

/**
 * One password login from `from` (an address of the attacker namespace) with sshpass; wrong
 * password, one prompt per connection. Returns sshpass's exit code (5: wrong password, 255: ssh
 * could not connect).
 */
export async function sshLogin(net: Netns, from: string, user: string): Promise<number> {
  const [cmd, args] = net.exec(net.attacker, 'sshpass', [
    '-p', 'wrong-password', 'ssh', '-F', '/dev/null', '-b', from,
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'PreferredAuthentications=password', '-o', 'PubkeyAuthentication=no', '-o', 'NumberOfPasswordPrompts=1',
    '-o', 'ConnectTimeout=3', '-o', 'LogLevel=ERROR', `${user}@${TARGET_IP}`, 'true',
  ]);
  return (await run(cmd, args, 15_000)).code;
}

const PROBE = `const s=require('net').connect({host:process.argv[1],port:22,localAddress:process.argv[2]});
s.setTimeout(+process.argv[3],()=>process.exit(2));s.on('error',()=>process.exit(1));
s.on('data',(b)=>{if(String(b).startsWith('SSH-')){s.destroy();process.exit(0)}});`;

/**
 * A plain TCP connection from `from` to the target's port 22: true when it connects and sshd
 * answers with its banner within `timeoutMs`, false when it fails (a dropped SYN times out).
 */
export async function tcpConnects(net: Netns, from: string, timeoutMs = 2000): Promise<boolean> {
  const [cmd, args] = net.exec(net.attacker, process.execPath, ['-e', PROBE, TARGET_IP, from, String(timeoutMs)]);
  return (await run(cmd, args, timeoutMs + 10_000)).code === 0;
}

/** Riposte's alerts so far: rule id and srcip. */
export function alerts(data: string): { rule: string; srcip: string | undefined }[] {
  const f = join(data, 'alerts.json');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => {
    const a = JSON.parse(l) as { rule: { id: string }; data?: { srcip?: string } };
    return { rule: a.rule.id, srcip: a.data?.srcip };
  });
}

/** Riposte's own entries in active-responses.log; `at`: the line's time (whole seconds, ms since the epoch). */
export function arEntries(data: string): { command: string; status: string; srcip?: string; at: number }[] {
  const f = join(data, 'active-responses.log');
  if (!existsSync(f)) return [];
  const out: { command: string; status: string; srcip?: string; at: number }[] = [];
  for (const l of readFileSync(f, 'utf8').split('\n')) {
    const m = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) riposte: (\{.*\})$/.exec(l);
    if (!m) continue;
    const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    out.push({ ...(JSON.parse(m[7] as string) as { command: string; status: string; srcip?: string }), at: new Date(y, mo - 1, d, h, mi, sec).getTime() });
  }
  return out;
}

/** A running lab: namespaces, rsyslogd, sshd (and its throwaway user), Riposte's files. */
export interface Lab {
  readonly net: Netns;
  readonly dir: string;
  readonly authLog: string;
  readonly user: string;
  readonly files: RiposteFiles;
}

/**
 * Build the whole lab up to (not including) Riposte: every piece registers its own teardown in
 * `cleanup` as soon as it exists. `keepDir` leaves the temp dir for a look afterwards.
 */
export async function buildLab(tag: string, cleanup: Cleanup, opts: { timeoutSec: number; allowed: string; keepDir?: boolean; logging?: LabLogging }): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-e2e-'));
  if (!opts.keepDir) cleanup.add('remove the temp dir', () => rmSync(dir, { recursive: true, force: true }));
  const net = Netns.create(tag, cleanup);
  const journal = opts.logging === 'journal' ? await startJournald(dir, cleanup) : null;
  // Journal mode: no syslog daemon at all, so no auth.log (Debian 12 out of the box).
  const { socket, authLog } = journal ? { socket: journal.socket, authLog: join(dir, 'auth.log') } : await startSyslog(net, dir, cleanup);
  const user = createUser(tag, cleanup);
  // Made before sshd starts, so that its removal comes after sshd's stop (cleanup is LIFO).
  const unit = journal ? sshdUnitCgroup(tag, cleanup) : null;
  await startSshd(net, dir, socket, user, cleanup);
  if (unit) writeFileSync(join(unit, 'cgroup.procs'), readFileSync(join(dir, 'sshd.pid'), 'utf8').trim());
  const filter = unit
    ? '<filter field="_SYSTEMD_UNIT">^ssh.service$</filter>'
    : // No cgroup v2 to put sshd in: journald's own _COMM, trusted as well.
      '<filter field="_COMM">^sshd$</filter>';
  return { net, dir, authLog, user, files: writeRiposteConfig(dir, authLog, opts.timeoutSec, opts.allowed, journal ? { dir: journal.journalDir, filter } : undefined) };
}

/**
 * A cgroup `rpjournald-<tag>.slice/ssh.service` in the cgroup v2 hierarchy (the unified one on a
 * hybrid host), for sshd: journald derives `_SYSTEMD_UNIT=ssh.service` from it, as on a host where
 * systemd runs sshd, so the lab can use the default configuration's journald filter. Null
 * without a cgroup v2 mount.
 */
function sshdUnitCgroup(tag: string, cleanup: Cleanup): string | null {
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' '));
  const root = mounts.find((m) => m[2] === 'cgroup2' && (m[1] === '/sys/fs/cgroup' || m[1] === '/sys/fs/cgroup/unified'))?.[1];
  if (root === undefined) return null;
  const slice = join(root, `rpjournald-${tag}.slice`);
  const unit = join(slice, 'ssh.service');
  mkdirSync(unit, { recursive: true });
  cleanup.add(`rmdir ${unit}`, () => {
    rmdirSync(unit);
    rmdirSync(slice);
  });
  return unit;
}
