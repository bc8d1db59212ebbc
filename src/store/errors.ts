/**
 * The store's errors: codes from the registry in src/errors.ts.
 * @module
 */
import { ERROR_CODES, RiposteError, type ErrorCode } from '../errors.ts';

export type StoreErrorCode = Extract<ErrorCode, `RIPOSTE_ERR_STORE_${string}`>;

/** The store's subset of the registry. */
export const STORE_ERROR_CODES = Object.fromEntries(
  Object.entries(ERROR_CODES).filter(([k]) => k.startsWith('RIPOSTE_ERR_STORE_')),
) as Record<StoreErrorCode, string>;

/**
 * An error of the store, with a stable code.
 * @example
 * throw new StoreError('RIPOSTE_ERR_STORE_INVALID', 'An allowlist entry needs a reason');
 */
export class StoreError extends RiposteError {
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, undefined, options);
    this.name = 'StoreError';
  }
}

/**
 * The error for a store file that cannot be opened: names the file, says what is wrong and what
 * to do (a missing directory, a permission, a file that is not a database).
 * @param file the store file
 * @param cause what opening it threw
 * @example throw openError('/var/lib/riposte/riposte.db', err);
 */
export function openError(file: string, cause: unknown): StoreError {
  const code = (cause as { code?: unknown } | null)?.code;
  const why = cause instanceof Error ? cause.message : String(cause);
  if (code === 'ENOENT') {
    return new StoreError('RIPOSTE_ERR_STORE_OPEN', `Cannot create the store "${file}": its directory does not exist. Create it, or pass --data-dir`, { cause });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY') {
    return new StoreError(
      'RIPOSTE_ERR_STORE_OPEN',
      `Cannot open the store "${file}": permission denied. It belongs to the user that runs riposte start (root by default): run this command as that user (e.g. with sudo), or pass --data-dir to a directory you own`,
      { cause },
    );
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'))) {
    return corruptError(file, cause);
  }
  return new StoreError('RIPOSTE_ERR_STORE_OPEN', `Cannot open the store "${file}": ${why}`, { cause });
}

/**
 * The error for a store file that is not a readable database, with the way out.
 * @example throw corruptError(file, err);
 */
export function corruptError(file: string, cause: unknown): StoreError {
  const why = cause instanceof Error ? cause.message : String(cause);
  const dir = file.replace(/\/[^/]*$/, '') || '.';
  return new StoreError(
    'RIPOSTE_ERR_STORE_CORRUPT',
    `The store "${file}" is damaged (${why}): Riposte cannot start on it, and the active blocks it recorded will not be reverted on time. ` +
      `Run "riposte store check --data-dir ${dir}" to see what is wrong, then "riposte store recover --data-dir ${dir}" to move it aside, keep what is readable and lift the blocks still in Riposte's firewall sets`,
    { cause },
  );
}
