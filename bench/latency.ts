/**
 * Response latency, end to end on the e2e lab (test/e2e: two network namespaces, rsyslogd, sshd,
 * `riposte start` in the target namespace), driving the seed scenario: per round, a NEW
 * TEST-NET-2 address writes 8 "Failed password for root" lines to the log Riposte tails, one
 * write(2) each as rsyslogd writes them, the 8th crossing the threshold (5760 ×7, then 5763,
 * bound to firewall-drop); the next round starts as soon as the kernel has the address, with no
 * pause. So every round is a source arriving right after another one was blocked, which Wazuh's
 * global `ignore="60"` on 5763 would let through (Riposte's default ruleset has none). The time is
 * measured from the crossing line's write(2) to the kernel's notice that the address is in
 * `inet riposte drop4` (received by bench/nft-watch.c, a netlink listener in the target namespace
 * that stamps it with the same monotonic clock; every address is confirmed with `nft list set` at
 * the end, and a notice before the crossing line fails the run). It includes the tail's wake-up,
 * analysis, the decision and its SQLite commit, the in-process firewall-drop and the daemon's
 * block channel up to the kernel's commit, plus the watcher's own wake-up (the observation).
 *
 * Root and a C compiler (for the watcher). `npm run bench:latency -- [--rounds N] [--pause SEC] [--json] [--keep]`
 * (RIPOSTE_LAB_PREFIX=name: the prefix of the lab's namespace and account names); last line with --json:
 * {"p50_ms":…,"p90_ms":…,"p99_ms":…,"rounds":N}
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALLOWED_IP, Cleanup, labPrerequisites, sleep, waitFor } from '../test/e2e/lab.ts';
import { arEntries, buildLab, dropSet, startRiposte, type Lab } from '../test/e2e/services.ts';

const json = process.argv.includes('--json');
/** Keep the lab's files (auth.log, Riposte's data and output) for a look afterwards. */
const keep = process.argv.includes('--keep');
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 20;
// One address of 198.51.100.0/24 per round; .254 is the warm-up's.
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 250) throw new Error('--rounds must be an integer from 1 to 250');
/** Quiet time before each round (default none): how a block fares after the daemon sat idle. */
const pauseArg = process.argv.indexOf('--pause');
const pauseSec = pauseArg > 0 ? Number(process.argv[pauseArg + 1]) : 0;
if (!Number.isFinite(pauseSec) || pauseSec < 0 || pauseSec > 3600) throw new Error('--pause must be a number of seconds from 0 to 3600');

const { skip, missing } = labPrerequisites();
if (skip !== null || missing.length) {
  process.stderr.write(`bench:latency: cannot run: ${skip ?? `missing tools ${missing.join(', ')} (run scripts/e2e-deps.sh)`}\n`);
  process.exit(1);
}

const log = (m: string): void => {
  process.stderr.write(`${m}\n`);
};

/** A syslog line as rsyslogd's traditional format writes it: a failed password, as in the seed. */
function line(ip: string, n: number): string {
  const d = new Date();
  const mon = d.toLocaleString('en-US', { month: 'short' });
  const ts = `${mon} ${String(d.getDate()).padStart(2, ' ')} ${d.toTimeString().slice(0, 8)}`;
  return `${ts} ${hostname()} sshd[${40000 + n}]: Failed password for root from ${ip} port ${50000 + n} ssh2\n`;
}

