/**
 * Writes a synthetic auth log with known truth (see test/support/auth-corpus.ts) to stdout.
 * Usage:
 *   node --import tsx scripts/gen-auth-log.ts [backgroundLines] > auth.log
 *   node --import tsx scripts/gen-auth-log.ts --distributed [--sources N] [--seed S] [--truth FILE] > auth.log
 * `--distributed` writes the distributed brute force of makeBruteForceCorpus (N brute-force
 * sources, default 300, among legitimate users and scanners); `--truth` saves each source's role
 * as JSON (`{"year":…,"roles":{"203.0.113.9":"brute-force",…}}`), to check a replay against.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { makeAuthCorpus, makeBruteForceCorpus } from '../test/support/auth-corpus.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    distributed: { type: 'boolean', default: false },
    sources: { type: 'string', default: '300' },
    seed: { type: 'string', default: '7' },
    truth: { type: 'string' },
  },
});

if (values.distributed) {
  const corpus = makeBruteForceCorpus({ bruteForce: Number(values.sources), seed: Number(values.seed) });
  process.stdout.write(corpus.lines.join('\n') + '\n');
  if (values.truth) writeFileSync(values.truth, JSON.stringify({ year: corpus.year, roles: Object.fromEntries(corpus.roles) }) + '\n');
} else {
  const n = Number(positionals[0] ?? 200_000);
  process.stdout.write(makeAuthCorpus(n).lines.join('\n') + '\n');
}
