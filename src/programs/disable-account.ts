/**
 * disable-account: lock (add) or unlock (delete) the alert's account (`data.dstuser`).
 * Interchangeable with Wazuh's program, and safer:
 * - `root`, any uid-0 account and system accounts (uid outside `UID_MIN`..`UID_MAX` of
 *   /etc/login.defs, 1000..60000 by default) are refused unless `--allow-system` is in extra_args
 *   (uid 0 is refused always);
 * - the account is also EXPIRED, because a locked password does not stop SSH-key logins. The
 *   expiry date is a marker only Riposte uses: 1 (1970-01-02) = "Riposte locked the password",
 *   2 = "the password was already locked". Delete reads it back, so it never unlocks a password an
 *   administrator had locked, and never clears an expiry date an administrator set (such an
 *   account gets the password lock only, as with Wazuh);
 * - a missing account fails with a clear message and exit code.
 * Without usermod, `passwd -l` / `passwd -u` are used (no expiry then).
 * @module
 */
import { promises as fs } from 'node:fs';
import { ProgramError, type ExitCode } from './_contract.ts';
import { describeFailure, findTool, run, runOk } from './_exec.ts';
import type { Logger } from './_log.ts';
import { runProgram, type ProgramIo, type ProgramSpec } from './_run.ts';
import { userFromAlert } from './_targets.ts';

/** Expiry markers (days since the epoch) that record what the add did. */
export const EXPIRY_MARKER = { LOCKED_BY_RIPOSTE: '1', WAS_LOCKED: '2' } as const;

/** Regular accounts' uid range: `UID_MIN` and `UID_MAX` of login.defs, or their defaults. */
export interface UidRange {
  readonly min: number;
  readonly max: number;
}

/**
 * Read the regular-account uid range from the text of /etc/login.defs.
 * @example uidRange('UID_MIN 500\n') // { min: 500, max: 60000 }
 */
export function uidRange(loginDefs: string): UidRange {
  const get = (key: string, dflt: number): number => {
    const m = new RegExp(`^[ \\t]*${key}[ \\t]+([0-9]+)[ \\t]*$`, 'm').exec(loginDefs);
    return m ? Number(m[1]) : dflt;
  };
  return { min: get('UID_MIN', 1000), max: get('UID_MAX', 60000) };
}

/**
 * Why an account must not be touched, or null.
 * @example accountRefusal('daemon', 1, { min: 1000, max: 60000 }, false) // 'is a system account (uid 1); add --allow-system to allow it'
 */
export function accountRefusal(user: string, uid: number, range: UidRange, allowSystem: boolean): string | null {
  if (uid === 0) return `has uid 0`;
  if (!allowSystem && (uid < range.min || uid > range.max)) return `is a system account (uid ${uid}); add --allow-system to allow it`;
  return null;
}

/** An account as getent reports it. */
interface Account {
  readonly uid: number;
  /** Password and expiry fields of the shadow entry, when readable. */
  readonly shadow: { readonly password: string; readonly expire: string } | null;
}

async function lookup(user: string, env: NodeJS.ProcessEnv): Promise<Account | null> {
  const getent = findTool('getent', env);
  if (getent === null) throw new ProgramError('RIPOSTE_ERR_AR_UNAVAILABLE', '"getent" is not installed: cannot look the account up');
  const pw = await run(getent, ['passwd', '--', user], { env });
  if (pw.code === 2) return null;
  if (pw.code !== 0) throw new ProgramError('RIPOSTE_ERR_AR_FAILED', describeFailure(getent, ['passwd', '--', user], pw));
  const uid = Number(pw.stdout.split('\n')[0]?.split(':')[2]);
  if (!Number.isSafeInteger(uid)) throw new ProgramError('RIPOSTE_ERR_AR_FAILED', `Cannot read the uid of "${user}" from getent`);
  const sh = await run(getent, ['shadow', '--', user], { env });
  const fields = sh.code === 0 ? (sh.stdout.split('\n')[0] ?? '').split(':') : [];
  const shadow = fields.length >= 9 ? { password: fields[1] as string, expire: fields[7] as string } : null;
  return { uid, shadow };
}

/** The validated account and the tools to change it. */
export interface AccountTarget {
  readonly user: string;
  readonly usermod: string | null;
  readonly passwd: string | null;
}

