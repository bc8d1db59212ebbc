/**
 * Byte-exact line reading: yields each line of a stream as a byte string (latin1), without the
 * trailing "\n". Unlike readline it never re-encodes, so invalid UTF-8 reaches the engine intact.
 * @module
 */
import type { Readable } from 'node:stream';

export async function* readByteLines(input: Readable): AsyncGenerator<string> {
  const split = new ByteLineSplitter();
  for await (const chunk of input) {
    split.push((chunk as Buffer).toString('latin1'));
    for (let line = split.next(); line !== null; line = split.next()) yield line;
  }
  const last = split.flush();
  if (last !== null) yield last;
}

/**
 * Incremental line splitter over byte strings that tracks byte offsets and caps line length.
 * Feed chunks with `push`, then call `next` until it returns null. A line longer than `maxBytes`
 * is cut to its first `maxBytes` bytes (`lineCut` is set) and the rest up to its "\n" is dropped
 * without being buffered, so memory stays bounded by chunk size + `maxBytes`.
 * @example
 * const s = new ByteLineSplitter(); s.push('a\nb'); s.next(); // 'a' (s.lineEnd === 2)
 */
export class ByteLineSplitter {
  /** Byte offset just after the line last returned (after its "\n", if it had one). */
  lineEnd = 0;
  /** Whether the line last returned was cut at `maxBytes`. */
  lineCut = false;
  private readonly maxBytes: number;
  private buf = '';
  private start = 0;
  /** Absolute offset of `buf[0]`. */
  private base = 0;
  /** The kept head of an overlong line whose "\n" has not arrived yet. */
  private head: string | null = null;
  /** The head of the current line was already returned (by `flush`): drop up to the next "\n". */
  private dropping = false;

  constructor(maxBytes = Infinity) {
    this.maxBytes = maxBytes;
  }

  /** Forget all buffered bytes; the next byte pushed is at `offset`. */
  reset(offset = 0): void {
    this.buf = '';
    this.start = 0;
    this.base = offset;
    this.head = null;
    this.dropping = false;
    this.lineEnd = offset;
    this.lineCut = false;
  }

  /** Offset just after the last byte pushed. */
  get position(): number {
    return this.base + this.buf.length;
  }

  /** Whether bytes of an unterminated line are held (what `flush` would return). */
  get hasPartial(): boolean {
    return this.head !== null || this.start < this.buf.length;
  }

  /** Append a chunk (a byte string). */
  push(text: string): void {
    if (this.start === this.buf.length) {
      this.base += this.buf.length;
      this.buf = text;
    } else {
      this.base += this.start;
      this.buf = this.buf.slice(this.start) + text;
    }
    this.start = 0;
  }

  /** The next complete line without its "\n", or null when none is complete. */
  next(): string | null {
    for (;;) {
      const nl = this.buf.indexOf('\n', this.start);
      if (nl === -1) {
        this.capPartial();
        return null;
      }
      const s = this.start;
      this.start = nl + 1;
      if (this.dropping) {
        this.dropping = false;
        continue;
      }
      this.lineEnd = this.base + this.start;
      if (this.head !== null) {
        const head = this.head;
        this.head = null;
        this.lineCut = true;
        return head;
      }
      if (nl - s > this.maxBytes) {
        this.lineCut = true;
        return this.buf.slice(s, s + this.maxBytes);
      }
      this.lineCut = false;
      return this.buf.slice(s, nl);
    }
  }

  /**
   * The unterminated rest as a line (call after `next` returned null), or null if there is none.
   * Bytes pushed afterwards start a new line, except after a cut head: the rest of that line is
   * still dropped up to its "\n".
   */
  flush(): string | null {
    if (this.head !== null) {
      const head = this.head;
      this.head = null;
      this.dropping = true;
      this.lineCut = true;
      this.lineEnd = this.position;
      return head;
    }
    if (this.start >= this.buf.length) return null;
    let line = this.buf.slice(this.start);
    this.lineCut = line.length > this.maxBytes;
    if (this.lineCut) line = line.slice(0, this.maxBytes);
    this.base += this.buf.length;
    this.buf = '';
    this.start = 0;
    this.lineEnd = this.base;
    return line;
  }

  /** No "\n" is buffered: keep at most `maxBytes` of the pending line, drop the rest. */
  private capPartial(): void {
    if (this.dropping || this.head !== null) {
      this.base += this.buf.length;
      this.buf = '';
      this.start = 0;
    } else if (this.buf.length - this.start > this.maxBytes) {
      this.head = this.buf.slice(this.start, this.start + this.maxBytes);
      this.base += this.buf.length;
      this.buf = '';
      this.start = 0;
    }
  }
}
