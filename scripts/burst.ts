/**
 * Ad-hoc burst measurement of `riposte start` (file → alerts.json), as a child process: N
 * `Failed password` lines appended at once to the tailed log (or, with `--from-start`, written
 * before the start), then the time until alerts.json holds N alerts, and the child's peak RSS
 * (VmHWM). No response is bound (nothing runs, nothing needs root): this measures the read,
 * analysis and output path with its backpressure.
 *
 * `node --import tsx scripts/burst.ts [--lines N] [--from-start] [--bin LAUNCHER] [--json]`; last line with --json:
 * {"lines":N,"seconds":…,"lines_per_s":…,"cpu_seconds":…,"lines_per_cpu_s":…,"peak_rss_mb":…,"start_rss_mb":…}
 * On a shared machine the wall-clock rate depends on the load; `lines_per_cpu_s` (the daemon's
 * own CPU time, GC threads included) tells what one free core would do.
 * @module
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const lines = Number(arg('--lines') ?? 1_000_000);
const fromStart = process.argv.includes('--from-start');
const json = process.argv.includes('--json');
/** Another checkout's launcher, to compare (e.g. --bin /work/main/bin/riposte.js). */
const BIN = arg('--bin') ?? fileURLToPath(new URL('../bin/riposte.js', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'rpdurable-burst-'));
const log = join(dir, 'auth.log');
const data = join(dir, 'data');
const conf = join(dir, 'ossec.conf');
writeFileSync(log, '');
writeFileSync(conf, `<ossec_config>
  <localfile><log_format>syslog</log_format><location>${log}</location></localfile>
  <ruleset><decoder_dir>ruleset/decoders</decoder_dir><rule_dir>ruleset/rules</rule_dir></ruleset>
</ossec_config>
`);

/** Append the burst in few large writes (as fast as the disk takes it). */
function writeBurst(): void {
  const fd = openSync(log, 'a');
  const chunk: string[] = [];
  for (let i = 0; i < lines; i++) {
    chunk.push(`Mar 10 10:00:00 srv1 sshd[4242]: Failed password for invalid user u${i} from 198.51.100.${i % 250} port ${i % 65536} ssh2`);
    if (chunk.length === 50_000) {
      writeSync(fd, `${chunk.join('\n')}\n`);
      chunk.length = 0;
    }
  }
  if (chunk.length) writeSync(fd, `${chunk.join('\n')}\n`);
  closeSync(fd);
}

function status(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** CPU seconds the process used so far (user + system), from /proc/PID/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function countLines(file: string): number {
  let n = 0;
  try {
    const buf = readFileSync(file);
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  } catch {
    // not there yet
  }
  return n;
}

async function main(): Promise<void> {
  if (fromStart) writeBurst();
  const child = spawn(BIN, ['start', '--config', conf, '--data-dir', data, ...(fromStart ? ['--from-start'] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  try {
    const pid = child.pid as number;
    while (!stderr.includes('started:')) {
      if (child.exitCode !== null) throw new Error(`riposte start exited: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const startRss = status(pid, 'VmRSS');
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    if (!fromStart) writeBurst();
    const alerts = join(data, 'alerts.json');
    // Counting a large file costs the measuring process time too: look at its size first.
    let lastSize = -1;
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      const size = statSync(alerts, { throwIfNoEntry: false })?.size ?? 0;
      if (size === lastSize && size > 0 && countLines(alerts) >= lines) break;
      lastSize = size;
      if (child.exitCode !== null) throw new Error(`riposte start exited: ${stderr}`);
    }
    const seconds = (performance.now() - t0) / 1000 - 0.2; // the last poll saw no change
    const peak = status(pid, 'VmHWM');
    const cpu = cpuSeconds(pid) - cpu0;
    const result = {
      lines, seconds: Number(seconds.toFixed(2)), lines_per_s: Math.round(lines / seconds), cpu_seconds: Number(cpu.toFixed(2)),
      lines_per_cpu_s: Math.round(lines / cpu), peak_rss_mb: Math.round(peak), start_rss_mb: Math.round(startRss),
    };
    process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${lines} lines in ${result.seconds} s: ${result.lines_per_s} lines/s wall, ${result.lines_per_cpu_s} lines per CPU second (${result.cpu_seconds} s of CPU, all threads), peak RSS ${result.peak_rss_mb} MB (at start ${result.start_rss_mb} MB)\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
