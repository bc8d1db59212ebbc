/**
 * The durable store (SQLite): decisions as desired state, executions, offenders, the runtime
 * allowlist, the audit trail and tailer checkpoints. An adapter: it does I/O.
 * @module
 */
export { Store, type AllowlistInput, type StoreOptions } from './store.ts';
export { StoreError, STORE_ERROR_CODES, type StoreErrorCode } from './errors.ts';
export { canTransition, DECISION_STATES } from './transitions.ts';
export { SCHEMA_VERSION } from './schema.ts';
export type * from './types.ts';
export { ensureDataDir, openDataDirStore, STORE_FILE } from './data-dir.ts';
export { foldRefusals, MIN_AUDIT_RETENTION_SEC, type BatchCommit, type RefusalCount } from './store.ts';
