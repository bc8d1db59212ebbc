/**
 * The daemon's fast alerts.json serializer writes exactly what `JSON.stringify(alertJson())`
 * writes, on every line of every golden corpus (with firedtimes, dynamic descriptions, MITRE,
 * compliance groups, no_full_log rules and decoded data as the stock ruleset produces them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8ToBin } from '../src/bytes.ts';
import { alertJson, alertLine } from '../src/engine/alert-json.ts';
import { AnalysisSession } from '../src/engine/engine.ts';
import { loadRuleset, stockSources } from '../src/engine/load-ruleset.ts';
import { goldenCorpora, readGolden, STOCK_RULESET } from './support/golden.ts';

const ruleset = loadRuleset(stockSources(STOCK_RULESET));

test('alertLine() equals JSON.stringify(alertJson()) on every golden corpus line', () => {
  let alerts = 0;
  for (const name of goldenCorpora()) {
    const { lines, golden } = readGolden(name);
    let now = 1_700_000_000;
    const session = new AnalysisSession(ruleset, () => now);
    for (let i = 0; i < lines.length; i++) {
      const g = golden[i] as { t: number; location: string };
      now = 1_700_000_000 + g.t;
      const p = session.process(utf8ToBin(g.location), lines[i] as string);
      const who = { agentName: 'srv1', managerName: 'mgr', id: `${now}.${i}` };
      const at = now * 1000 + (i % 7);
      const want = alertJson(p, who, at);
      const got = alertLine(p, who, at);
      if (want === null) {
        assert.equal(got, null, `${name} #${i + 1}`);
        continue;
      }
      alerts++;
      assert.equal(got, JSON.stringify(want), `${name} #${i + 1}`);
    }
  }
  assert.ok(alerts > 10_000, `${alerts} alerts compared`);
});
