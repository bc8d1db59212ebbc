/**
 * `riposte store check|recover`: look at a damaged `riposte.db`, and get the host back to a
 * state Riposte owns (see daemon/store-recover.ts).
 * @module
 */
import type { Command } from 'commander';
import { checkStore, recoverStore } from '../../daemon/store-recover.ts';

export function registerStore(program: Command): void {
  const store = program.command('store').description('Check or recover the SQLite store (riposte.db)');
  store
    .command('check')
    .description('Check the store file without changing it; exits 1 when it is damaged')
    .option('--data-dir <dir>', 'Riposte data directory', '/var/lib/riposte')
    .action((o: { dataDir: string }) => {
      const c = checkStore(o.dataDir);
      if (!c.exists) {
        process.stdout.write(`${c.file}: no store yet (riposte start or riposte allowlist add creates it)\n`);
        return;
      }
      if (c.problems.length === 0) {
        process.stdout.write(`${c.file}: ok${c.active !== null ? `, ${c.active} response(s) in force` : ''}\n`);
        return;
      }
      process.stdout.write(`${c.file}: DAMAGED\n${c.problems.slice(0, 20).map((p) => `  ${p}\n`).join('')}`);
      process.stdout.write(
        `While it is damaged, riposte start refuses to run and the active blocks it recorded will not be reverted.\n` +
          `Run "riposte store recover --data-dir ${o.dataDir}" (as root) to move it aside, keep what is readable and lift the blocks still in Riposte's firewall sets.\n`,
      );
      process.exitCode = 1;
    });
  store
    .command('recover')
    .description('Move a damaged store aside, salvage what is readable into a new one, and lift the blocks no surviving record accounts for')
    .option('--data-dir <dir>', 'Riposte data directory', '/var/lib/riposte')
    .action((o: { dataDir: string }) => {
      const r = recoverStore(o.dataDir);
      const out = [
        `moved ${r.file} to ${r.movedTo}`,
        `kept ${r.salvaged.decisions} response(s) in force (reverted on time by the next start), ${r.salvaged.allowlist} allowlist entries, ${r.salvaged.offenders} offender(s), ${r.salvaged.checkpoints} log checkpoint(s)`,
        ...r.lost.map((t) => `lost: ${t}`),
        ...(r.lifted.length ? r.lifted.map((l) => `lifted ${l.split(' ')[1]} from inet riposte ${l.split(' ')[0]} (no surviving record)`) : ['no address to lift from Riposte\'s firewall sets']),
        ...r.notes.map((n) => `note: ${n}`),
        `new store: ${r.file}`,
      ];
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
