/**
 * Fixtures for daemon tests: a temporary directory with a Wazuh-style custom response program
 * that records every call (when, and the JSON message it read), an empty tailed log, and sshd
 * brute-force lines to append to it. Also the one polling `waitFor` the tests share.
 * @module
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One call of the recording program. */
export interface RecordedCall {
  /** When it ran, seconds since the epoch (the program's own clock). */
  readonly at: number;
  /** `add` or `delete`. */
  readonly command: string;
  readonly srcip: string | undefined;
  /** The message as the program read it from stdin. */
  readonly raw: string;
}

export interface RecordingEnv {
  readonly dir: string;
  /** The response directory holding `record`. */
  readonly resp: string;
  /** The tailed log (empty). */
  readonly log: string;
  /** The data directory (not created). */
  readonly data: string;
  /** Calls so far, in order. */
  calls(): RecordedCall[];
}

/**
 * A fresh environment, removed by `t.after` when given (else by the caller).
 * @param prefix temp-dir prefix (name your test's area in it)
 */
export function recordingEnv(prefix: string, t?: { after: (fn: () => void) => void }): RecordingEnv {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t?.after(() => rmSync(dir, { recursive: true, force: true }));
  const resp = join(dir, 'responses');
  mkdirSync(resp);
  const record = join(resp, 'record');
  // One JSON line on stdin, as Wazuh 4.x sends it; the time is taken by the program itself.
  writeFileSync(record, '#!/bin/bash\nread -r line\nprintf "%s %s\\n" "$(date +%s.%N)" "$line" >> "$(dirname "$0")/../calls.log"\n');
  chmodSync(record, 0o755);
  const log = join(dir, 'auth.log');
  writeFileSync(log, '');
  const calls = (): RecordedCall[] => {
    const f = join(dir, 'calls.log');
    if (!existsSync(f)) return [];
    return readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
      const sp = l.indexOf(' ');
      const raw = l.slice(sp + 1);
      const msg = JSON.parse(raw) as { command: string; parameters: { alert: { data?: { srcip?: string } } } };
      return { at: Number(l.slice(0, sp)), command: msg.command, srcip: msg.parameters.alert.data?.srcip, raw };
    });
  };
  return { dir, resp, log, data: join(dir, 'data'), calls };
}

/**
 * Write `ossec.conf` binding `record` to `rulesId` with `timeoutSec`, tailing the env's log with
 * Riposte's default ruleset; returns its path.
 */
export function recordingConfig(env: RecordingEnv, opts: { rulesId: string; timeoutSec: number }): string {
  const conf = join(env.dir, 'ossec.conf');
  writeFileSync(conf, `<ossec_config>
  <command><name>record</name><executable>record</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response><command>record</command><location>local</location><rules_id>${opts.rulesId}</rules_id><timeout>${opts.timeoutSec}</timeout></active-response>
  <localfile><log_format>syslog</log_format><location>${env.log}</location></localfile>
  <ruleset><decoder_dir>ruleset/decoders</decoder_dir><rule_dir>ruleset/rules</rule_dir></ruleset>
</ossec_config>
`);
  return conf;
}

/** Append `n` failed logins for a non-existent user from `ip` (10 cross rule 5712's 8). */
export function sshBurst(log: string, ip: string, n = 10): void {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`Mar 10 10:00:0${i % 10} srv1 sshd[4242]: Failed password for invalid user admin from ${ip} port ${40000 + i} ssh2`);
  appendFileSync(log, lines.join('\n') + '\n');
}

/** Poll `f` every `everyMs` until it returns something other than undefined. */
export async function waitFor<T>(f: () => T | undefined | Promise<T | undefined>, what: string, ms = 30_000, everyMs = 50): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
