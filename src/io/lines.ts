/**
 * Byte-exact line reading: yields each line of a stream as a byte string (latin1), without the
 * trailing "\n". Unlike readline it never re-encodes, so invalid UTF-8 reaches the engine intact.
 * @module
 */
import type { Readable } from 'node:stream';

export async function* readByteLines(input: Readable): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of input) {
    const text = pending + (chunk as Buffer).toString('latin1');
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      yield text.slice(start, nl);
      start = nl + 1;
    }
    pending = text.slice(start);
  }
  if (pending !== '') yield pending;
}
