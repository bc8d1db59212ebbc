/**
 * `active-responses.log` in Wazuh's line format, `YYYY/MM/DD HH:MM:SS <argv0>: <msg>` in local
 * time, with `argv0` like `active-response/bin/firewall-drop`. logcollector tails this file and
 * Wazuh's `ar_log_json` decoder and rules 650–658 turn its lines into alerts, so existing
 * dashboards keep working.
 *
 * One entry is always one line: line breaks inside `program` or `msg` are written as `\n` / `\r`
 * (a program's output must not forge log lines that rules would trust). Wazuh writes the input
 * JSON with its newline, which only adds a blank line; dropping that changes nothing for the
 * decoders.
 * @module
 */
import { appendFile } from 'node:fs/promises';

const BREAKS = /\r\n?|\n/g;

/**
 * One log line, without its newline.
 * @example formatArLogLine(new Date(2024, 0, 2, 3, 4, 5), 'active-response/bin/firewall-drop', 'Starting')
 * // '2024/01/02 03:04:05 active-response/bin/firewall-drop: Starting'
 */
export function formatArLogLine(date: Date, program: string, msg: string): string {
  const stamp = `${date.getFullYear()}/${p2(date.getMonth() + 1)}/${p2(date.getDate())} ${p2(date.getHours())}:${p2(date.getMinutes())}:${p2(date.getSeconds())}`;
  return `${stamp} ${oneLine(program)}: ${oneLine(msg.replace(/(?:\r?\n)+$/, ''))}`;
}

/** Appends lines to an `active-responses.log`, in call order (each append opens the file, so log rotation needs no signal). */
export class ArLogAppender {
  private tail: Promise<void> = Promise.resolve();

  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /**
   * Append one entry.
   * @returns resolves once the line is written; rejects if it could not be (later entries are still tried)
   * @example await log.append('active-response/bin/firewall-drop', 'Ended')
   */
  append(program: string, msg: string, date: Date = new Date()): Promise<void> {
    const line = `${formatArLogLine(date, program, msg)}\n`;
    const write = this.tail.then(() => appendFile(this.file, line, { encoding: 'utf8', mode: 0o640 }));
    this.tail = write.catch(() => undefined);
    return write;
  }
}

function oneLine(s: string): string {
  return s.replace(BREAKS, (m) => (m === '\n' ? '\\n' : m === '\r' ? '\\r' : '\\r\\n'));
}

function p2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
