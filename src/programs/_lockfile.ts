/**
 * A small exclusive lock file and an atomic file rewrite, for programs that edit shared text files
 * (host-deny). Unlike Wazuh's `fw-drop` lock directory, a lock whose holder is dead is taken over
 * at once, and waiting is bounded by seconds, not the 10–20 minutes that stall Wazuh's execd.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProgramError } from './_contract.ts';

/** Options of {@link withLock}. */
export interface LockOptions {
  /** Give up after this long, @default 15000 */
  readonly waitMs?: number;
  /** A lock older than this is taken over even if its pid looks alive (pid reuse), @default 120000 */
  readonly staleMs?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove the lock when its holder is gone or it is too old; true when it was removed. */
async function breakIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, { mtimeMs }] = await Promise.all([fs.readFile(lockPath, 'utf8'), fs.stat(lockPath)]);
  } catch (e) {
    // Released between our attempt and this look: just try again.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw e;
  }
  const pid = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  // An unreadable pid may be a holder that has not written it yet: only age decides then.
  const dead = Number.isSafeInteger(pid) && pid > 0 && !alive(pid);
  if (!dead && Date.now() - mtimeMs < staleMs) return false;
  await fs.rm(lockPath, { force: true });
  return true;
}

/**
 * Run `fn` while holding the lock file `lockPath` (created exclusively, holding our pid).
 * @throws ProgramError `RIPOSTE_ERR_AR_FAILED` when the lock stays held past `waitMs`
 * @example await withLock('/etc/hosts.deny.riposte-lock', () => rewrite())
 */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.waitMs ?? 15_000);
  const staleMs = options.staleMs ?? 120_000;
  let delay = 20;
  for (;;) {
    try {
      const fh = await fs.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        await fh.writeFile(String(process.pid));
      } finally {
        await fh.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ProgramError('RIPOSTE_ERR_AR_FAILED', `Cannot create the lock ${lockPath}: ${(e as Error).message}`, { cause: e });
      }
    }
    if (await breakIfStale(lockPath, staleMs)) continue;
    if (Date.now() >= deadline) throw new ProgramError('RIPOSTE_ERR_AR_FAILED', `${lockPath} is held by another process; gave up waiting`);
    await sleep(delay);
    delay = Math.min(delay * 2, 500);
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}

/**
 * Replace a file's content atomically: write a temporary file beside it (same mode and owner),
 * flush it to disk, then rename it over the original. A crash leaves the old or the new file,
 * never a half-written one. A symbolic link is followed, so the link itself stays in place.
 * @param file the file to replace (created with mode 0644 when absent)
 * @param content the new content, written byte for byte (latin1)
 * @example await atomicWrite('/etc/hosts.deny', 'ALL: 192.0.2.1\n')
 */
export async function atomicWrite(file: string, content: string): Promise<void> {
  let target = file;
  let mode = 0o644;
  let owner: { uid: number; gid: number } | null = null;
  try {
    target = await fs.realpath(file);
    const st = await fs.stat(target);
    mode = st.mode & 0o7777;
    owner = { uid: st.uid, gid: st.gid };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.riposte-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await fh.writeFile(content, 'latin1');
    await fh.chmod(mode);
    if (owner && process.getuid?.() === 0) await fh.chown(owner.uid, owner.gid);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await syncDir(path.dirname(target));
}

async function syncDir(dir: string): Promise<void> {
  try {
    const dh = await fs.open(dir, constants.O_RDONLY);
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is already done.
  }
}
