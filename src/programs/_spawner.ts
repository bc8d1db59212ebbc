/**
 * A small helper process that starts the system tools (`conntrack`, the one-shot `nft -f -`…) on
 * behalf of the daemon, so the daemon itself never forks.
 *
 * Why: Node starts a child with fork(2). Forking the daemon (a few hundred MB once the ruleset is
 * loaded) copies its page tables, stalling the event loop, and write-protects every page, so for
 * a while afterwards each first write to a page is a page fault. On this project's 2-vCPU VM that
 * was ~60 faults (≈1 ms) inside the next decision's SQLite commit alone, on every block, because
 * firewall-drop runs `conntrack` twice after each one. The helper is started before the ruleset
 * loads, while the daemon is small, and its own forks are cheap and off the daemon's path.
 *
 * Protocol: one JSON request per line on the helper's stdin, one JSON reply per line on its
 * stdout, matched by id. The helper runs each request with `run` from `_exec.ts` (argv arrays,
 * never a shell), so the results are exactly what a direct call returns. It exits when its stdin
 * closes, i.e. when the daemon is gone.
 * @module
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ProgramError } from './_contract.ts';
import type { RunOptions, RunResult } from './_exec.ts';

interface Request {
  readonly id: number;
  readonly file: string;
  readonly args: readonly string[];
  /** With `env` always filled in: the helper's own environment is not the caller's. */
  readonly options: RunOptions;
}

type Reply = { readonly id: number } & ({ readonly ok: true; readonly result: RunResult } | { readonly ok: false; readonly message: string });

interface Pending {
  readonly resolve: (r: RunResult) => void;
  readonly reject: (e: Error) => void;
}

const MAIN = fileURLToPath(new URL('./_spawner-main.ts', import.meta.url));

/** The daemon's end: `run` has the signature and results of `_exec.ts`'s `run`. */
export class Spawner {
  #proc: ChildProcessWithoutNullStreams | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  /** Start the helper now (do it while the calling process is small), rather than on first use. */
  start(): this {
    this.#proc ??= this.#spawn();
    return this;
  }

  #spawn(): ChildProcessWithoutNullStreams {
    // The helper is TypeScript too: load it through the same tsx the daemon runs on.
    const p = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: p.stdout }).on('line', (line) => this.#onReply(JSON.parse(line) as Reply));
    p.stderr.resume();
    p.stdin.on('error', () => {});
    const gone = (why: string): void => {
      if (this.#proc !== p) return;
      this.#proc = null;
      for (const w of this.#pending.values()) w.reject(new ProgramError('RIPOSTE_ERR_AR_FAILED', `The tool runner helper ${why}`));
      this.#pending.clear();
    };
    p.on('exit', (code, signal) => gone(`exited (${signal ?? `exit ${code}`})`));
    p.on('error', (e) => gone(`failed: ${e.message}`));
    return p;
  }

  #onReply(reply: Reply): void {
    const w = this.#pending.get(reply.id);
    if (!w) return;
    this.#pending.delete(reply.id);
    if (reply.ok) w.resolve(reply.result);
    else w.reject(new ProgramError('RIPOSTE_ERR_AR_FAILED', reply.message));
  }

  /** Run a tool in the helper; same contract as `_exec.ts`'s `run`. */
  run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const p = this.start().#proc as ChildProcessWithoutNullStreams;
    const id = this.#nextId++;
    const req: Request = { id, file, args, options: { ...options, env: options.env ?? process.env } };
    return new Promise<RunResult>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      p.stdin.write(`${JSON.stringify(req)}\n`);
    });
  }

  /** End the helper (its stdin closes; it exits once its runs are over). */
  close(): void {
    this.#proc?.stdin.end();
    this.#proc = null;
  }
}

/**
 * The helper's end: serve requests from `input` with `run` until `input` ends.
 * @param run the local tool runner (`_exec.ts`'s `run`)
 */
export function serveSpawner(
  run: (file: string, args: readonly string[], options: RunOptions) => Promise<RunResult>,
  input: NodeJS.ReadableStream,
  write: (line: string) => void,
): void {
  createInterface({ input }).on('line', (line) => {
    const req = JSON.parse(line) as Request;
    run(req.file, req.args, req.options).then(
      (result) => write(`${JSON.stringify({ id: req.id, ok: true, result } satisfies Reply)}\n`),
      (e: unknown) => write(`${JSON.stringify({ id: req.id, ok: false, message: e instanceof Error ? e.message : String(e) } satisfies Reply)}\n`),
    );
  });
}