/** Nearest-rank percentile. */
function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  const onSignal = (): void => {
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log('bench:latency: building the lab (namespaces, rsyslogd, sshd, riposte)…');
    // The tag names the lab's namespaces and throwaway account: unique per run, with a prefix of
    // one's own (RIPOSTE_LAB_PREFIX) when several people share the machine.
    const lab = await buildLab(`${process.env['RIPOSTE_LAB_PREFIX'] ?? 'b'}${process.pid}`, cleanup, { timeoutSec: 600, allowed: ALLOWED_IP, keepDir: keep });
    if (keep) log(`bench:latency: lab files kept in ${lab.dir}`);
    await startRiposte(lab.net, lab.files, cleanup);

    // A warm-up round, not measured: the first run pays for cold caches (tsx's compile cache, the
    // creation of firewall-drop's table).
    const warm = '198.51.100.254';
    // One descriptor held open in append mode, as rsyslogd holds its: a line is one write(2).
    const fd = openSync(lab.authLog, 'a');
    cleanup.add('close the log', () => closeSync(fd));
    writeSync(fd, Array.from({ length: 8 }, (_, i) => line(warm, 2000 + i)).join(''));
    await waitFor(async () => ((await inSet(lab, warm)) ? true : undefined), 'the warm-up block', 30_000, 50);
    await sleep(500);

    const watch = await Watch.start(lab, cleanup);

    const ms: number[] = [];
    const ips: string[] = [];
    for (let r = 0; r < rounds; r++) {
      if (pauseSec > 0) await sleep(pauseSec * 1000);
      const ip = `198.51.100.${r + 1}`;
      ips.push(ip);
      // The 7 failures below the threshold, then at once the crossing 8th: the clock starts at its
      // write(2).
      for (let i = 0; i < 7; i++) writeSync(fd, line(ip, r * 8 + i));
      const crossing = Buffer.from(line(ip, r * 8 + 7), 'latin1');
      const t0 = process.hrtime.bigint();
      writeSync(fd, crossing);
      const t1 = await watch.added(ip, t0, 30_000);
      // The watcher's notices arrive in order: any earlier one for this address is in by now.
      if (watch.addedBefore(ip, t0)) throw new Error(`round ${r + 1}: ${ip} was blocked before its crossing line`);
      const took = Number(t1 - t0) / 1e6;
      ms.push(took);
      log(`round ${r + 1}/${rounds}: ${ip} blocked ${took.toFixed(2)} ms after its crossing line`);
    }
    const set = new Set((await dropSet(lab.net, lab.net.target)).map((e) => e.ip));
    const absent = ips.filter((ip) => !set.has(ip));
    if (absent.length > 0) throw new Error(`added to drop4 but not there: ${absent.join(', ')}`);

    // Cross-check: Riposte recorded one successful run per round.
    const succeeded = () => arEntries(lab.files.data).filter((e) => e.command === 'add' && e.status === 'succeeded' && e.srcip !== warm);
    // The log entry of a run is written after the block was dispatched: give the last one a moment.
    await waitFor(() => (succeeded().length >= rounds ? true : undefined), `${rounds} firewall-drop runs in the log`, 10_000, 50);
    const runs = succeeded();
    if (runs.length !== rounds) throw new Error(`expected ${rounds} successful firewall-drop runs, found ${runs.length}`);
    const programMs = runs.map((e) => (e as { duration_ms?: number }).duration_ms ?? 0).sort((a, b) => a - b);
    const sorted = [...ms].sort((a, b) => a - b);
    const summary = { p50_ms: round1(pct(sorted, 50)), p90_ms: round1(pct(sorted, 90)), p99_ms: round1(pct(sorted, 99)), rounds: sorted.length };
    log(`firewall-drop run time (spawn through exit, as recorded): p50 ${pct(programMs, 50)} ms, max ${programMs[programMs.length - 1]} ms over ${programMs.length} runs`);
    if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      process.stdout.write(`crossing log line → nft element present, ${summary.rounds} rounds:\n`);
      process.stdout.write(`  p50 ${summary.p50_ms} ms   p90 ${summary.p90_ms} ms   p99 ${summary.p99_ms} ms   min ${round1(sorted[0] as number)} ms   max ${round1(sorted[sorted.length - 1] as number)} ms\n`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup.run();
  }
}

/**
 * bench/nft-watch.c, built for this run and started in the target namespace: the kernel's
 * notices of elements added to Riposte's sets, each stamped on receipt with CLOCK_MONOTONIC
 * (the clock of process.hrtime).
 */
class Watch {
  readonly #events: Array<{ readonly ns: bigint; readonly set: string; readonly ip: string }> = [];
  #wake: (() => void) | null = null;

  static async start(lab: Lab, cleanup: Cleanup): Promise<Watch> {
    const bin = join(lab.dir, 'nft-watch');
    execFileSync('cc', ['-O2', '-o', bin, fileURLToPath(new URL('./nft-watch.c', import.meta.url))], { stdio: 'inherit' });
    const w = new Watch();
    const proc = spawn('ip', ['netns', 'exec', lab.net.target, bin], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.add('stop nft-watch', async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      process.kill(proc.pid as number, 'SIGTERM');
      await gone;
    });
    let ready: () => void = () => {};
    const isReady = new Promise<void>((r) => (ready = r));
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (l) => {
      if (l === 'ready') return ready();
      const [ns, set, ip] = l.split(' ');
      w.#events.push({ ns: BigInt(ns as string), set: set as string, ip: ip as string });
      w.#wake?.();
    });
    await isReady;
    return w;
  }

  /** Whether the kernel reported `ip` in drop4 before `t` (hrtime ns). */
  addedBefore(ip: string, t: bigint): boolean {
    return this.#events.some((x) => x.ip === ip && x.set === 'drop4' && x.ns < t);
  }

  /** When `ip` was first added to drop4 at or after `since` (hrtime ns). */
  async added(ip: string, since: bigint, timeoutMs: number): Promise<bigint> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const e = this.#events.find((x) => x.ip === ip && x.set === 'drop4' && x.ns >= since);
      if (e) return e.ns;
      if (performance.now() > deadline) throw new Error(`the kernel did not add ${ip} within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 250);
        this.#wake = () => {
          clearTimeout(timer);
          r();
        };
      });
      this.#wake = null;
    }
  }
}

async function inSet(lab: Lab, ip: string): Promise<boolean> {
  return (await dropSet(lab.net, lab.net.target)).some((e) => e.ip === ip);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

await main();
