/**
 * Entry point: wiring only. This is the one place allowed to end the process.
 * @module
 */
import { buildCli } from './cli/program.ts';

const program = buildCli();
program.parseAsync(process.argv).catch((err: unknown) => {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`riposte: ${msg}\n`);
  process.exit(1);
});
