/**
 * Streams one live-reference input through a real `riposte start` process and returns the
 * alerts.json it wrote, parsed. The daemon tails the input at the location the reference sent:
 * `stdin` as a file of that name in the daemon's working directory, an absolute path (for example
 * `/var/log/auth.log`) inside a private mount namespace whose `/var` is a fresh tmpfs, so the
 * host's own files are never read or touched (root only).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOLDEN_DIR, STOCK_RULESET } from './golden.ts';
import { liveLocation } from './live.ts';

const BIN = new URL('../../bin/riposte.js', import.meta.url).pathname;

/**
 * Appended after the input: its alert marks the end of the stream (nothing follows it, so it
 * changes no earlier alert) and is dropped from the result.
 */
export const SENTINEL = 'Dec 31 23:59:59 rpfields-end sshd[1]: Failed password for root from 192.0.2.250 port 1 ssh2';

/** Whether `riposte start` can be run at `name`'s location here (absolute paths need root). */
export function canStartAt(name: string): boolean {
  const loc = liveLocation(name);
  return loc === 'stdin' || (process.getuid?.() === 0 && loc.startsWith('/var/'));
}

export async function alertsFromStart(name: string, timeoutMs = 120_000): Promise<Array<Record<string, unknown>>> {
  const loc = liveLocation(name);
  const dir = mkdtempSync(join(tmpdir(), 'riposte-live-rpfields-'));
  try {
    const input = join(dir, 'input.log');
    copyFileSync(join(GOLDEN_DIR, `${name}.log`), input);
    appendFileSync(input, `${SENTINEL}\n`);
    // The reference ran with the stock <alerts><log_alert_level>3</log_alert_level> (its README).
    const conf = join(dir, "ossec.conf");
    writeFileSync(conf, `<ossec_config>\n  <alerts><log_alert_level>3</log_alert_level></alerts>\n  <localfile><log_format>syslog</log_format><location>${loc}</location></localfile>\n</ossec_config>\n`);
    const data = join(dir, 'data');
    const args = [BIN, 'start', '--config', conf, '--data-dir', data, '--ruleset-dir', STOCK_RULESET, '--from-start'];
    const env = { ...process.env, RIPOSTE_INPROCESS: '0' };
    const child = loc === 'stdin'
      ? (copyFileSync(input, join(dir, 'stdin')), spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] }))
      : spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c',
          'mount -t tmpfs riposte-live /var && mkdir -p "$(dirname "$1")" && cp "$2" "$1" && shift 2 && exec "$@"',
          'sh', loc, input, process.execPath, ...args], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const alertsFile = join(data, 'alerts.json');
    const end = Date.now() + timeoutMs;
    let done = false;
    while (!done) {
      if (Date.now() > end) {
        child.kill('SIGKILL');
        throw new Error(`riposte start on "${name}" did not reach the end marker in ${timeoutMs} ms: ${stderr}`);
      }
      if (child.exitCode !== null) throw new Error(`riposte start on "${name}" exited with ${child.exitCode}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
      done = existsSync(alertsFile) && readFileSync(alertsFile, 'utf8').includes('rpfields-end sshd[1]');
    }
    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`riposte start on "${name}" stopped with ${code}: ${stderr}`);
    const lines = readFileSync(alertsFile, 'utf8').split('\n').filter((l) => l !== '');
    return lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((a) => a['full_log'] !== SENTINEL);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
