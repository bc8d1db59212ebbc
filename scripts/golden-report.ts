/**
 * Prints per-corpus agreement with the Wazuh golden results, on (rule, level, decoder) and on
 * every field, with sample disagreements and a count of differing fields.
 * Usage: node --import tsx scripts/golden-report.ts [corpus...]
 */
import { loadRuleset, stockSources } from '../src/engine/load-ruleset.ts';
import { goldenCorpora, runCorpus, STOCK_RULESET } from '../test/support/golden.ts';

const names = process.argv.slice(2).length ? process.argv.slice(2) : goldenCorpora();
const t0 = performance.now();
const ruleset = loadRuleset(stockSources(STOCK_RULESET));
console.log(`ruleset loaded in ${(performance.now() - t0).toFixed(0)} ms`);
let total = 0;
let agree = 0;
let exact = 0;
const byField = new Map<string, number>();
for (const name of names) {
  const t1 = performance.now();
  const r = runCorpus(ruleset, name);
  total += r.lines;
  agree += r.agree;
  exact += r.exact;
  const pct = (n: number): string => (r.lines ? ((100 * n) / r.lines).toFixed(2) : '100.00');
  console.log(`${name}: ${r.agree}/${r.lines} (${pct(r.agree)}%) rule/level/decoder, ${r.exact}/${r.lines} (${pct(r.exact)}%) every field, in ${(performance.now() - t1).toFixed(0)} ms`);
  for (const d of r.disagreements.slice(0, 3)) console.log(`   #${d.n} want ${d.want} got ${d.got} :: ${d.log.slice(0, 160)}`);
  for (const d of r.fieldDisagreements) {
    const key = d.field.replace(/\[\d+\]/g, '[]');
    byField.set(key, (byField.get(key) ?? 0) + 1);
  }
  for (const d of r.fieldDisagreements.slice(0, 2)) console.log(`   #${d.n} ${d.field}: want ${d.want.slice(0, 300)}\n        got  ${d.got.slice(0, 300)}`);
}
const pct = (n: number): string => (total ? ((100 * n) / total).toFixed(3) : '100.000');
console.log(`TOTAL ${agree}/${total} (${pct(agree)}%) rule/level/decoder; ${exact}/${total} (${pct(exact)}%) every field`);
for (const [field, n] of [...byField].sort((a, b) => b[1] - a[1])) console.log(`   first differing field ${field}: ${n} lines`);
