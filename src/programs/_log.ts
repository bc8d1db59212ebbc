/**
 * Program logging. Every line goes to stderr, which the executor keeps as the run's output
 * excerpt (stdout is reserved for the `check_keys` line). When `RIPOSTE_AR_LOG` names a file, the
 * same lines are appended there in the `active-responses.log` format of Wazuh's programs
 * (`YYYY/MM/DD HH:MM:SS <program>: <message>`, local time), for hosts where the programs run under
 * Wazuh's own execd.
 * @module
 */
import { appendFileSync } from 'node:fs';
import type { Writable } from 'node:stream';

/** Where a program's messages go. */
export interface Logger {
  info(message: string): void;
  error(message: string): void;
}

/**
 * A logger for one program run.
 * @param program the name shown before each message
 * @param stderr the program's stderr
 * @param env where `RIPOSTE_AR_LOG` is read
 * @returns the logger
 * @example createLogger('firewall-drop', process.stderr, process.env).info('Starting')
 */
export function createLogger(program: string, stderr: Writable, env: NodeJS.ProcessEnv): Logger {
  const file = env['RIPOSTE_AR_LOG'];
  let fileBroken = false;
  const write = (level: string, message: string): void => {
    // One line per message whatever the content: tool output can hold newlines.
    const text = message.replace(/\r?\n/g, ' | ');
    stderr.write(`${program}: ${level}${text}\n`);
    if (!file || fileBroken) return;
    try {
      appendFileSync(file, `${logTimestamp(new Date())} active-response/bin/${program}: ${level}${text}\n`);
    } catch (e) {
      fileBroken = true;
      stderr.write(`${program}: cannot write ${file}: ${(e as Error).message}\n`);
    }
  };
  return {
    info: (m) => write('', m),
    error: (m) => write('ERROR: ', m),
  };
}

/**
 * Wazuh's log timestamp, local time.
 * @example logTimestamp(new Date(2026, 0, 2, 3, 4, 5)) // '2026/01/02 03:04:05'
 */
export function logTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
