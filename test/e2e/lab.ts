/**
 * The e2e lab's plumbing: a cleanup stack, daemons run as child processes (stopped by their own
 * PID), and two network namespaces joined by a veth pair on TEST-NET-3 addresses.
 *
 *   rip-tgt-<pid>  eth0 203.0.113.1/24                  sshd, rsyslogd, Riposte, nft
 *   rip-atk-<pid>  eth0 203.0.113.10 (attacker), .11 (control), .12 (allowlisted)
 *
 * Only these namespaces carry traffic: nothing here touches the host's interfaces or firewall.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';

/** Target side address (sshd listens here). */
export const TARGET_IP = '203.0.113.1';
/** The attacker that gets blocked. */
export const ATTACKER_IP = '203.0.113.10';
/** A bystander on the attacker's side, never attacking: it must keep connecting. */
export const CONTROL_IP = '203.0.113.11';
/** An attacker listed in `<white_list>`: it must never be blocked. */
export const ALLOWED_IP = '203.0.113.12';

/** Tools the lab needs; when running as root, a missing one is a failure (CI installs them). */
export const REQUIRED_TOOLS = ['ip', 'nft', 'unshare', 'mount', 'sshd', 'ssh', 'ssh-keygen', 'sshpass', 'rsyslogd', 'useradd', 'userdel', 'chpasswd'];

const SEARCH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of a tool, or null. */
export function which(tool: string): string | null {
  for (const d of SEARCH) if (existsSync(`${d}/${tool}`)) return `${d}/${tool}`;
  return null;
}

/** Why the lab cannot run here: null when it can; a skip reason only for "not root". */
export function labPrerequisites(): { skip: string | null; missing: string[] } {
  if (process.getuid?.() !== 0) return { skip: 'needs root (network namespaces, nftables, sshd, a throwaway account)', missing: [] };
  return { skip: null, missing: REQUIRED_TOOLS.filter((t) => which(t) === null) };
}

/** Cleanup actions, run last-in first-out; every action runs even when an earlier one throws. */
export class Cleanup {
  readonly #steps: { what: string; run: () => void | Promise<void> }[] = [];

  add(what: string, run: () => void | Promise<void>): void {
    this.#steps.push({ what, run });
  }

  /** Run every step once; throws one error naming the steps that failed. */
  async run(): Promise<void> {
    const failed: string[] = [];
    while (this.#steps.length) {
      const s = this.#steps.pop() as { what: string; run: () => void | Promise<void> };
      try {
        await s.run();
      } catch (e) {
        failed.push(`${s.what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (failed.length) throw new Error(`cleanup failed: ${failed.join('; ')}`);
  }
}

/** Run a command to completion; throws with its stderr when it exits non-zero. */
export function sh(cmd: string, args: readonly string[], input?: string): string {
  const r = spawnSync(cmd, args, { input: input ?? '', encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** A daemon started as a child process, its output appended to a file. */
export class Daemon {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<void>;

  constructor(name: string, cmd: string, args: readonly string[], logFile: string, env?: NodeJS.ProcessEnv) {
    this.name = name;
    const fd = openSync(logFile, 'a');
    try {
      this.child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: env ?? process.env });
    } finally {
      closeSync(fd);
    }
    if (this.child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
    this.pid = this.child.pid;
    this.exited = new Promise((r) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) r();
      else this.child.once('exit', () => r());
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL, no grace (the crash under test). */
  async kill9(): Promise<void> {
    if (this.running) process.kill(this.pid, 'SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    process.kill(this.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (this.running) process.kill(this.pid, 'SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Sleep. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `f` until it returns something other than undefined, or throw after `ms`. */
export async function waitFor<T>(f: () => T | undefined | Promise<T | undefined>, what: string, ms: number, everyMs = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The two namespaces and their link. */
export class Netns {
  readonly target: string;
  readonly attacker: string;

  private constructor(tag: string) {
    this.target = `rip-tgt-${tag}`;
    this.attacker = `rip-atk-${tag}`;
  }

  /**
   * Create the namespaces (registering their removal first, so a half-built lab is still torn
   * down), the veth pair between them and the addresses.
   */
  static create(tag: string, cleanup: Cleanup): Netns {
    const n = new Netns(tag);
    for (const ns of [n.target, n.attacker]) {
      sh('ip', ['netns', 'add', ns]);
      cleanup.add(`ip netns del ${ns}`, () => {
        if (sh('ip', ['netns', 'list']).split('\n').some((l) => l.split(' ')[0] === ns)) sh('ip', ['netns', 'del', ns]);
      });
    }
    // Created inside the target namespace with its peer put straight into the attacker's:
    // no interface ever appears in the host's namespace.
    sh('ip', ['-n', n.target, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.attacker]);
    sh('ip', ['-n', n.target, 'addr', 'add', `${TARGET_IP}/24`, 'dev', 'eth0']);
    for (const ip of [ATTACKER_IP, CONTROL_IP, ALLOWED_IP]) sh('ip', ['-n', n.attacker, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    for (const ns of [n.target, n.attacker]) {
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    }
    return n;
  }

  /** argv prefix that runs a command in namespace `ns`. */
  exec(ns: string, cmd: string, args: readonly string[] = []): [string, string[]] {
    return ['ip', ['netns', 'exec', ns, cmd, ...args]];
  }
}
