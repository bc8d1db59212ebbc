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
