/**
 * Writes a synthetic auth log with known truth (see test/support/auth-corpus.ts) to stdout.
 * Usage: node --import tsx scripts/gen-auth-log.ts [backgroundLines] > auth.log
 */
import { makeAuthCorpus } from '../test/support/auth-corpus.ts';

const n = Number(process.argv[2] ?? 200_000);
process.stdout.write(makeAuthCorpus(n).lines.join('\n') + '\n');
