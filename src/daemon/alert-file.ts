/**
 * `alerts.json`, appended whole batches at a time: a batch's lines are written completely or not
 * at all (a failed write, e.g. ENOSPC, is cut back to where it began), so the file never holds a
 * torn alert, and a retry after the disk was freed writes each line once.
 *
 * Durability: a batch counts as written once write(2) returned for all of it: the bytes are in the
 * kernel's page cache, which survives a crash or `kill -9` of the daemon (the guarantee Riposte
 * gives), but not a power loss or kernel crash (that would take an fsync per batch). How far the
 * file is written is committed with the log checkpoints (the store's output mark), and
 * {@link AlertFile.open} cuts the file back to that mark: lines written after the last checkpoint
 * belong to events the tailer reads again, so they are written again, once.
 * @module
 */
import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import type { OutputMark } from '../store/types.ts';

/**
 * One open alerts.json.
 * @example
 * const f = AlertFile.open('/var/lib/riposte/alerts.json', store.getOutputMark('alerts.json'));
 * f.append(text); store.commitBatch({ output: { name: 'alerts.json', mark: f.mark() }, … });
 */
export class AlertFile {
  readonly path: string;
  /** Bytes cut back at open (written after the last committed checkpoint). */
  readonly cutBytes: number;
  #fd: number | null;

  private constructor(path: string, fd: number, cutBytes: number) {
    this.path = path;
    this.#fd = fd;
    this.cutBytes = cutBytes;
  }

  /**
   * Open for appending (created owner and group readable), cutting back what lies beyond `mark`
   * when the file is the one the mark was taken on.
   * @param mark the store's output mark, or null on a first start
   */
  static open(path: string, mark: OutputMark | null): AlertFile {
    const fd = openSync(path, 'a', 0o640);
    try {
      const st = fstatSync(fd);
      let cut = 0;
      if (mark && mark.inode === st.ino && st.size > mark.size) {
        cut = st.size - mark.size;
        ftruncateSync(fd, mark.size);
      }
      return new AlertFile(path, fd, cut);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Where the file ends now: what a checkpoint committed after a successful append covers. */
  mark(): OutputMark {
    const st = fstatSync(this.#open());
    return { inode: st.ino, size: st.size };
  }

  /**
   * Append `text` (whole lines) completely, or leave the file as it was and throw.
   * @throws the write's error (e.g. ENOSPC) after cutting back the part that was written
   */
  append(text: string): void {
    const fd = this.#open();
    const buf = Buffer.from(text, 'utf8');
    // Measured per append, not tracked: a copytruncate by logrotate may have emptied the file.
    const before = fstatSync(fd).size;
    let done = 0;
    try {
      while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done);
    } catch (e) {
      if (done > 0) {
        try {
          ftruncateSync(fd, before);
        } catch {
          // Cutting back frees space, so it only fails if the file is gone: nothing to cut.
        }
      }
      throw e;
    }
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #open(): number {
    if (this.#fd === null) throw new Error(`Alert file "${this.path}" is closed`);
    return this.#fd;
  }
}
