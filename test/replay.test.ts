/**
 * `riposte replay` on a corpus with known truth: every brute-force source is reported once, the
 * repeat offender twice with an escalated timeout, the allowlisted range never, benign sources
 * never; and the CLI prints the same report as JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load.ts';
import { loadRuleset, stockSources } from '../src/engine/load-ruleset.ts';
import { replayFiles } from '../src/replay/run.ts';
import type { ReplayReportV1 } from '../src/replay/report.ts';
import { makeAuthCorpus } from './support/auth-corpus.ts';
import { STOCK_RULESET } from './support/golden.ts';

const CONFIG = `<ossec_config>
  <global><white_list>192.0.2.0/24</white_list></global>
  <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response>
    <command>firewall-drop</command><location>local</location>
    <rules_id>5763,5712</rules_id><timeout>600</timeout><repeated_offenders>30,60</repeated_offenders>
  </active-response>
</ossec_config>
`;

const corpus = makeAuthCorpus(3000);
const dir = mkdtempSync(join(tmpdir(), 'riposte-replay-'));
const logFile = join(dir, 'auth.log');
const confFile = join(dir, 'ossec.conf');
writeFileSync(logFile, corpus.lines.join('\n') + '\n');
writeFileSync(confFile, CONFIG);
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('replayFiles() reports exactly the known attackers, escalations and allowlist hits', async () => {
  const report = await replayFiles([logFile], {
    config: parseConfig(CONFIG, confFile),
    ruleset: loadRuleset(stockSources(STOCK_RULESET)),
    yearHint: corpus.year,
    ownAddresses: [],
  });
  assert.equal(report.lines, corpus.lines.length);
  assert.deepEqual(report.targets, [...corpus.attackers, corpus.repeatOffender].sort());
  for (const ip of corpus.attackers) {
    const s = report.responses.find((r) => r.target === ip);
    assert.equal(s?.decisions, 1, ip);
    assert.equal(s?.maxTimeoutSec, 600, ip);
  }
  const repeat = report.responses.find((r) => r.target === corpus.repeatOffender);
  assert.equal(repeat?.decisions, 2);
  assert.equal(repeat?.escalations, 1);
  assert.equal(repeat?.maxTimeoutSec, 30 * 60);
  assert.ok(report.allowlistHits.some((h) => h.target === corpus.allowlisted), 'allowlisted attacker is reported as an allowlist hit');
  assert.ok(!report.targets.includes(corpus.allowlisted));
  for (const ip of corpus.benign) assert.ok(!report.targets.includes(ip), ip);
  // The second block of the repeat offender outlives the log; every other block expired.
  assert.deepEqual(report.activeAtEnd.map((a) => a.target), [corpus.repeatOffender]);
  // Event time, not processing time: the log spans hours, the replay took far less.
  assert.ok((report.lastEventAt ?? 0) - (report.firstEventAt ?? 0) > 7000);
  assert.equal(report.alertsByRule.find((a) => a.id === 5715)?.count, 3000);
});

test('riposte replay --json prints the report as its last line', () => {
  const bin = new URL('../bin/riposte.js', import.meta.url).pathname;
  const out = execFileSync(bin, ['replay', '--config', confFile, '--ruleset-dir', STOCK_RULESET, '--year', String(corpus.year), '--json', logFile], { encoding: 'utf8' });
  const last = out.trim().split('\n').pop() as string;
  const report = JSON.parse(last) as ReplayReportV1;
  assert.equal(report.version, 1);
  assert.deepEqual(report.targets, [...corpus.attackers, corpus.repeatOffender].sort());
});

test('riposte replay rejects an invalid --year with a clear error', () => {
  const bin = new URL('../bin/riposte.js', import.meta.url).pathname;
  assert.throws(
    () => execFileSync(bin, ['replay', '--config', confFile, '--ruleset-dir', STOCK_RULESET, '--year', 'abc', logFile], { encoding: 'utf8', stdio: 'pipe' }),
    (err: { status?: number; stderr?: string }) => err.status === 1 && /Invalid --year "abc"/.test(err.stderr ?? ''),
  );
});
