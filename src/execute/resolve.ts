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
 *   escaping the directory, not a regular file, not executable, writable by others) is an error,
 *   never a reason to fall through to a later directory, so a broken bundled program cannot be
 *   shadowed by a user one;
 * - the real path (symlinks resolved) must stay inside the real path of its directory.
 *
 * The caller runs the returned real path, so what was checked is what runs (the directories are
 * expected to be writable by root only; a swap between check and spawn is not defended against).
 * @module
 */
import { constants } from 'node:fs';
import { access, lstat, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
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
 *   file, writable by others), `RIPOSTE_ERR_EXEC_NOT_FOUND` (in none of the directories)
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
    if ((st.mode & 0o002) !== 0) throw refused(name, `${real} is writable by others`);
    try {
      await access(real, constants.X_OK);
    } catch {
      throw refused(name, `${real} is not executable`);
    }
    return real;
  }
  throw new RiposteError('RIPOSTE_ERR_EXEC_NOT_FOUND', `Response program ${JSON.stringify(name)} is in no response directory: ${dirs.join(', ') || '(none)'}`);
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
