/**
 * `riposte start`: follow the configured logs, decide and respond, revert on time.
 * @module
 */
import type { Command } from 'commander';
import { Daemon } from '../../daemon/start.ts';
import { DEFAULT_CONFIG } from '../../daemon/home.ts';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Run Riposte on this host: tail the <localfile>s, analyse, decide, respond and revert on time')
    .option('--config <file>', 'ossec.conf to run', DEFAULT_CONFIG)
    .option('--data-dir <dir>', 'where alerts.json, active-responses.log and the SQLite store live', '/var/lib/riposte')
    .option('--ruleset-dir <dir>', 'use this ruleset directory instead of the config\'s <ruleset>')
    .option('--response-dir <dir>', 'an extra directory of response programs (searched after the bundled one)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--from-start', 'read logs without a checkpoint from their start (default: only new lines)')
    .action(async (opts: { config: string; dataDir: string; rulesetDir?: string; responseDir: string[]; fromStart?: boolean }) => {
      // Listening before the start: a signal that comes while it starts stops the daemon cleanly
      // (lock released, output committed) once it is up, instead of killing it half-way.
      const stopRequested = new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      const daemon = await Daemon.start({
        configFile: opts.config,
        dataDir: opts.dataDir,
        ...(opts.rulesetDir ? { rulesetDir: opts.rulesetDir } : {}),
        responseDirs: opts.responseDir,
        fromStart: opts.fromStart === true,
      });
      await stopRequested;
      await daemon.stop();
    });
}
