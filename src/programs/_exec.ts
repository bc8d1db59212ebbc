/**
 * Running system tools: always an argv array (never a shell string), an absolute path found once,
 * a bounded run time and `LC_ALL=C`, so the error texts the programs recognise ("File exists",
 * "No such file or directory") are the English ones whatever the host's locale.
 * @module
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { ProgramError } from './_contract.ts';

/** What a tool run produced. */
export interface RunResult {
  /** The exit status, or null when a signal ended the tool. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Written to the tool's stdin, which is then closed. */
  readonly input?: string;
  /** Killed (SIGKILL) after this long, @default 30000 */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Output kept per stream: enough for any error message, bounded against a chatty tool. */
const MAX_OUTPUT = 1024 * 1024;

/** Directories searched after PATH: execd's PATH often lacks the sbin directories. */
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * Find an executable by name.
 * @param name the tool's file name
 * @param env where `PATH` (and `RIPOSTE_TOOL_PATH`, which replaces the whole search, for tests
 *   and unusual hosts) come from
 * @returns its absolute path, or null when absent
 * @example findTool('nft') // '/usr/sbin/nft'
 */
export function findTool(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const override = env['RIPOSTE_TOOL_PATH'];
  const dirs = override !== undefined ? override.split(path.delimiter) : [...(env['PATH'] ?? '').split(path.delimiter), ...SYSTEM_DIRS];
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of dirs) {
    if (!path.isAbsolute(dir)) continue;
    for (const ext of exts) {
      const file = path.join(dir, name + ext);
      if (isExecutableFile(file)) return file;
    }
  }
  return null;
}

/** Whether `file` is a regular file this process may execute. */
export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Find an executable or fail with `RIPOSTE_ERR_AR_UNAVAILABLE`.
 * @example requireTool('ip') // '/usr/sbin/ip'
 */
export function requireTool(name: string, env: NodeJS.ProcessEnv = process.env, why = ''): string {
  const file = findTool(name, env);
  if (file === null) throw new ProgramError('RIPOSTE_ERR_AR_UNAVAILABLE', `"${name}" is not installed (not found in PATH or the system directories)${why ? `: ${why}` : ''}`);
  return file;
}

/** Something that runs tools for this process (the daemon's helper, see `_spawner.ts`). */
export interface ToolRunner {
  run(file: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
}

let runner: ToolRunner | null = null;

/**
 * Route every {@link run} of this process through `r` (null: run tools directly again).
 * @returns the runner replaced
 */
export function useToolRunner(r: ToolRunner | null): ToolRunner | null {
  const before = runner;
  runner = r;
  return before;
}

/**
 * Run a tool with arguments as an argv array and collect its output.
 * @param file absolute path of the tool
 * @param args its arguments, each passed as one argv item
 * @returns the exit status and output; a non-zero status is not an error here
 * @throws ProgramError `RIPOSTE_ERR_AR_FAILED` when the tool cannot be started or runs too long
 * @example await run('/usr/sbin/nft', ['-f', '-'], { input: 'add table inet riposte\n' })
 */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runner ? runner.run(file, args, options) : runLocal(file, args, options);
}

/** {@link run} in this process, whatever runner is installed. */
export function runLocal(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      shell: false,
      windowsHide: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...(options.env ?? process.env), LC_ALL: 'C' },
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += d;
    });
    child.stderr.on('data', (d: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new ProgramError('RIPOSTE_ERR_AR_FAILED', `Cannot run ${file}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) reject(new ProgramError('RIPOSTE_ERR_AR_FAILED', `${file} ${args.join(' ')} did not finish within ${timeoutMs} ms`));
      else resolve({ code, signal, stdout, stderr });
    });
    // A tool that exits without reading its input must not crash us with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/**
 * The failure of a tool run, as one line for stderr.
 * @example describeFailure('/usr/sbin/ip', ['route', 'add'], result) // '/usr/sbin/ip route add failed (exit 2): RTNETLINK answers: File exists'
 */
export function describeFailure(file: string, args: readonly string[], r: RunResult): string {
  const status = r.code !== null ? `exit ${r.code}` : `signal ${r.signal ?? '?'}`;
  const text = (r.stderr.trim() || r.stdout.trim()).replace(/\s*\n\s*/g, ' | ');
  return `${path.basename(file)} ${args.join(' ')} failed (${status})${text ? `: ${text.slice(0, 2000)}` : ''}`;
}

/**
 * Run a tool and fail unless it exits 0.
 * @throws ProgramError `RIPOSTE_ERR_AR_FAILED` with the tool's message
 * @example await runOk('/usr/sbin/usermod', ['-L', '--', 'alice'])
 */
export async function runOk(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const r = await run(file, args, options);
  if (r.code !== 0) throw new ProgramError('RIPOSTE_ERR_AR_FAILED', describeFailure(file, args, r));
  return r;
}
