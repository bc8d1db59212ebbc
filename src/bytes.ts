/**
 * The engine works on "byte strings": JavaScript strings holding one char per byte (latin1), so
 * that matching, offsets and `size` are byte-exact as in the reference C code while keeping the
 * speed of native strings. Convert at the edges only.
 * @module
 */

/** Raw bytes to a byte string. */
export function bytesToBin(buf: Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
}

/** A byte string back to text for output (bytes are interpreted as UTF-8). */
export function binToUtf8(s: string): string {
  // Fast path: pure ASCII needs no conversion.
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return Buffer.from(s, 'latin1').toString('utf8');
}

/** Text (e.g. a JS string from JSON) to a byte string of its UTF-8 encoding. */
export function utf8ToBin(s: string): string {
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return Buffer.from(s, 'utf8').toString('latin1');
}
