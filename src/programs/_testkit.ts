/**
 * Test helpers for the response programs: run a program in `responses/bin` as a real process,
 * playing execd's part of the contract (message line, `check_keys` answer, stdin left open until
 * the program exits), and make throwaway network namespaces. Used by the tests only.
 * @module
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findTool } from './_exec.ts';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Absolute path of a program's launcher. */
export function binPath(name: string): string {
  return fileURLToPath(new URL(`../../responses/bin/${name}`, import.meta.url));
}

/**
 * A message line as execd writes it.
 * @example arMessage('add', { data: { srcip: '192.0.2.1' } }, ['--timeout', '60'])
 */
export function arMessage(command: string, alert: unknown, extraArgs: readonly string[] = [], program = 'firewall-drop'): string {
  return JSON.stringify({
    version: 1,
    origin: { name: 'node01', module: 'wazuh-execd' },
    command,
    parameters: { extra_args: extraArgs, alert, program: `active-response/bin/${program}` },
  });
}

/** What a program run produced. */
export interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The keys of the `check_keys` line, or null when none was written. */
  readonly keys: readonly string[] | null;
}

/** How to run a program. */
export interface RunSpec {
  /** The message line; omitted for a legacy run that reads no stdin. */
  readonly line?: string;
  readonly argv?: readonly string[];
  /** execd's answer to check_keys, @default 'continue' */
  readonly answer?: 'continue' | 'abort';
  /** Command prefix, e.g. `['ip', 'netns', 'exec', ns]`. */
  readonly prefix?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

/**
 * Run a response program the way execd does and collect what it did.
 * @example const out = await runResponse('firewall-drop', { line: arMessage('add', alert) })
 */
export function runResponse(name: string, spec: RunSpec): Promise<Outcome> {
  const prefix = spec.prefix ?? [];
  const file = prefix[0] ?? binPath(name);
  const args = [...prefix.slice(1), ...(prefix.length > 0 ? [binPath(name)] : []), ...(spec.argv ?? [])];
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: spec.cwd ?? '/', env: spec.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let keys: string[] | null = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not exit within ${spec.timeoutMs ?? 30_000} ms; stderr: ${stderr}`));
    }, spec.timeoutMs ?? 30_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.stdout.on('data', (d: string) => {
      stdout += d;
      if (keys !== null || !stdout.includes('\n') || spec.line === undefined) return;
      const reply = JSON.parse(stdout.slice(0, stdout.indexOf('\n'))) as { command: string; parameters: { keys: string[] } };
      if (reply.command !== 'check_keys') return;
      keys = reply.parameters.keys;
      // execd answers with the whole input message, its command replaced.
      const answer = { ...(JSON.parse(spec.line) as object), command: spec.answer ?? 'continue' };
      child.stdin.write(`${JSON.stringify(answer)}\n`);
    });
    child.stdin.on('error', () => {});
    if (spec.line !== undefined) child.stdin.write(`${spec.line}\n`);
    else child.stdin.end();
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, signal, stdout, stderr, keys });
    });
  });
}

/** Whether the tests run as root (needed for namespaces, firewall and accounts). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Why a privileged test cannot run here, or false when it can.
 * @example test('…', { skip: cannotRun(['nft']) }, …)
 */
export function cannotRun(tools: readonly string[]): string | false {
  if (!isRoot()) return 'needs root';
  const missing = tools.filter((t) => findTool(t) === null);
  return missing.length > 0 ? `needs ${missing.join(', ')} (apt-get install nftables iptables conntrack iproute2 passwd)` : false;
}

/** Run a tool synchronously and return its stdout (throws on failure). */
export function sh(file: string, args: readonly string[]): string {
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

let nsCount = 0;

/**
 * Create a private network namespace; the caller deletes it with the returned `remove`.
 * @returns its name, the prefix that runs a command inside it, and `remove`
 */
export function makeNetns(): { name: string; prefix: string[]; exec(args: readonly string[]): string; remove(): void } {
  const name = `riposte-t${process.pid}-${nsCount++}`;
  sh('ip', ['netns', 'add', name]);
  const prefix = ['ip', 'netns', 'exec', name];
  return {
    name,
    prefix,
    exec: (args) => sh('ip', ['netns', 'exec', name, ...args]),
    remove: () => {
      sh('ip', ['netns', 'delete', name]);
    },
  };
}
