/**
 * One `riposte start` per data directory: an exclusive lock file (`riposte.lock`) holding the
 * holder's PID and its process start time. It is created atomically (a complete file is linked
 * into place, so nobody ever reads a half-written lock); a second start refuses, naming the lock
 * and the running PID. A lock whose process is gone (or whose PID now belongs to another process:
 * the start time differs) is stale and taken over, under a short-lived takeover lock so that two
 * starts racing for one stale lock cannot both win.
 * @module
 */
import { linkSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RiposteError } from '../errors.ts';

/** The lock file's name inside a data directory. */
export const LOCK_FILE = 'riposte.lock';

/** A takeover lock older than this was left by a crashed start. */
const TAKEOVER_STALE_MS = 10_000;

interface Holder {
  readonly pid: number;
  readonly start: string;
}

/** A held lock; release it at shutdown. */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/**
 * Take the data directory's lock, or throw.
 * @throws RiposteError `RIPOSTE_ERR_DAEMON_LOCKED` naming the lock file and the running PID
 * @example const lock = lockDataDir('/var/lib/riposte'); … lock.release();
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  const me: Holder = { pid: process.pid, start: startTimeOf(process.pid) ?? '' };
  const text = `${me.pid} ${me.start}\n`;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(tmp, file);
        return held(file, text);
      } catch (e) {
        if ((e as { code?: unknown }).code !== 'EEXIST') throw e;
      }
      const holder = readHolder(file);
      if (holder && alive(holder)) {
        throw new RiposteError(
          'RIPOSTE_ERR_DAEMON_LOCKED',
          `Another riposte start (PID ${holder.pid}) is running on the data directory "${dataDir}": it holds the lock "${file}". Stop it first, or use another --data-dir`,
        );
      }
      if (takeOver(file, tmp, holder)) return held(file, text);
    }
    throw new RiposteError('RIPOSTE_ERR_DAEMON_LOCKED', `Could not take the lock "${file}": another riposte start is taking it at the same time`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Replace a stale lock, under the takeover lock; false when someone else got there first. */
function takeOver(file: string, tmp: string, stale: Holder | null): boolean {
  const guard = `${file}.takeover`;
  try {
    linkSync(tmp, guard);
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'EEXIST') throw e;
    try {
      if (Date.now() - statSync(guard).mtimeMs > TAKEOVER_STALE_MS) rmSync(guard, { force: true });
    } catch {
      // gone meanwhile: try again
    }
    return false;
  }
  try {
    // Still the stale holder we saw? Then nobody took it over between our look and our guard.
    const now = readHolder(file);
    if (now?.pid !== stale?.pid || now?.start !== stale?.start) return false;
    renameSync(tmp, file);
    return true;
  } finally {
    rmSync(guard, { force: true });
  }
}

function held(file: string, text: string): DataDirLock {
  return {
    file,
    release: () => {
      try {
        // Only our own lock: a stale-lock takeover may have replaced it.
        if (readFileSync(file, 'utf8') === text) unlinkSync(file);
      } catch {
        // already gone
      }
    },
  };
}

function readHolder(file: string): Holder | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const m = /^(\d+) ?(\S*)/.exec(text);
  return m ? { pid: Number(m[1]), start: m[2] ?? '' } : null;
}

/** Whether the holder still runs: its PID exists and, where /proc tells, started when it did. */
function alive(h: Holder): boolean {
  if (!Number.isSafeInteger(h.pid) || h.pid <= 0) return false;
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'EPERM') return false;
  }
  const start = startTimeOf(h.pid);
  return start === null || h.start === '' || start === h.start;
}

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot); null without /proc. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
