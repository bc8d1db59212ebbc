/**
 * Find a response program by name, in the response directories only (ARCHITECTURE invariant "a
 * program outside the response directory is never executed; names with `/` or `..` are refused").
 *
 * Rules, stricter than Wazuh's execd (which rejects only names containing `..`):
 * - the name is a plain file name: not empty, at most 255 bytes, no `/`, `\`, `..`, NUL or other
 *   control character, no leading `-` (it would read as an option to tools such as `env`);
 * - the directories are searched in order (Riposte's bundled directory first, then e.g. an
 *   existing Wazuh `active-response/bin`); a directory that does not exist is skipped;
 * - the first directory holding the name decides: a file found there but refused (symlink
 *   escaping the directory, not a regular file, not executable, unsafe owner or mode) is an error,
 *   never a reason to fall through to a later directory, so a broken bundled program cannot be
 *   shadowed by a user one;
 * - the real path (symlinks resolved) must stay inside the real path of its directory;
 * - ownership and modes, as sshd's StrictModes checks a user's files: the program, and every
 *   directory from the program's up to the response directory, must be owned by root (or by the
 *   user Riposte runs as), not writable by others, and not group-writable unless the group is root
 *   (gid 0). Otherwise a non-root user could replace what root runs. The directories above the
 *   response directory, up to `/`, obey the same rule, except that a world- or group-writable one
 *   with the sticky bit (such as `/tmp`) is accepted when the next directory down is owned by
 *   root or Riposte's user: the sticky bit forbids others to rename or replace that entry.
 *
 * The caller runs the returned real path, so what was checked is what runs (the directories are
 * expected to be writable by root only; a swap between check and spawn is not defended against).
 * @module
 */
import { constants } from 'node:fs';
import { access, lstat, realpath, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { RiposteError } from '../errors.ts';

const MAX_NAME = 255;
// NUL, control characters (incl. newline and DEL), both path separators.
const BAD_CHARS = /[\x00-\x1f\x7f/\\]/;

/**
 * Why `name` is not a plain program name, or null when it is.
 * @example badProgramName('../../bin/sh') // 'contains "/"'
 */
export function badProgramName(name: string): string | null {
  if (name === '') return 'is empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME) return `is longer than ${MAX_NAME} bytes`;
  const bad = BAD_CHARS.exec(name);
  if (bad) return `contains ${JSON.stringify(bad[0])}`;
  if (name.includes('..')) return 'contains ".."';
  if (name.startsWith('-')) return 'starts with "-"';
  return null;
}

/**
 * The real path of the program `name` in the first of `dirs` that holds it.
 * @param name a plain file name (`<command><executable>` of ossec.conf)
 * @param dirs response directories, in search order
 * @throws RiposteError `RIPOSTE_ERR_EXEC_REFUSED` (bad name, escape, not a regular executable
 *   file, unsafe owner or mode of the file or of a directory above it),
 *   `RIPOSTE_ERR_EXEC_NOT_FOUND` (in none of the directories)
 * @example await resolveProgram('firewall-drop', ['/opt/riposte/responses', '/var/ossec/active-response/bin'])
 */
export async function resolveProgram(name: string, dirs: readonly string[]): Promise<string> {
  const why = badProgramName(name);
  if (why) throw refused(name, `the name ${why}`);
  for (const dir of dirs) {
    const realDir = await realOrNull(dir);
    if (realDir === null) continue;
    const candidate = join(realDir, name);
    let real: string | null;
    try {
      real = await realOrNull(candidate);
    } catch (e) {
      // ELOOP, EACCES…: something is there but cannot be checked.
      throw refused(name, `${candidate} cannot be resolved (${(e as { code?: string }).code ?? String(e)})`);
    }
    if (real === null) {
      // A dangling symlink is still a file "held" by this directory: refuse rather than skip.
      if (await exists(candidate)) throw refused(name, `${candidate} is a dangling symbolic link`);
      continue;
    }
    if (!real.startsWith(realDir.endsWith(sep) ? realDir : realDir + sep)) {
      throw refused(name, `${candidate} resolves to ${real}, outside ${realDir}`);
    }
    const st = await stat(real);
    if (!st.isFile()) throw refused(name, `${real} is not a regular file`);
    const unsafe = await unsafeOwnership(real, realDir);
    if (unsafe !== null) throw refused(name, unsafe);
    try {
      await access(real, constants.X_OK);
    } catch {
      throw refused(name, `${real} is not executable`);
    }
    return real;
  }
  throw new RiposteError('RIPOSTE_ERR_EXEC_NOT_FOUND', `Response program ${JSON.stringify(name)} is in no response directory: ${dirs.join(', ') || '(none)'}`);
}

/** The user Riposte runs as may own its programs (running them gives it nothing it lacks). */
function trustedOwner(uid: number): boolean {
  return uid === 0 || uid === (process.geteuid?.() ?? 0);
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

/** Why `path` (with its stat) lets a user other than root replace what it holds, or null. */
function unsafeMode(path: string, st: { uid: number; gid: number; mode: number }, what: string): string | null {
  const facts = `owner uid ${st.uid}, group gid ${st.gid}, mode ${octal(st.mode)}`;
  if (!trustedOwner(st.uid)) return `${what} ${path} is owned by a non-root user (${facts}): that user could change what runs as root`;
  if ((st.mode & 0o002) !== 0) return `${what} ${path} is writable by others (${facts}): any user could change what runs as root`;
  if ((st.mode & 0o020) !== 0 && st.gid !== 0) return `${what} ${path} is writable by a non-root group (${facts}): its members could change what runs as root`;
  return null;
}

/**
 * StrictModes-like check of the program `real` inside the response directory `realDir` (both
 * real paths), then of every directory above, up to `/` (see the module comment).
 */
async function unsafeOwnership(real: string, realDir: string): Promise<string | null> {
  const own = unsafeMode(real, await stat(real), 'the program');
  if (own !== null) return own;
  let dir = dirname(real);
  let inside = true;
  let below: { uid: number } | null = null;
  for (;;) {
    const st = await stat(dir);
    const sticky = (st.mode & 0o1000) !== 0;
    if (!inside && sticky && below !== null && trustedOwner(below.uid) && trustedOwner(st.uid)) {
      // A sticky directory above the response directory: others cannot rename the entry below.
    } else {
      const why = unsafeMode(dir, st, inside ? 'the directory' : 'the parent directory');
      if (why !== null) return why;
    }
    if (dir === realDir) inside = false;
    const up = dirname(dir);
    if (up === dir) return null;
    below = st;
    dir = up;
  }
}

async function realOrNull(p: string): Promise<string | null> {
  try {
    return await realpath(p);
  } catch (e) {
    if (isCode(e, 'ENOENT') || isCode(e, 'ENOTDIR')) return null;
    throw e;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}

function refused(name: string, why: string): RiposteError {
  return new RiposteError('RIPOSTE_ERR_EXEC_REFUSED', `Response program ${JSON.stringify(name)} refused: ${why}`);
}
