/**
 * The first-time-seen keys of `<if_fts/>` rules kept in a file, as analysisd keeps them in
 * `queue/fts/fts-queue`: read whole at start, each new key appended the moment it is first seen,
 * so a restarted daemon does not announce a second "first time" for what it already saw. One key
 * per line, written as a JSON string (keys are byte strings and may hold any byte but none of the
 * line's own framing survives unescaped). A torn last line (a crash mid-write) is skipped with a
 * warning naming file and line; the key it held is seen again as new, never lost silently.
 * @module
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { RiposteError } from '../errors.ts';
import type { FtsStore } from '../rules/match.ts';

/**
 * Most keys kept. analysisd's store has no bound; IDS floods are already folded by the
 * near-duplicate rule, but other decoders' keys (users, addresses) can grow without end. Past the
 * bound a new key is reported as a first time each time it comes (detection fails open, never
 * silent: a warning says so once).
 */
export const FTS_MAX_KEYS = 1_000_000;

export class FtsQueueFile implements FtsStore {
  readonly #path: string;
  readonly #keys = new Set<string>();
  readonly #warn: (message: string) => void;
  readonly #maxKeys: number;
  #full = false;
  /** Keys kept in memory only because appending them failed (they are seen again after a restart). */
  unsaved = 0;

  private constructor(path: string, warn: (message: string) => void, maxKeys: number) {
    this.#path = path;
    this.#warn = warn;
    this.#maxKeys = maxKeys;
  }

  /**
   * Open (or start) the queue at `path`; `warn` hears about lines that cannot be read.
   * @example const fts = FtsQueueFile.open('/var/lib/riposte/fts-queue', console.warn);
   */
  static open(path: string, warn: (message: string) => void, maxKeys = FTS_MAX_KEYS): FtsQueueFile {
    const q = new FtsQueueFile(path, warn, maxKeys);
    let text = '';
    try {
      text = readFileSync(path, 'latin1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new RiposteError('RIPOSTE_ERR_FTS_QUEUE', `Cannot read the fts queue "${path}": ${(e as Error).message}`, undefined, { cause: e });
      }
    }
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line === '') continue;
      try {
        const key = JSON.parse(line) as unknown;
        if (typeof key !== 'string') throw new TypeError('not a string');
        q.#keys.add(key);
      } catch {
        warn(`${path}:${i + 1}: unreadable fts queue line skipped (its key counts as not seen)`);
      }
    }
    return q;
  }

  /** Number of keys seen. */
  get size(): number {
    return this.#keys.size;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /**
   * Remember `key`, on disk before the alert that announces it is written. A failed append
   * (disk full) must not stop the analysis: the key is kept in memory, counted and warned about.
   */
  add(key: string): void {
    if (this.#keys.has(key)) return;
    if (this.#keys.size >= this.#maxKeys) {
      if (!this.#full) this.#warn(`The fts queue "${this.#path}" holds ${this.#maxKeys} keys: new keys are no longer remembered (each is a first time again)`);
      this.#full = true;
      return;
    }
    this.#keys.add(key);
    try {
      // Keys are byte strings: latin1 writes each as the byte it stands for.
      appendFileSync(this.#path, `${JSON.stringify(key)}\n`, { encoding: 'latin1', mode: 0o640 });
    } catch (e) {
      this.unsaved++;
      this.#warn(`Cannot append to the fts queue "${this.#path}": ${(e as Error).message} (kept in memory only; ${this.unsaved} key(s) unsaved)`);
    }
  }
}
