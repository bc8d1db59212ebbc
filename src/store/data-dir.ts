/**
 * Opening the store of a data directory (`riposte.db` in `--data-dir`), creating both when they
 * do not exist yet: operator commands work before the first `riposte start` (the seed asks for
 * `allowlist add` before anything is enabled), and every failure says what is missing and what
 * to do instead of a raw ENOENT or EACCES.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './errors.ts';
import { Store, type StoreOptions } from './store.ts';

/** The store file's name inside a data directory. */
export const STORE_FILE = 'riposte.db';

/**
 * Create the data directory (owner-only) when it is missing.
 * @throws StoreError `RIPOSTE_ERR_STORE_OPEN` naming the directory and what to do
 * @example ensureDataDir('/var/lib/riposte')
 */
export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const what =
      code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? `permission denied. Run this command as the user that runs riposte start (root by default, e.g. with sudo), or pass --data-dir to a directory you can write`
        : e instanceof Error ? e.message : String(e);
    throw new StoreError('RIPOSTE_ERR_STORE_OPEN', `Cannot create or enter the data directory "${dataDir}": ${what}`, { cause: e });
  }
}

/**
 * Open (creating when needed) the store of a data directory.
 * @throws StoreError `RIPOSTE_ERR_STORE_OPEN` (missing, permission) or `RIPOSTE_ERR_STORE_CORRUPT`
 * @example const store = openDataDirStore('/var/lib/riposte');
 */
export function openDataDirStore(dataDir: string, opts: StoreOptions = {}): Store {
  ensureDataDir(dataDir);
  return Store.open(join(dataDir, STORE_FILE), opts);
}
