/**
 * A checkpoint store in one small JSON file, for tests and the CLI (the agent uses SQLite).
 * Every `put` rewrites the file through a temporary file and a rename, so a crash leaves either
 * the old or the new content, never a torn file. It does not fsync: after a power loss the last
 * checkpoints may be older, which re-delivers lines rather than losing them.
 * @module
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Checkpoint, CheckpointStore } from './checkpoint.ts';

interface FileShape {
  version: 1;
  sources: Record<string, Checkpoint>;
}

/**
 * @example
 * const store = new JsonCheckpointStore('/var/lib/riposte/checkpoints.json');
 */
export class JsonCheckpointStore implements CheckpointStore {
  readonly file: string;
  private readonly entries = new Map<string, Checkpoint>();
  private dirReady = false;

  /**
   * Loads `file` if it exists. An unreadable or malformed file is reported through `onWarning`
   * and treated as empty (every source then starts as never seen).
   */
  constructor(file: string, onWarning: (message: string) => void = () => {}) {
    this.file = file;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'ENOENT') onWarning(`Cannot read checkpoints "${file}": ${(err as Error).message}`);
      return;
    }
    try {
      const data = JSON.parse(text) as unknown;
      const sources = (data as Partial<FileShape> | null)?.sources;
      if (typeof sources !== 'object' || sources === null) throw new Error('no "sources" object');
      for (const [source, cp] of Object.entries(sources)) {
        if (isCheckpoint(cp)) this.entries.set(source, { inode: cp.inode, offset: cp.offset, fingerprint: cp.fingerprint });
        else onWarning(`Ignoring malformed checkpoint for "${source}" in "${file}"`);
      }
    } catch (err) {
      onWarning(`Ignoring malformed checkpoints file "${file}": ${(err as Error).message}`);
    }
  }

  get(source: string): Checkpoint | null {
    return this.entries.get(source) ?? null;
  }

  put(source: string, cp: Checkpoint): void {
    this.entries.set(source, { inode: cp.inode, offset: cp.offset, fingerprint: cp.fingerprint });
    const data: FileShape = { version: 1, sources: Object.fromEntries(this.entries) };
    const tmp = `${this.file}.tmp`;
    if (!this.dirReady) mkdirSync(dirname(this.file), { recursive: true });
    this.dirReady = true;
    writeFileSync(tmp, `${JSON.stringify(data, null, 1)}\n`);
    renameSync(tmp, this.file);
  }
}

function isCheckpoint(v: unknown): v is Checkpoint {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    Number.isSafeInteger(o['inode']) &&
    Number.isSafeInteger(o['offset']) &&
    (o['offset'] as number) >= 0 &&
    typeof o['fingerprint'] === 'string'
  );
}
