/**
 * Conformance: every golden corpus of the reference engine, one session per file, compared line by
 * line on every field of the logtest record (rule, alert flag, decoder, predecoder, data, full_log),
 * values, types and nesting included; only the reference's processing clock `t` is not a result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleset, stockSources } from '../src/engine/load-ruleset.ts';
import { goldenCorpora, runCorpus, STOCK_RULESET } from './support/golden.ts';

const ruleset = loadRuleset(stockSources(STOCK_RULESET));

for (const name of goldenCorpora()) {
  test(`logtest agrees with Wazuh 4.14.7 on every field of every line of ${name}`, () => {
    const r = runCorpus(ruleset, name);
    const sample = r.disagreements.slice(0, 5).map((d) => `#${d.n} want ${d.want} got ${d.got}`).join('\n');
    assert.equal(r.agree, r.lines, `${r.lines - r.agree} of ${r.lines} lines disagree:\n${sample}`);
    const fields = r.fieldDisagreements.slice(0, 3).map((d) => `#${d.n} ${d.field}: want ${d.want.slice(0, 300)} got ${d.got.slice(0, 300)}`).join('\n');
    assert.equal(r.exact, r.lines, `${r.lines - r.exact} of ${r.lines} lines differ on some field:\n${fields}`);
  });
}
