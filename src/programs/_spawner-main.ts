/**
 * Entry point of the tool runner helper (see `_spawner.ts`): serves run requests on stdin until
 * the daemon closes it.
 * @module
 */
import { runLocal } from './_exec.ts';
import { serveSpawner } from './_spawner.ts';

serveSpawner(runLocal, process.stdin, (line) => process.stdout.write(line));
