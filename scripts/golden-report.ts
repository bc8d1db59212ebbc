/**
 * Prints per-corpus agreement with the Wazuh golden results and sample disagreements.
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
let dataBad = 0;
for (const name of names) {
  const t1 = performance.now();
  const r = runCorpus(ruleset, name);
  total += r.lines;
  agree += r.agree;
  const pct = r.lines ? ((100 * r.agree) / r.lines).toFixed(2) : '100.00';
  console.log(`${name}: ${r.agree}/${r.lines} (${pct}%) in ${(performance.now() - t1).toFixed(0)} ms`);
  for (const d of r.disagreements.slice(0, 3)) console.log(`   #${d.n} want ${d.want} got ${d.got} :: ${d.log.slice(0, 160)}`);
  dataBad += r.dataDisagreements.length;
  if (r.dataDisagreements.length) console.log(`   data/predecoder differ on ${r.dataDisagreements.length} lines`);
  for (const d of r.dataDisagreements.slice(0, 2)) console.log(`   #${d.n} data want ${d.want.slice(0, 300)}\n        got  ${d.got.slice(0, 300)}`);
}
console.log(`TOTAL ${agree}/${total} (${((100 * agree) / total).toFixed(3)}%); data/predecoder differ on ${dataBad} lines`);
