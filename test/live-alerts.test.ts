/**
 * Conformance of alerts.json with the live wazuh-analysisd 4.14.7 reference
 * (`../shared/conformance/wazuh-live/`): every alert, every field but timestamp, id, agent.name
 * and manager.name, values, types and nesting included. Every input through the engine as `riposte start` runs it; a set covering
 * each field the reference writes (ftscomment, previous_output, typed arrays, mail, no_full_log,
 * no_log, accumulate, an undecoded event, an absolute log path) through a real `riposte start`
 * process; and the first-time-seen state across a daemon restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../src/daemon/start.ts';
import { loadRuleset, stockSources } from '../src/engine/load-ruleset.ts';
import { STOCK_RULESET } from './support/golden.ts';
import { compareAlerts, liveAlertsInProcess, liveCorpora, liveReference } from './support/live.ts';
import { alertsFromStart, canStartAt } from './support/live-start.ts';

const ruleset = loadRuleset(stockSources(STOCK_RULESET));

function report(r: ReturnType<typeof compareAlerts>): string {
  return `${r.want - r.equal} of ${r.want} alerts differ (${r.got} written):\n${r.differences.slice(0, 3).map((d) => `#${d.n} ${d.field}: want ${d.want.slice(0, 300)} got ${d.got.slice(0, 300)}`).join('\n')}`;
}

for (const name of liveCorpora()) {
  test(`alerts.json equals the live reference on every field for ${name}`, () => {
    const r = compareAlerts(name, liveReference(name), liveAlertsInProcess(ruleset, name));
    assert.ok(r.equal === r.want && r.got === r.want, report(r));
  });
}

const THROUGH_START = [
  'devini-cisco_ios', // decoder.ftscomment
  'devini-sshd', // previous_output of frequency rules
  'devini-amazon_sec_lake', // arrays of arrays
  'devini-gitlab', // numbers and objects inside arrays
  'devini-office365', // no_full_log, mail at level 12+
  'devini-pfsense', // no_log: nothing written
  'devini-openldap', // decoder.accumulate
  'devini-firewalld', // an undecoded event: decoder {}
  'f2b-sshd', // an absolute location (/var/log/auth.log), live ignore semantics
];

for (const name of THROUGH_START) {
  test(`riposte start writes alerts.json equal to the live reference for ${name}`, { timeout: 180_000, skip: canStartAt(name) ? false : 'its location needs root' }, async () => {
    const r = compareAlerts(name, liveReference(name), await alertsFromStart(name));
    assert.ok(r.equal === r.want && r.got === r.want, report(r));
  });
}

test('riposte start keeps first-time-seen state across a restart, as analysisd\'s fts queue does', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-fts-rpfields-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'ids.log');
  writeFileSync(log, '');
  const conf = join(dir, 'ossec.conf');
  writeFileSync(conf, `<ossec_config>\n  <alerts><log_alert_level>3</log_alert_level></alerts>\n  <localfile><log_format>syslog</log_format><location>${log}</location></localfile>\n</ossec_config>\n`);
  const data = join(dir, 'data');
  const ids = (): string[] => readFileSync(join(data, 'alerts.json'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { rule: { id: string } }).rule.id);
  const line = (sig: number): string => `Sep  1 10:25:29 10.10.10.1 %IPS-4-SIGNATURE: Sig:${sig} Subsig:1 Sev:4 TCP Connection Window Size DoS [192.0.2.11:51654 -> 198.51.100.10:4444]\n`;
  const waitFor = async (n: number): Promise<void> => {
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      try {
        if (ids().length >= n) return;
      } catch {
        // alerts.json not written yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${n} alerts`);
  };
  const start = (): Promise<Daemon> => Daemon.start({ configFile: conf, dataDir: data, rulesetDir: STOCK_RULESET, fromStart: true, pollMs: 50, log: () => {} });
  let d = await start();
  appendFileSync(log, line(3051));
  await waitFor(1);
  await d.stop();
  d = await start();
  t.after(() => d.stop());
  appendFileSync(log, line(3051) + line(5123));
  await waitFor(3);
  // 20100 is "First time this IDS alert is generated": once for sig 3051, across the restart;
  // 20101 for its repeat; 20100 again for the new sig 5123.
  assert.deepEqual(ids(), ['20100', '20101', '20100']);
});
