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
  /** Lines waiting for the write in progress to end; they go out together, in order. */
  private queued: Array<{ readonly line: string; readonly resolve: () => void; readonly reject: (e: unknown) => void }> = [];
  private writing = false;

  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /**
   * Append one entry. Entries appended while a write is in progress are written together by the
   * next one (a burst of runs costs a write per group, not an open/write/close each).
   * @returns resolves once the line is written; rejects if it could not be (later entries are still tried)
   * @example await log.append('active-response/bin/firewall-drop', 'Ended')
   */
  append(program: string, msg: string, date: Date = new Date()): Promise<void> {
    const line = `${formatArLogLine(date, program, msg)}\n`;
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ line, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Resolves once every entry appended so far is written (or failed). */
  async idle(): Promise<void> {
    while (this.writing) await new Promise((r) => setTimeout(r, 5));
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queued.length > 0) {
      const group = this.queued;
      this.queued = [];
      try {
        await appendFile(this.file, group.map((g) => g.line).join(''), { encoding: 'utf8', mode: 0o640 });
        for (const g of group) g.resolve();
      } catch (e) {
        for (const g of group) g.reject(e);
      }
    }
    this.writing = false;
  }
}

function oneLine(s: string): string {
  return s.replace(BREAKS, (m) => (m === '\n' ? '\\n' : m === '\r' ? '\\r' : '\\r\\n'));
}

function p2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
