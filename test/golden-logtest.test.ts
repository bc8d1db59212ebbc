/**
 * Conformance: every golden corpus of the reference engine, one session per file, compared line by
 * line on (rule id, level, decoder name), and on the decoded `data` and `predecoder` objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleset, stockSources } from '../src/engine/load-ruleset.ts';
import { goldenCorpora, runCorpus, STOCK_RULESET } from './support/golden.ts';

const ruleset = loadRuleset(stockSources(STOCK_RULESET));

for (const name of goldenCorpora()) {
  test(`logtest agrees with Wazuh 4.14.7 on every line of ${name}`, () => {
    const r = runCorpus(ruleset, name);
    const sample = r.disagreements.slice(0, 5).map((d) => `#${d.n} want ${d.want} got ${d.got}`).join('\n');
    assert.equal(r.agree, r.lines, `${r.lines - r.agree} of ${r.lines} lines disagree:\n${sample}`);
    const dataSample = r.dataDisagreements.slice(0, 3).map((d) => `#${d.n} want ${d.want} got ${d.got}`).join('\n');
    assert.equal(r.dataDisagreements.length, 0, `data/predecoder differ on ${r.dataDisagreements.length} lines:\n${dataSample}`);
  });
}
