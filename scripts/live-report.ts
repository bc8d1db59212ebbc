/**
 * Compares Riposte's alerts.json with the live analysisd reference (`../shared/conformance/
 * wazuh-live/`) on every field but timestamp, id, agent.name and manager.name, per input and in
 * total.
 * Usage: node --import tsx scripts/live-report.ts [--start] [name...]
 *   default: the engine in process, as `riposte start` runs it;
 *   --start: each input streamed through a real `riposte start` process (root for absolute paths).
 */
import { loadRuleset, stockSources } from '../src/engine/load-ruleset.ts';
import { STOCK_RULESET } from '../test/support/golden.ts';
import { compareAlerts, liveAlertsInProcess, liveCorpora, liveReference } from '../test/support/live.ts';
import { alertsFromStart, canStartAt } from '../test/support/live-start.ts';

const args = process.argv.slice(2);
const viaStart = args.includes('--start');
const names = args.filter((a) => a !== '--start');
const ruleset = viaStart ? null : loadRuleset(stockSources(STOCK_RULESET));
let want = 0;
let equal = 0;
let skipped = 0;
const byField = new Map<string, number>();
for (const name of names.length ? names : liveCorpora()) {
  if (viaStart && !canStartAt(name)) {
    skipped++;
    console.log(`${name}: skipped (its location needs root)`);
    continue;
  }
  const t = performance.now();
  const got = ruleset ? liveAlertsInProcess(ruleset, name) : await alertsFromStart(name);
  const r = compareAlerts(name, liveReference(name), got);
  want += r.want;
  equal += r.equal;
  console.log(`${name}: ${r.equal}/${r.want} equal (${r.got} written) in ${(performance.now() - t).toFixed(0)} ms`);
  for (const d of r.differences) {
    const key = d.field.replace(/\[\d+\]/g, '[]');
    byField.set(key, (byField.get(key) ?? 0) + 1);
  }
  for (const d of r.differences.slice(0, 2)) console.log(`   #${d.n} ${d.field}: want ${d.want.slice(0, 300)}\n        got  ${d.got.slice(0, 300)}`);
}
console.log(`TOTAL ${equal}/${want} alerts equal (${want ? ((100 * equal) / want).toFixed(3) : '100.000'}%)${skipped ? `, ${skipped} inputs skipped` : ''}`);
for (const [field, n] of [...byField].sort((a, b) => b[1] - a[1])) console.log(`   first differing field ${field}: ${n} alerts`);