async function lockAccount(t: AccountTarget, account: Account, env: NodeJS.ProcessEnv, log: Logger): Promise<void> {
  if (t.usermod === null) {
    await runOk(t.passwd as string, ['-l', '--', t.user], { env });
    log.info(`Locked the password of ${t.user} (passwd -l; no usermod, so the account is not expired)`);
    return;
  }
  const sh = account.shadow;
  if (sh && sh.expire === '') {
    const marker = sh.password.startsWith('!') ? EXPIRY_MARKER.WAS_LOCKED : EXPIRY_MARKER.LOCKED_BY_RIPOSTE;
    await runOk(t.usermod, ['-L', '-e', marker, '--', t.user], { env });
    log.info(`Disabled ${t.user} (password locked, account expired)`);
    return;
  }
  if (sh && Object.values(EXPIRY_MARKER).includes(sh.expire as '1')) {
    log.info(`${t.user} is already disabled`);
    return;
  }
  await runOk(t.usermod, ['-L', '--', t.user], { env });
  log.info(`Locked the password of ${t.user} (${sh ? 'it has an expiry date of its own, left alone' : 'shadow entry unreadable'}: SSH-key logins still work)`);
}

async function unlockAccount(t: AccountTarget, account: Account, env: NodeJS.ProcessEnv, log: Logger): Promise<void> {
  if (t.usermod === null) {
    await runOk(t.passwd as string, ['-u', '--', t.user], { env });
    log.info(`Unlocked the password of ${t.user} (passwd -u)`);
    return;
  }
  const expire = account.shadow?.expire;
  if (expire === EXPIRY_MARKER.WAS_LOCKED) {
    await runOk(t.usermod, ['-e', '', '--', t.user], { env });
    log.info(`Re-enabled ${t.user} (expiry cleared; its password was locked before, so it stays locked)`);
    return;
  }
  const args = expire === EXPIRY_MARKER.LOCKED_BY_RIPOSTE ? ['-U', '-e', '', '--', t.user] : ['-U', '--', t.user];
  await runOk(t.usermod, args, { env });
  log.info(`Re-enabled ${t.user} (password unlocked${args.includes('-e') ? ', expiry cleared' : ''})`);
}

/** The program. */
export const disableAccount: ProgramSpec<AccountTarget> = {
  name: 'disable-account',
  flags: { 'allow-system': 'switch' },
  async prepare({ msg, args, env }) {
    const user = userFromAlert(msg.alert);
    const usermod = findTool('usermod', env);
    const passwd = usermod === null ? findTool('passwd', env) : null;
    if (usermod === null && passwd === null) throw new ProgramError('RIPOSTE_ERR_AR_UNAVAILABLE', 'Neither usermod nor passwd is installed: install the passwd package');
    const account = await lookup(user, env);
    // Deleting what no longer exists is done; adding to it is a failure worth seeing.
    if (account === null && msg.command === 'delete') return { user, usermod, passwd };
    if (account === null) throw new ProgramError('RIPOSTE_ERR_AR_FAILED', `No account named "${user}"`);
    let defs = '';
    try {
      defs = await fs.readFile('/etc/login.defs', 'utf8');
    } catch {
      // No login.defs: the shadow-utils defaults apply.
    }
    const why = accountRefusal(user, account.uid, uidRange(defs), args.switches.has('allow-system'));
    if (why) throw new ProgramError('RIPOSTE_ERR_AR_REFUSED', `Refusing to act on "${user}": it ${why}`);
    return { user, usermod, passwd };
  },
  key: (t) => t.user,
  // The account is read again at each step: the handshake may have waited.
  async add(t, { env, log }) {
    const account = await lookup(t.user, env);
    if (account === null) throw new ProgramError('RIPOSTE_ERR_AR_FAILED', `No account named "${t.user}"`);
    await lockAccount(t, account, env, log);
  },
  async delete(t, { env, log }) {
    const account = await lookup(t.user, env);
    if (account === null) log.info(`No account named "${t.user}": nothing to do`);
    else await unlockAccount(t, account, env, log);
  },
};

/**
 * Run disable-account as the current process.
 * @example process.exitCode = await main()
 */
export function main(io?: ProgramIo): Promise<ExitCode> {
  return runProgram(disableAccount, io);
}
