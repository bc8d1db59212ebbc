/**
 * The checkpoint contract between a tailer and its store (a JSON file for tests and the CLI,
 * SQLite on the agent). A checkpoint says how far a source was read AND acknowledged.
 * @module
 */

/** Where reading of one source may resume. */
export interface Checkpoint {
  /** Inode of the file the offset belongs to. */
  readonly inode: number;
  /** Byte offset just after the last acknowledged line (always on a line boundary, except after a flushed partial line). */
  readonly offset: number;
  /** `"<length>:<sha1 hex>"` of the file's first bytes (at most the tailer's `fingerprintBytes`). */
  readonly fingerprint: string;
}

/**
 * Persists checkpoints by source name. `put` is called only after the consumer acknowledged the
 * lines up to `offset`; it should be durable when it returns (a crash then re-delivers, never loses).
 */
export interface CheckpointStore {
  get(source: string): Checkpoint | null;
  put(source: string, cp: Checkpoint): void;
}
