/**
 * Engine throughput: loads the full stock ruleset, replays the 100k-line sshd golden corpus (and
 * a mixed corpus of every golden file) through one session, and prints figures. Pinned to one
 * core by `npm run bench:engine` (taskset). Last line with --json:
 * {"eps":…,"load_ms":…,"rss_mb":…,"lines":N,"mixed_eps":…,"mixed_lines":M}
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AnalysisSession } from '../src/engine/engine.ts';
import { loadRuleset, stockSources } from '../src/engine/load-ruleset.ts';

const SHARED = new URL('../../shared/', import.meta.url).pathname;
const GOLDEN = join(SHARED, 'conformance', 'wazuh-golden');
const json = process.argv.includes('--json');

function readLines(file: string): string[] {
  const text = readFileSync(file).toString('latin1');
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

const t0 = performance.now();
const ruleset = loadRuleset(stockSources(join(SHARED, 'wazuh-ruleset')));
const loadMs = performance.now() - t0;

function run(lines: readonly string[], location: string, rounds: number): number {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const session = new AnalysisSession(ruleset, () => 1_700_000_000);
    const start = performance.now();
    for (const line of lines) session.process(location, line);
    const eps = lines.length / ((performance.now() - start) / 1000);
    best = Math.max(best, eps);
  }
  return best;
}

const sshd = readLines(join(GOLDEN, 'sshd_100k.log'));
const eps = run(sshd, "/var/log/auth.log", 5);
const mixed: string[] = [];
for (const f of readdirSync(GOLDEN).filter((n) => n.endsWith('.log')).sort()) mixed.push(...readLines(join(GOLDEN, f)));
const mixedEps = run(mixed, '/var/log/auth.log', 2);
const rssMb = process.memoryUsage().rss / 2 ** 20;

const result = { eps: Math.round(eps), load_ms: Math.round(loadMs), rss_mb: Math.round(rssMb), lines: sshd.length, mixed_eps: Math.round(mixedEps), mixed_lines: mixed.length };
if (!json) {
  console.log(`ruleset load: ${result.load_ms} ms`);
  console.log(`sshd_100k: ${result.eps} events/s (${result.lines} lines, best of 5)`);
  console.log(`mixed (all golden corpora): ${result.mixed_eps} events/s (${result.mixed_lines} lines)`);
  console.log(`rss: ${result.rss_mb} MB`);
}
console.log(JSON.stringify(result));
