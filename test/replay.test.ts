/**
 * `riposte replay` on corpora with known truth: every brute-force source is reported once, the
 * repeat offender twice with an escalated timeout, the allowlisted range never, benign sources
 * never; and the CLI prints the same report as JSON. On a distributed brute force (hundreds of
 * sources at once, among legitimate users and scanners), the DEFAULT configuration and ruleset
 * block every brute-force source and no one else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../src/config/load.ts';
import type { RiposteConfig } from '../src/config/types.ts';
import { hostAddresses } from '../src/daemon/allowlist.ts';
import { DEFAULT_CONFIG, RIPOSTE_HOME } from '../src/daemon/home.ts';
import { loadRuleset, sourcesFromConfig, stockSources } from '../src/engine/load-ruleset.ts';
import { replayFiles } from '../src/replay/run.ts';
import type { ReplayReportV1 } from '../src/replay/report.ts';
import { makeAuthCorpus, makeBruteForceCorpus, type BruteForceCorpus } from './support/auth-corpus.ts';
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
const dir = mkdtempSync(join(tmpdir(), 'rpdetect-replay-'));
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

// --- A distributed brute force through the default configuration --------------------------------

const distributed = makeBruteForceCorpus({ bruteForce: 300, legitimate: 80, scanners: 60, seed: 7 });
const distributedLog = join(dir, 'distributed-auth.log');
writeFileSync(distributedLog, distributed.lines.join('\n') + '\n');

function withRole(c: BruteForceCorpus, role: string): string[] {
  return [...c.roles].filter(([, r]) => r === role).map(([ip]) => ip).sort();
}

test('the distributed corpus: 300 brute-force sources among legitimate users and scanners, from several /24s', () => {
  assert.equal(withRole(distributed, 'brute-force').length, 300);
  assert.equal(withRole(distributed, 'legitimate').length, 80);
  assert.equal(withRole(distributed, 'scanner').length, 60);
  // Several /24s, each shared by the roles.
  for (const net of ['192.0.2.', '198.51.100.', '203.0.113.', '2001:db8:']) {
    for (const role of ['brute-force', 'legitimate', 'scanner']) {
      assert.ok(withRole(distributed, role).some((ip) => ip.startsWith(net)), `${role} in ${net}`);
    }
  }
  // Legitimate users mistype sometimes, and log in.
  assert.ok(distributed.lines.some((l) => /Failed password for (alice|bob|carol|dave|erin|frank) from/.test(l)));
  assert.ok(distributed.lines.some((l) => / Accepted publickey for /.test(l)));
});

test('replayFiles(): the default configuration and ruleset block every brute-force source, no legitimate user, no scanner', async (t) => {
  const config = loadConfig(DEFAULT_CONFIG);
  assert.ok(config.ruleset, 'config/ossec.conf names its ruleset');
  const sources = sourcesFromConfig(config.ruleset, RIPOSTE_HOME);
  const run = (transformRuleText?: (file: string, text: string) => string) =>
    replayFiles([distributedLog], {
      config,
      ruleset: loadRuleset(sources, transformRuleText ? { transformRuleText } : {}),
      yearHint: distributed.year,
      ownAddresses: [],
    });
  const report = await run();
  const brute = withRole(distributed, 'brute-force');
  assert.deepEqual(brute.filter((ip) => !report.targets.includes(ip)), [], 'brute-force sources not blocked');
  assert.deepEqual(report.targets.filter((ip) => distributed.roles.get(ip) !== 'brute-force'), [], 'blocked without being a brute-force source');
  // Each source is blocked once: it stops within its 10 minutes, so no second offence.
  for (const ip of brute) assert.equal(report.responses.find((r) => r.target === ip)?.decisions, 1, ip);
  // With Wazuh's global ignore window (60 s after any source), most of them walk through.
  const withIgnore = await run((_file, text) => text.replace(/(<rule id="(?:5712|5763)"[^>]*)>/g, '$1 ignore="60">'));
  const missed = brute.filter((ip) => !withIgnore.targets.includes(ip)).length;
  t.diagnostic(`default: ${report.targets.length} of ${brute.length} blocked, ${report.alerts} alerts; with the stock ignore window: ` +
    `${brute.length - missed} blocked, ${withIgnore.alerts} alerts`);
  assert.ok(missed >= 50, `the ignore window let only ${missed} sources through: the corpus lost its concurrency`);
});

test('replayFiles(): 800 sources attacking within two minutes are all blocked with the default <memory_size>, not with analysisd\'s 8192', async (t) => {
  const crowd = makeBruteForceCorpus({ bruteForce: 800, legitimate: 80, scanners: 60, seed: 11, spanSec: 120 });
  const crowdLog = join(dir, 'crowd-auth.log');
  writeFileSync(crowdLog, crowd.lines.join('\n') + '\n');
  const config = loadConfig(DEFAULT_CONFIG);
  assert.equal(config.memorySize, 32768, 'config/ossec.conf sets <memory_size>');
  const ruleset = loadRuleset(sourcesFromConfig(config.ruleset ?? assert.fail('no <ruleset>'), RIPOSTE_HOME));
  const brute = withRole(crowd, 'brute-force');
  const blocked = async (memorySize: number | undefined): Promise<number> => {
    const rest: RiposteConfig = { ...config };
    delete (rest as { memorySize?: number }).memorySize;
    const report = await replayFiles([crowdLog], {
      config: memorySize === undefined ? rest : { ...rest, memorySize }, ruleset, yearHint: crowd.year, ownAddresses: [],
    });
    assert.deepEqual(report.targets.filter((ip) => crowd.roles.get(ip) !== 'brute-force'), []);
    return brute.filter((ip) => report.targets.includes(ip)).length;
  };
  const withDefault = await blocked(config.memorySize);
  const withStock = await blocked(undefined);
  t.diagnostic(`memory_size 32768: ${withDefault} of ${brute.length} blocked; analysisd's 8192: ${withStock}`);
  assert.equal(withDefault, brute.length);
  assert.ok(withStock < brute.length, 'the crowd no longer overflows 8192 events: make it larger');
});

test('riposte replay --json, default configuration: every brute-force source blocked, or refused as this host\'s own address', () => {
  const bin = new URL('../bin/riposte.js', import.meta.url).pathname;
  const out = execFileSync(bin, ['replay', '--year', String(distributed.year), '--json', distributedLog], { encoding: 'utf8' });
  const report = JSON.parse(out.trim().split('\n').pop() as string) as ReplayReportV1;
  const own = new Set(hostAddresses());
  const brute = withRole(distributed, 'brute-force');
  assert.deepEqual(brute.filter((ip) => !own.has(ip) && !report.targets.includes(ip)), [], 'brute-force sources not blocked');
  assert.deepEqual(report.targets.filter((ip) => distributed.roles.get(ip) !== 'brute-force'), []);
  for (const ip of brute.filter((x) => own.has(x))) {
    assert.ok(report.allowlistHits.some((h) => h.target === ip && /address of this host/.test(h.detail)), ip);
  }
  assert.equal(report.lines, distributed.lines.length);
});
