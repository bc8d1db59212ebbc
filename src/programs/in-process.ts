/**
 * The bundled programs that may run inside the daemon, and how far their runs may overlap: a
 * registry, so the responder asks about a capability instead of testing a program's name. A
 * program listed here has the same validation, actions and exit codes in-process as its
 * executable (both go through `_run.ts`); its file is still resolved in the bundled directory,
 * and a program of the same name elsewhere runs as a child like any other.
 * @module
 */
import type { InProcessMain } from '../execute/in-process.ts';
import { firewallDrop, runMessage as firewallDropMessage } from './firewall-drop.ts';

/** What the responder needs to run a bundled program in-process. */
export interface InProcessProgram {
  readonly main: InProcessMain;
  /**
   * Runs of this program in flight at once (each serialised per target). A run costs an entry in
   * the block channel, which commits everything waiting as one transaction (up to 1024), so the
   * limit is two transactions' worth: one in flight, the next one filling. More would only queue
   * in the channel, where a fresh block would wait behind them.
   */
  readonly concurrency: number;
}

/** Bundled programs runnable in-process, by executable name. */
export const IN_PROCESS_PROGRAMS: ReadonlyMap<string, InProcessProgram> = new Map([
  [firewallDrop.name, { main: firewallDropMessage, concurrency: 2048 }],
]);
