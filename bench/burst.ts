/**
 * Bursts, end to end on the real daemon: `riposte start` as users run it (the launcher's flags,
 * a separate process, pinned to one core with its helpers) inside a network namespace of its
 * own, with real nftables, tailing two files of sshd lines.
 *
 * 1. One million "Failed password" lines from 762 TEST-NET addresses are appended in one write
 *    (the seed scenario: rule 5760, and 5763 brute force → firewall-drop for 600 s). `seconds`:
 *    from that write until alerts.json holds an alert for each line; `lost`: lines without one.
 * 2. Then 100,000 distinct attackers (IPv6 documentation addresses, 2001:db8::/32), one
 *    "Failed password for invalid user" line each (rule 5710, bound to firewall-drop for 2 s, so
 *    their reverts fall due during the burst), in one write. `blocks_in_kernel_s`: from that
 *    write until the kernel has added all of them (the netlink notices of bench/nft-watch.c,
 *    checked against `nft -j list set` at the end); `fresh_block_ms`: once half of them are in,
 *    a new attacker's line is written to the second tailed file, and this is the time until the
 *    kernel has it; `revert_lag_s`: among the decisions due before the burst's last block, the
 *    latest revert recorded after its `until` (from the store's audit trail).
 *
 * `peak_rss_mb` is the daemon's VmHWM at the end. Root, nft, ip, taskset and a C compiler.
 * `npm run bench:burst -- [--json] [--keep] [--profile] [--lines N] [--attackers N] [--max-wait SEC]`; last
 * line with --json: {"lines":…,"alerts":…,"lost":…,"peak_rss_mb":…,"seconds":…,"attackers":…,
 * "blocks_in_kernel_s":…,"fresh_block_ms":…,"revert_lag_s":…} (a target not reached within
 * --max-wait is null; the stderr log says how far it got).
 * @module
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Cleanup, Daemon, sh, sleep, which } from '../test/e2e/lab.ts';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const RIPOSTE_BIN = join(REPO, 'bin/riposte.js');
/** The launcher's own node flags (its `#!/usr/bin/env -S node …` line), as users run it. */
const LAUNCHER_FLAGS = (/^#!\/usr\/bin\/env -S node(.*)$/m.exec(readFileSync(RIPOSTE_BIN, 'utf8').split('\n')[0] ?? '')?.[1] ?? '').trim().split(/\s+/).filter(Boolean);

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const keep = argv.includes('--keep');
/** Write a CPU profile of the daemon into the kept directory (implies --keep). */
const profile = argv.includes('--profile');
function numArg(name: string, dflt: number, max: number): number {
  const i = argv.indexOf(name);
  const v = i >= 0 ? Number(argv[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`${name} must be an integer from 1 to ${max}`);
  return v;
}
const LINES = numArg('--lines', 1_000_000, 10_000_000);
const ATTACKERS = numArg('--attackers', 100_000, 1_000_000);
const MAX_WAIT_MS = numArg('--max-wait', 300, 3600) * 1000;
/** Block duration of an attacker: short, so reverts fall due during the burst. */
const ATTACKER_TIMEOUT_SEC = 2;

const log = (m: string): void => {
  process.stderr.write(`bench:burst: ${m}\n`);
};

const missing = ['nft', 'ip', 'taskset', 'cc'].filter((t) => which(t) === null);
if (process.getuid?.() !== 0 || missing.length) {
  process.stderr.write(`bench:burst: cannot run: ${process.getuid?.() !== 0 ? 'needs root' : `missing ${missing.join(', ')}`}\n`);
  process.exit(1);
}

/** The syslog stamp rsyslogd's traditional format writes. */
function stamp(d = new Date()): string {
  const mon = d.toLocaleString('en-US', { month: 'short' });
  return `${mon} ${String(d.getDate()).padStart(2, ' ')} ${d.toTimeString().slice(0, 8)}`;
}

/** The 762 usable addresses of the three IPv4 TEST-NETs. */
function testNet4(): string[] {
  const out: string[] = [];
  for (const net of ['192.0.2', '198.51.100', '203.0.113']) for (let i = 1; i < 255; i++) out.push(`${net}.${i}`);
  return out;
}

/** Attacker `i`'s address, in inet_ntop's canonical form (what nft-watch prints). */
function attacker(i: number): string {
  return `2001:db8:a:${(1 + (i >>> 12)).toString(16)}:${(1 + (i & 0xfff)).toString(16)}::1`;
}

/** alerts.json, read as it grows: counts its lines. */
class LineCounter {
  readonly #fd: number;
  #offset = 0;
  count = 0;
  readonly #buf = Buffer.allocUnsafe(1 << 20);

  constructor(file: string) {
    closeSync(openSync(file, 'a'));
    this.#fd = openSync(file, 'r');
  }

  poll(): number {
    for (;;) {
      const n = readSync(this.#fd, this.#buf, 0, this.#buf.length, this.#offset);
      if (n <= 0) return this.count;
      this.#offset += n;
      for (let i = this.#buf.indexOf(10, 0); i !== -1 && i < n; i = this.#buf.indexOf(10, i + 1)) this.count++;
    }
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** bench/nft-watch.c in the namespace: first-seen time (hrtime ns) of each element added. */
class Watch {
  readonly seen = new Map<string, bigint>();
  lost = false;

  static async start(ns: string, dir: string, cleanup: Cleanup): Promise<Watch> {
    const bin = join(dir, 'nft-watch');
    execFileSync('cc', ['-O2', '-o', bin, fileURLToPath(new URL('./nft-watch.c', import.meta.url))], { stdio: 'inherit' });
    const w = new Watch();
    const proc = spawn('ip', ['netns', 'exec', ns, bin], { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanup.add('stop nft-watch', async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      process.kill(proc.pid as number, 'SIGTERM');
      await gone;
    });
    proc.stderr.on('data', (d: Buffer) => {
      if (/ENOBUFS/.test(d.toString())) w.lost = true;
    });
    let ready: () => void = () => {};
    const isReady = new Promise<void>((r) => (ready = r));
    createInterface({ input: proc.stdout }).on('line', (l) => {
      if (l === 'ready') return ready();
      const sp = l.indexOf(' ');
      const ip = l.slice(l.indexOf(' ', sp + 1) + 1);
      if (!w.seen.has(ip)) w.seen.set(ip, BigInt(l.slice(0, sp)));
    });
    await isReady;
    return w;
  }
}

/** Elements of a set of `inet riposte`, as the kernel lists them now. */
function setElements(ns: string, set: string): Set<string> {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'set', 'inet', 'riposte', set], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const doc = JSON.parse(out) as { nftables: Array<{ set?: { elem?: Array<string | { elem: { val: string } }> } }> };
  const ips = new Set<string>();
  for (const item of doc.nftables) for (const e of item.set?.elem ?? []) ips.add(typeof e === 'string' ? e : e.elem.val);
  return ips;
}

function peakRssMb(pid: number): number | null {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : null;
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const sinceMs = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  const onSignal = (): void => {
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const dir = mkdtempSync(join(tmpdir(), 'rpburst-bench-'));
    cleanup.add(`remove ${dir}`, () => {
      if (keep || profile) log(`files kept in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    });
    const ns = `rpburst-bench-${process.pid}`;
    sh('ip', ['netns', 'add', ns]);
    cleanup.add(`ip netns del ${ns}`, () => {
      sh('ip', ['netns', 'del', ns]);
    });
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);

    const authLog = join(dir, 'auth.log');
    const freshLog = join(dir, 'fresh.log');
    writeFileSync(authLog, '');
    writeFileSync(freshLog, '');
    const conf = join(dir, 'ossec.conf');
    writeFileSync(conf, `<ossec_config>
  <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response>
    <command>firewall-drop</command><location>local</location><rules_id>5763</rules_id><timeout>600</timeout>
  </active-response>
  <active-response>
    <command>firewall-drop</command><location>local</location><rules_id>5710</rules_id><timeout>${ATTACKER_TIMEOUT_SEC}</timeout>
  </active-response>
  <localfile><log_format>syslog</log_format><location>${authLog}</location></localfile>
  <localfile><log_format>syslog</log_format><location>${freshLog}</location></localfile>
  <ruleset><decoder_dir>ruleset/decoders</decoder_dir><rule_dir>ruleset/rules</rule_dir></ruleset>
</ossec_config>
`);
    const data = join(dir, 'data');
    const out = join(dir, 'riposte.out');
    // One core for the daemon and its helpers, as the target states it.
    const d = new Daemon('riposte', 'taskset', ['-c', '1', 'ip', 'netns', 'exec', ns, process.execPath, ...LAUNCHER_FLAGS, ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []), RIPOSTE_BIN, 'start', '--config', conf, '--data-dir', data, '--from-start'], out);
    cleanup.add(`stop riposte ${d.pid}`, () => d.stop());
    for (let t = Date.now(); !/riposte: started:/.test(readFileSync(out, 'utf8')); await sleep(50)) {
      if (!d.running || Date.now() - t > 60_000) throw new Error(`riposte did not start: ${readFileSync(out, 'utf8')}`);
    }
    log(`riposte started (pid ${d.pid}) in ${ns}`);
    const alerts = new LineCounter(join(data, 'alerts.json'));
    cleanup.add('close alerts.json', () => alerts.close());
    const host = hostname();

    // ── 1. a million lines ──────────────────────────────────────────────────────────────────
    const sources = testNet4();
    const ts = stamp();
    const chunks: Buffer[] = [];
    let text = '';
    for (let i = 0; i < LINES; i++) {
      text += `${ts} ${host} sshd[${10000 + (i % 50000)}]: Failed password for root from ${sources[i % sources.length]} port ${1024 + (i % 60000)} ssh2\n`;
      if (text.length > 1 << 22) {
        chunks.push(Buffer.from(text, 'latin1'));
        text = '';
      }
    }
    chunks.push(Buffer.from(text, 'latin1'));
    const million = Buffer.concat(chunks);
    const fd = openSync(authLog, 'a');
    cleanup.add('close auth.log', () => closeSync(fd));
    log(`writing ${LINES} lines (${(million.length / 1e6).toFixed(0)} MB) in one write…`);
    const t1 = process.hrtime.bigint();
    writeSync(fd, million);
    let seconds: number | null = null;
    // Only --max-wait ends the wait: a daemon that holds its output back for a while (instead of
    // writing as it goes) is slow, not lossy.
    for (;;) {
      const n = alerts.poll();
      if (n >= LINES) {
        seconds = sinceMs(t1) / 1000;
        break;
      }
      if (sinceMs(t1) > MAX_WAIT_MS) break;
      if (!d.running) throw new Error(`riposte exited: ${readFileSync(out, 'utf8').slice(-2000)}`);
      await sleep(20);
    }
    const phase1Alerts = alerts.poll();
    log(`phase 1: ${phase1Alerts} alerts for ${LINES} lines${seconds !== null ? ` in ${seconds.toFixed(2)} s (${Math.round(LINES / seconds)} lines/s)` : ' (stopped waiting)'}`);
    // Let the seed scenario's blocks and deferred writes settle before the attackers come.
    await sleep(2000);

    // ── 2. 100,000 attackers ────────────────────────────────────────────────────────────────
    const watch = await Watch.start(ns, dir, cleanup);
    let burst = '';
    const ts2 = stamp();
    for (let i = 0; i < ATTACKERS; i++) burst += `${ts2} ${host} sshd[${20000 + (i % 40000)}]: Failed password for invalid user bench from ${attacker(i)} port ${1024 + (i % 60000)} ssh2\n`;
    const fresh = '2001:db8:f::1';
    const fd2 = openSync(freshLog, 'a');
    cleanup.add('close fresh.log', () => closeSync(fd2));
    log(`writing ${ATTACKERS} attackers in one write…`);
    const attackers = new Set(Array.from({ length: ATTACKERS }, (_, i) => attacker(i)));
    const t2 = process.hrtime.bigint();
    const t2Wall = Date.now() / 1000;
    writeSync(fd, Buffer.from(burst, 'latin1'));
    let tFresh: bigint | null = null;
    let freshMs: number | null = null;
    let blocksS: number | null = null;
    let inKernel = 0;
    let lastBlockWall = t2Wall;
    for (;;) {
      inKernel = 0;
      let latest = 0n;
      for (const [ip, ns2] of watch.seen) {
        if (!attackers.has(ip) || ns2 < t2) continue;
        inKernel++;
        if (ns2 > latest) latest = ns2;
      }
      if (latest > 0n) lastBlockWall = t2Wall + Number(latest - t2) / 1e9;
      // The fresh attacker arrives in the middle of the burst (or after 20 s without half of it).
      if (tFresh === null && (inKernel >= ATTACKERS / 2 || sinceMs(t2) > 20_000)) {
        tFresh = process.hrtime.bigint();
        writeSync(fd2, `${stamp()} ${host} sshd[30000]: Failed password for invalid user bench from ${fresh} port 4242 ssh2\n`);
        log(`fresh attacker written with ${inKernel} of the burst's blocks in the kernel`);
      }
      const fs = watch.seen.get(fresh);
      if (tFresh !== null && freshMs === null && fs !== undefined && fs >= tFresh) freshMs = Number(fs - tFresh) / 1e6;
      if (inKernel >= ATTACKERS && blocksS === null) blocksS = Number(latest - t2) / 1e9;
      if ((blocksS !== null && freshMs !== null) || sinceMs(t2) > MAX_WAIT_MS) break;
      if (!d.running) throw new Error(`riposte exited: ${readFileSync(out, 'utf8').slice(-2000)}`);
      await sleep(50);
    }
    log(`phase 2: ${inKernel}/${ATTACKERS} attackers seen added by the kernel${blocksS !== null ? ` within ${blocksS.toFixed(2)} s` : ''}; fresh block ${freshMs === null ? 'not seen' : `${freshMs.toFixed(1)} ms`}${watch.lost ? ' (the watcher lost notices)' : ''}`);

    // Reverts: wait until every attacker decision is settled (or the wait runs out).
    const db = new Database(join(data, 'riposte.db'), { readonly: true, fileMustExist: true });
    cleanup.add('close the store', () => {
      db.close();
    });
    const open = db.prepare(`SELECT count(*) AS n FROM decisions WHERE rule_id = 5710 AND state IN ('active', 'reverting')`);
    for (const end = Date.now() + MAX_WAIT_MS; Date.now() < end && (open.get() as { n: number }).n > 0; ) await sleep(200);
    const now = Date.now() / 1000;
    const rows = db
      .prepare(
        `SELECT d.until AS until, d.state AS state, (SELECT max(a.at) FROM audit a WHERE a.decision_id = d.decision_id AND a.event = 'state_changed' AND a.detail_json LIKE '%"to":"reverted"%') AS revertedAt
         FROM decisions d WHERE d.rule_id = 5710`,
      )
      .all() as Array<{ until: number; state: string; revertedAt: number | null }>;
    let lag: number | null = null;
    const states = new Map<string, number>();
    for (const r of rows) {
      states.set(r.state, (states.get(r.state) ?? 0) + 1);
      if (r.until > lastBlockWall) continue; // due after the burst
      if (r.state !== 'reverted' && r.state !== 'active' && r.state !== 'reverting') continue; // never added: nothing to revert
      const l = (r.revertedAt ?? now) - r.until;
      if (lag === null || l > lag) lag = l;
    }
    log(`attacker decisions: ${rows.length} (${[...states].map(([s, n]) => `${n} ${s}`).join(', ')})`);

    // Cross-check the watcher against the kernel's own list (phase 1's blocks are still there).
    const drop4 = setElements(ns, 'drop4');
    log(`drop4 holds ${drop4.size} of phase 1's ${sources.length} addresses`);
    const peak = peakRssMb(d.pid);
    const summary = {
      lines: LINES,
      alerts: phase1Alerts,
      lost: Math.max(0, LINES - phase1Alerts),
      peak_rss_mb: peak,
      seconds: seconds === null ? null : round(seconds, 2),
      attackers: ATTACKERS,
      blocks_in_kernel_s: blocksS === null ? null : round(blocksS, 2),
      fresh_block_ms: freshMs === null ? null : round(freshMs, 1),
      revert_lag_s: lag === null ? null : round(lag, 2),
    };
    if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      process.stdout.write(`${LINES} lines → ${phase1Alerts} alerts in ${summary.seconds ?? '–'} s (${seconds ? Math.round(LINES / seconds) : '–'} lines/s), lost ${summary.lost}, peak RSS ${peak} MB\n`);
      process.stdout.write(`${ATTACKERS} attackers: all blocks in the kernel in ${summary.blocks_in_kernel_s ?? '–'} s, fresh block ${summary.fresh_block_ms ?? '–'} ms, revert lag ${summary.revert_lag_s ?? '–'} s\n`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup.run();
  }
}

await main();
