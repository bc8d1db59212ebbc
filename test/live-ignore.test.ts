/**
 * `ignore` windows: wazuh-logtest reports the ignored rule (suppressed), while analysisd in
 * production alerts its parent rule instead (golden README, caveat 4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisSession } from '../src/engine/engine.ts';
import { loadRuleset, stockSources } from '../src/engine/load-ruleset.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load.ts';
import { replayFiles } from '../src/replay/run.ts';
import { STOCK_RULESET } from './support/golden.ts';

const ruleset = loadRuleset(stockSources(STOCK_RULESET));
const line = (i: number): string => `Mar 10 00:00:0${i % 10} srv1 sshd[77]: Failed password for invalid user admin from 203.0.113.9 port ${40000 + i} ssh2`;

function run(mode: 'logtest' | 'live'): Array<[number | undefined, boolean, boolean]> {
  const s = new AnalysisSession(ruleset, () => 1_700_000_000, { ignoreMode: mode });
  const out: Array<[number | undefined, boolean, boolean]> = [];
  for (let i = 0; i < 16; i++) {
    const p = s.process('/var/log/auth.log', line(i));
    out.push([p.outcome.rule?.id, p.outcome.alert, p.outcome.suppressed]);
  }
  return out;
}

test('logtest mode reports a rule fired inside its ignore window as suppressed', () => {
  const r = run('logtest');
  assert.deepEqual(r[7], [5712, true, false]);
  assert.deepEqual(r[15], [5712, false, true]);
});

test('live mode alerts the parent rule inside the ignore window', () => {
  const r = run('live');
  assert.deepEqual(r[7], [5712, true, false]);
  assert.deepEqual(r[15], [5710, true, false]);
  assert.equal(r.filter(([id]) => id === 5712).length, 1);
});

test('riposte replay applies the live ignore semantics: the parent rule alerts inside the window', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-replay-rpfields-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'auth.log');
  writeFileSync(file, Array.from({ length: 16 }, (_, i) => line(i)).join('\n') + '\n');
  const config = parseConfig('<ossec_config><alerts><log_alert_level>3</log_alert_level></alerts></ossec_config>', 'x.conf');
  const report = await replayFiles([file], { config, ruleset, yearHint: 2026, ownAddresses: [] });
  const count = (id: number): number => report.alertsByRule.find((r) => r.id === id)?.count ?? 0;
  // Line 8 makes 5712 fire; lines 9–16 fall inside its 60 s ignore window and alert 5710.
  assert.equal(count(5712), 1);
  assert.equal(count(5710), 15);
  assert.equal(report.alerts, 16);
});
