/**
 * CDB lists in their text form, parsed exactly as `lists_make.c` (`Lists_OP_MakeCDB`) compiles
 * them to `.cdb`: one `key:value` per line, optional `"…"` quoting of the key and/or the value, no
 * comments. Lookups are exact and case-sensitive; a repeated key keeps its first record, as
 * `cdb_find` returns the first record inserted.
 * @module
 */

/** A compiled CDB list: byte-string keys to byte-string values. */
export interface CdbList {
  /** Value of the first record whose key is exactly `key`, or undefined. */
  get(key: string): string | undefined;
  has(key: string): boolean;
  /** Number of distinct keys. */
  readonly size: number;
  /** Distinct keys in file order. */
  keys(): IterableIterator<string>;
}

/**
 * `fgets(str, OS_MAXSTR - 1, …)` reads at most OS_MAXSTR - 2 = 65534 bytes per call, so a longer
 * physical line is processed as several lines.
 */
const FGETS_MAX = 65534;

/**
 * Parse the text of a CDB list (a byte string: the file read as latin1).
 * @example parseCdbList('10.0.0.1:bad\n"a:b":"c:d"\n').get('a:b') // 'c:d'
 */
export function parseCdbList(text: string): CdbList {
  const map = new Map<string, string>();
  const len = text.length;
  let pos = 0;
  while (pos < len) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? len : nl + 1;
    while (end - pos > FGETS_MAX) {
      addRecord(map, text.slice(pos, pos + FGETS_MAX));
      pos += FGETS_MAX;
    }
    addRecord(map, text.slice(pos, end));
    pos = end;
  }
  return new MapCdbList(map);
}

/** Apply the reference's per-line rules to what one `fgets` call returned. */
function addRecord(map: Map<string, string>, chunk: string): void {
  // C string functions stop at NUL; then the first CR and the first LF end the line.
  let s = chunk;
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  const cr = s.indexOf('\r');
  if (cr >= 0) s = s.slice(0, cr);
  const lf = s.indexOf('\n');
  if (lf >= 0) s = s.slice(0, lf);

  const q1 = s.indexOf('"');
  const c1 = s.indexOf(':');
  let key: string;
  let valueStart: number;
  if (q1 >= 0 && c1 > q1) {
    // Quoted key: the first quote precedes the first colon. Text around the quotes is dropped.
    const q2 = s.indexOf('"', q1 + 1);
    if (q2 < 0) return;
    key = s.slice(q1 + 1, q2);
    const colon = s.indexOf(':', q2 + 1);
    if (colon < 0) return;
    valueStart = colon + 1;
  } else {
    if (c1 < 0) return;
    key = s.slice(0, c1);
    valueStart = c1 + 1;
  }

  // Any quote in the value part selects the text between it and the next quote; an unclosed
  // quote drops the whole line.
  let value: string;
  const vq1 = s.indexOf('"', valueStart);
  if (vq1 >= 0) {
    const vq2 = s.indexOf('"', vq1 + 1);
    if (vq2 < 0) return;
    value = s.slice(vq1 + 1, vq2);
  } else {
    value = s.slice(valueStart);
  }

  if (!map.has(key)) map.set(key, value);
}

class MapCdbList implements CdbList {
  readonly #map: ReadonlyMap<string, string>;

  constructor(map: ReadonlyMap<string, string>) {
    this.#map = map;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): string | undefined {
    return this.#map.get(key);
  }

  has(key: string): boolean {
    return this.#map.has(key);
  }

  keys(): IterableIterator<string> {
    return this.#map.keys();
  }
}
