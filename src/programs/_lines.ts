/**
 * Line-at-a-time reading of a program's stdin. The executor (Wazuh's execd, and Riposte's) keeps
 * stdin open while it waits for the program, so a program must act on each line as soon as its
 * newline arrives and never wait for end-of-file (reading to EOF deadlocks execd: #29602).
 * @module
 */
import type { Readable } from 'node:stream';
import { ProgramError } from './_contract.ts';

/** Longest accepted line. Wazuh caps messages at 64 KiB; Riposte's own may carry bigger alerts. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/**
 * Hands out the lines of a stream one by one.
 * @example const r = new LineReader(process.stdin); const first = await r.next(); r.close();
 */
export class LineReader {
  readonly #stream: Readable;
  readonly #maxChars: number;
  #buf = '';
  readonly #lines: string[] = [];
  #ended = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  readonly #onData = (chunk: string): void => {
    this.#buf += chunk;
    let nl = this.#buf.indexOf('\n');
    while (nl !== -1) {
      this.#lines.push(stripCr(this.#buf.slice(0, nl)));
      this.#buf = this.#buf.slice(nl + 1);
      nl = this.#buf.indexOf('\n');
    }
    if (this.#buf.length > this.#maxChars) this.#fail(new ProgramError('RIPOSTE_ERR_AR_INPUT', `An input line is longer than ${this.#maxChars} characters`));
    this.#notify();
  };

  readonly #onEnd = (): void => {
    // A last line without its newline still counts (e.g. `printf '{…}' | program`).
    if (this.#buf !== '') this.#lines.push(stripCr(this.#buf));
    this.#buf = '';
    this.#ended = true;
    this.#notify();
  };

  readonly #onError = (e: Error): void => this.#fail(e);

  /**
   * @param stream the input, read as UTF-8 (messages are JSON, which is UTF-8)
   * @param maxChars the longest line accepted, @default MAX_LINE_BYTES
   */
  constructor(stream: Readable, maxChars: number = MAX_LINE_BYTES) {
    this.#stream = stream;
    this.#maxChars = maxChars;
    stream.setEncoding('utf8');
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('error', this.#onError);
  }

  /**
   * The next line, without its line ending.
   * @returns the line, or null at end of input
   * @throws the stream's error, or ProgramError for an over-long line
   */
  async next(): Promise<string | null> {
    for (;;) {
      if (this.#error) throw this.#error;
      const line = this.#lines.shift();
      if (line !== undefined) return line;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Stop reading and release the stream, so an open stdin does not keep the process alive. */
  close(): void {
    this.#stream.off('data', this.#onData);
    this.#stream.off('end', this.#onEnd);
    this.#stream.off('error', this.#onError);
    // A late error on a destroyed stdin must not crash the program after it finished.
    this.#stream.on('error', () => {});
    this.#stream.destroy();
  }

  #fail(e: Error): void {
    this.#error = e;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
