/**
 * restart: restart the systemd unit named in extra_args (`--unit nginx.service`, or the unit as the
 * only bare word) with `systemctl restart`; delete has nothing to revert. The unit comes from the
 * configuration only, never from the alert, and must be a plain unit name.
 * @module
 */
import { ProgramError, type ExitCode } from './_contract.ts';
import { requireTool, runOk } from './_exec.ts';
import { runProgram, type ProgramIo, type ProgramSpec } from './_run.ts';

/**
 * systemd's unit-name characters (`unit_name_is_valid`): ASCII letters, digits and `:-_.\@`, at most
 * 255 bytes. A leading `-` (an option to systemctl) or `.` is refused as well.
 */
const UNIT_NAME = /^[A-Za-z0-9:_@\\][A-Za-z0-9:_.@\\-]{0,254}$/;

/**
 * Validate a unit name.
 * @throws ProgramError `RIPOSTE_ERR_AR_INPUT` when it is not a plain unit name
 * @example checkUnit('nginx.service') // 'nginx.service'
 */
export function checkUnit(unit: string): string {
  if (!UNIT_NAME.test(unit)) throw new ProgramError('RIPOSTE_ERR_AR_INPUT', `Invalid unit name ${JSON.stringify(unit.slice(0, 300))}`);
  return unit;
}

/**
 * The argv of systemctl.
 * @example restartArgs('nginx.service') // ['restart', '--', 'nginx.service']
 */
export function restartArgs(unit: string): string[] {
  return ['restart', '--', unit];
}

/** The program. */
export const restart: ProgramSpec<{ readonly unit: string; readonly systemctl: string }> = {
  name: 'restart',
  flags: { unit: 'value' },
  positionals: 1,
  prepare({ args, env }) {
    const flag = args.values.get('unit');
    const word = args.positionals[0];
    if (flag !== undefined && word !== undefined) throw new ProgramError('RIPOSTE_ERR_AR_INPUT', 'Give the unit once: --unit or a bare word, not both');
    const unit = flag ?? word;
    if (unit === undefined) throw new ProgramError('RIPOSTE_ERR_AR_INPUT', 'No unit to restart: put "--unit <name>" in extra_args');
    return { unit: checkUnit(unit), systemctl: requireTool('systemctl', env, 'restart needs systemd') };
  },
  key: (t) => t.unit,
  async add(t, { env, log }) {
    // A restart waits for the unit's stop and start jobs: allow slow services.
    await runOk(t.systemctl, restartArgs(t.unit), { env, timeoutMs: 120_000 });
    log.info(`Restarted ${t.unit}`);
  },
  async delete(t, { log }) {
    log.info(`Nothing to revert for the restart of ${t.unit}`);
  },
};

/**
 * Run restart as the current process.
 * @example process.exitCode = await main()
 */
export function main(io?: ProgramIo): Promise<ExitCode> {
  return runProgram(restart, io);
}
