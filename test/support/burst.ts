/**
 * Helpers of the durability tests: a data directory with a tailed log, numbered bursts of
 * `Failed password` lines, and reading alerts.json back line by line.
 * @module
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor as waitForEvery } from './recording.ts';

export const BIN = new URL('../../bin/riposte.js', import.meta.url).pathname;

export interface Env {
  dir: string;
  log: string;
  conf: string;
  data: string;
}

/** A data directory and a tailed log; no response bound (nothing runs). */
export function setupEnv(prefix: string): Env {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const log = join(dir, 'auth.log');
  writeFileSync(log, '');
  const conf = join(dir, 'ossec.conf');
  writeFileSync(conf, `<ossec_config>
  <localfile><log_format>syslog</log_format><location>${log}</location></localfile>
  <ruleset><decoder_dir>ruleset/decoders</decoder_dir><rule_dir>ruleset/rules</rule_dir></ruleset>
</ossec_config>
`);
  return { dir, log, conf, data: join(dir, 'data') };
}

/** Lines numbered by their user name, so every alert tells which line it came from. */
export function appendBurst(log: string, from: number, count: number): void {
  const fd = openSync(log, 'a');
  try {
    const chunk: string[] = [];
    for (let i = from; i < from + count; i++) {
      chunk.push(`Mar 10 10:00:00 srv1 sshd[4242]: Failed password for invalid user n${i} from 198.51.100.${i % 200} port ${1024 + (i % 60000)} ssh2`);
      if (chunk.length === 20_000) {
        writeSync(fd, `${chunk.join('\n')}\n`);
        chunk.length = 0;
      }
    }
    if (chunk.length) writeSync(fd, `${chunk.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
}

/** Every line of alerts.json parsed (a torn line fails the parse), and the line number of each. */
export function alertNumbers(file: string): number[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), 'alerts.json ends with a whole line');
  return text.split('\n').filter(Boolean).map((l, i) => {
    let a: { full_log?: string };
    try {
      a = JSON.parse(l) as { full_log?: string };
    } catch {
      assert.fail(`alerts.json line ${i + 1} is not one whole alert: ${l.slice(0, 200)}`);
    }
    const m = / user n(\d+) from /.exec(a.full_log ?? '');
    assert.ok(m, `alert ${i + 1} has its log line`);
    return Number(m[1]);
  });
}

export function countLines(file: string): number {
  if (!existsSync(file)) return 0;
  const buf = readFileSync(file);
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** `waitFor` with this module's longer default (bursts take a while on a busy machine). */
export function waitFor<T>(f: () => T | undefined, what: string, ms = 60_000): Promise<T> {
  return waitForEvery(f, what, ms, 100);
}

/** `riposte start` as a child, resolved once it follows the logs. */
export async function startDaemon(env: Env, extra: string[] = []): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(BIN, ['start', '--config', env.conf, '--data-dir', env.data, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  await waitFor(() => (err.includes('started:') ? true : child.exitCode !== null ? assert.fail(`riposte start exited: ${err}`) : undefined), 'the daemon to start');
  return { child, stderr: () => err };
}

export async function killed(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

