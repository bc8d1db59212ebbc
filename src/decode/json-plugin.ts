/**
 * Wazuh's `JSON_Decoder` plugin (`src/analysisd/decoders/plugins/json_decoder.c`): parse the
 * input as cJSON does and flatten an object into (key, value) pairs in document order.
 *
 * cJSON behaviour mirrored: leading bytes <= 0x20 and a UTF-8 BOM are skipped; text after the
 * value is ignored; numbers are whatever `strtod` reads from the run of `[0-9+-eE.]` (so `01`,
 * `-.5` and `1.` are accepted); strings may hold raw control bytes; `\uXXXX` (with surrogate pairs)
 * becomes UTF-8 bytes, an invalid hex digit gives a NUL byte; strings are C strings (cut at the
 * first NUL); nesting is limited to 1000 levels. Input and output are byte strings.
 *
 * Values as the plugin renders them: strings raw; integers that fit an `int` with `%i`, other
 * numbers with `%f` (cJSON's `valueint` saturates, so 2^31 is `2147483648.000000`); `true`,
 * `false`; `null` as `"null"` or dropped; arrays as the `cJSON_Print` text (`["a", 1]`, nested
 * objects with tabs and newlines) or, in csv mode, scalars joined with `,` (nested values skipped,
 * empty result dropped, nothing over 65535 bytes); objects are flattened with `.`; empty objects
 * produce nothing. Only an object at the top produces pairs.
 * @module
 */

/** How the decoder renders `null` and arrays (`json_null_field`, `json_array_structure`). */
export interface JsonPluginOptions {
  readonly nullField: 'discard' | 'string';
  readonly arrayStructure: 'array' | 'csv';
}

/** A parsed cJSON object: members in order, duplicates kept. */
class JsonObject {
  readonly keys: string[] = [];
  readonly values: JsonValue[] = [];
}

type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

const NESTING_LIMIT = 1000;
/** `OS_MAXSTR`: the csv rendering must stay below it. */
const MAX_STR = 65536;
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

/** cJSON's `valueint`: the double truncated toward zero, saturated to the `int` range. */
function valueInt(d: number): number {
  if (d >= INT_MAX) return INT_MAX;
  if (d <= INT_MIN) return INT_MIN;
  return Math.trunc(d) | 0;
}

/** Byte-wise parser with cJSON's acceptance rules. `s` ends with a NUL sentinel, as in C. */
class Parser {
  private readonly s: string;
  private readonly length: number;
  pos = 0;
  private depth = 0;

  constructor(input: string) {
    const nul = input.indexOf('\0');
    this.s = (nul === -1 ? input : input.slice(0, nul)) + '\0';
    this.length = this.s.length;
  }

  parseRoot(): JsonValue | undefined {
    if (this.length > 4 && this.s.startsWith('\xef\xbb\xbf')) this.pos = 3;
    this.skipWhitespace();
    return this.value();
  }

  private skipWhitespace(): void {
    const s = this.s;
    while (this.pos < this.length && s.charCodeAt(this.pos) <= 0x20) this.pos++;
    if (this.pos === this.length) this.pos--;
  }

  /** `undefined` means a parse error. */
  private value(): JsonValue | undefined {
    const s = this.s;
    const c = s.charCodeAt(this.pos);
    if (c === 0x6e && s.startsWith('null', this.pos)) {
      this.pos += 4;
      return null;
    }
    if (c === 0x66 && s.startsWith('false', this.pos)) {
      this.pos += 5;
      return false;
    }
    if (c === 0x74 && s.startsWith('true', this.pos)) {
      this.pos += 4;
      return true;
    }
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (c === 0x5b) return this.array();
    if (c === 0x7b) return this.object();
    return undefined;
  }

  private number(): number | undefined {
    const s = this.s;
    let end = this.pos;
    for (;;) {
      const c = s.charCodeAt(end);
      if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x45 || c === 0x65) end++;
      else break;
    }
    // What strtod reads from that run.
    const m = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(s.slice(this.pos, end));
    if (m === null) return undefined;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private string(): string | undefined {
    const s = this.s;
    // Find the closing quote, stepping over escaped bytes.
    let end = this.pos + 1;
    while (end < this.length && s.charCodeAt(end) !== 0x22) {
      if (s.charCodeAt(end) === 0x5c) {
        if (end + 1 >= this.length) return undefined;
        end++;
      }
      end++;
    }
    if (end >= this.length) return undefined;
    const start = this.pos + 1;
    this.pos = end + 1;
    const bs = s.indexOf('\\', start);
    let out: string;
    if (bs === -1 || bs >= end) {
      out = s.slice(start, end);
    } else {
      const decoded = this.unescape(start, end);
      if (decoded === undefined) return undefined;
      out = decoded;
    }
    // Values are used as C strings.
    const nul = out.indexOf('\0');
    return nul === -1 ? out : out.slice(0, nul);
  }

  private unescape(start: number, end: number): string | undefined {
    const s = this.s;
    let out = '';
    let i = start;
    while (i < end) {
      const bs = s.indexOf('\\', i);
      if (bs === -1 || bs >= end) {
        out += s.slice(i, end);
        break;
      }
      out += s.slice(i, bs);
      const e = s.charCodeAt(bs + 1);
      i = bs + 2;
      switch (e) {
        case 0x62: out += '\b'; break;
        case 0x66: out += '\f'; break;
        case 0x6e: out += '\n'; break;
        case 0x72: out += '\r'; break;
        case 0x74: out += '\t'; break;
        case 0x22: case 0x5c: case 0x2f: out += String.fromCharCode(e); break;
        case 0x75: {
          if (end - bs < 6) return undefined;
          const first = hex4(s, bs + 2);
          let cp = first;
          i = bs + 6;
          if (first >= 0xdc00 && first <= 0xdfff) return undefined;
          if (first >= 0xd800 && first <= 0xdbff) {
            if (end - i < 6 || s.charCodeAt(i) !== 0x5c || s.charCodeAt(i + 1) !== 0x75) return undefined;
            const second = hex4(s, i + 2);
            if (second < 0xdc00 || second > 0xdfff) return undefined;
            cp = 0x10000 + (((first & 0x3ff) << 10) | (second & 0x3ff));
            i += 6;
          }
          out += utf8(cp);
          break;
        }
        default:
          return undefined;
      }
    }
    return out;
  }

  private array(): JsonValue[] | undefined {
    if (this.depth >= NESTING_LIMIT) return undefined;
    this.depth++;
    const items: JsonValue[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.s.charCodeAt(this.pos) !== 0x5d) {
      for (;;) {
        const v = this.value();
        if (v === undefined) return undefined;
        items.push(v);
        this.skipWhitespace();
        if (this.s.charCodeAt(this.pos) !== 0x2c) break;
        this.pos++;
        this.skipWhitespace();
      }
      if (this.s.charCodeAt(this.pos) !== 0x5d) return undefined;
    }
    this.pos++;
    this.depth--;
    return items;
  }

  private object(): JsonObject | undefined {
    if (this.depth >= NESTING_LIMIT) return undefined;
    this.depth++;
    const obj = new JsonObject();
    this.pos++;
    this.skipWhitespace();
    if (this.s.charCodeAt(this.pos) !== 0x7d) {
      for (;;) {
        if (this.s.charCodeAt(this.pos) !== 0x22) return undefined;
        const key = this.string();
        if (key === undefined) return undefined;
        this.skipWhitespace();
        if (this.s.charCodeAt(this.pos) !== 0x3a) return undefined;
        this.pos++;
        this.skipWhitespace();
        const v = this.value();
        if (v === undefined) return undefined;
        obj.keys.push(key);
        obj.values.push(v);
        this.skipWhitespace();
        if (this.s.charCodeAt(this.pos) !== 0x2c) break;
        this.pos++;
        this.skipWhitespace();
      }
      if (this.s.charCodeAt(this.pos) !== 0x7d) return undefined;
    }
    this.pos++;
    this.depth--;
    return obj;
  }
}

/** cJSON's `parse_hex4`: any invalid digit makes the whole value 0. */
function hex4(s: string, at: number): number {
  let h = 0;
  for (let k = 0; k < 4; k++) {
    const c = s.charCodeAt(at + k);
    let v: number;
    if (c >= 0x30 && c <= 0x39) v = c - 0x30;
    else if (c >= 0x41 && c <= 0x46) v = c - 0x37;
    else if (c >= 0x61 && c <= 0x66) v = c - 0x57;
    else return 0;
    h = (h << 4) | v;
  }
  return h;
}

/** UTF-8 bytes of a code point, as a byte string. */
function utf8(cp: number): string {
  if (cp < 0x80) return String.fromCharCode(cp);
  if (cp < 0x800) return String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  if (cp < 0x10000) return String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  return String.fromCharCode(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

// ---- Number formatting, exact like glibc's printf (round half to even on the binary value) ----

const F64 = new DataView(new ArrayBuffer(8));

/** `a = m * 2^e` exactly, for a finite `a > 0`. */
function decompose(a: number): [bigint, number] {
  F64.setFloat64(0, a);
  const hi = F64.getUint32(0);
  const lo = F64.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return exp === 0 ? [frac, -1074] : [frac | (1n << 52n), exp - 1075];
}

/** `q / d` rounded half to even. */
function divRound(q: bigint, d: bigint): bigint {
  const n = q / d;
  const r2 = (q % d) * 2n;
  return r2 > d || (r2 === d && (n & 1n) === 1n) ? n + 1n : n;
}

/** `%f` (6 decimals); `inf`/`-inf` for infinities, as glibc prints them. */
export function formatF(d: number): string {
  if (!Number.isFinite(d)) return d > 0 ? 'inf' : '-inf';
  const neg = d < 0 || Object.is(d, -0);
  const a = Math.abs(d);
  let body: string;
  // toFixed is exact but breaks ties upward; a tie needs a * 2e6 to be an odd integer,
  // which needs a * 128 to be an integer.
  if (a < 1e15 && !Number.isInteger(a * 128)) {
    body = a.toFixed(6);
  } else {
    let n: bigint;
    if (a === 0) n = 0n;
    else {
      const [m, e] = decompose(a);
      n = e >= 0 ? (m << BigInt(e)) * 1000000n : divRound(m * 1000000n, 1n << BigInt(-e));
    }
    const digits = n.toString().padStart(7, '0');
    body = `${digits.slice(0, -6)}.${digits.slice(-6)}`;
  }
  return neg ? `-${body}` : body;
}

/** Exact decimal digits of `a > 0`: `a = 0.digits * 10^(exp10 + 1)` with `digits[0] != 0`. */
function exactDigits(a: number): { digits: string; exp10: number } {
  const [m, e] = decompose(a);
  if (e >= 0) {
    const digits = (m << BigInt(e)).toString();
    return { digits, exp10: digits.length - 1 };
  }
  const digits = (m * 5n ** BigInt(-e)).toString();
  return { digits, exp10: digits.length - 1 + e };
}

/** `%1.<p>g`. */
function formatG(d: number, p: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const neg = d < 0;
  const { digits, exp10 } = exactDigits(Math.abs(d));
  let x = exp10;
  let sig: string;
  if (digits.length <= p) {
    sig = digits.padEnd(p, '0');
  } else {
    let n = BigInt(digits.slice(0, p));
    const rest = digits.slice(p);
    const first = rest.charCodeAt(0) - 0x30;
    const beyond = /[1-9]/.test(rest.slice(1));
    if (first > 5 || (first === 5 && (beyond || (n & 1n) === 1n))) n += 1n;
    sig = n.toString();
    if (sig.length > p) {
      x++;
      sig = sig.slice(0, p);
    }
  }
  let out: string;
  if (x < p && x >= -4) {
    // Fixed notation with p - 1 - x decimals, trailing zeros removed.
    const all = x >= 0 ? sig : '0'.repeat(-x) + sig;
    const intLen = x >= 0 ? x + 1 : 1;
    const frac = all.slice(intLen).replace(/0+$/, '');
    out = frac ? `${all.slice(0, intLen)}.${frac}` : all.slice(0, intLen);
  } else {
    const frac = sig.slice(1).replace(/0+$/, '');
    const ex = Math.abs(x).toString().padStart(2, '0');
    out = `${sig[0]}${frac ? `.${frac}` : ''}e${x < 0 ? '-' : '+'}${ex}`;
  }
  return neg ? `-${out}` : out;
}

/** cJSON's `print_number` (1.7.15: `%1.15g`, or `%1.17g` when that does not read back). */
function printNumber(d: number): string {
  if (!Number.isFinite(d)) return 'null';
  const g15 = formatG(d, 15);
  const back = Number(g15);
  const max = Math.max(Math.abs(back), Math.abs(d));
  return Math.abs(back - d) <= max * Number.EPSILON ? g15 : formatG(d, 17);
}

/** cJSON's `print_string_ptr`. */
function printString(s: string): string {
  if (!/["\\\x00-\x1f]/.test(s)) return `"${s}"`;
  return `"${s.replace(/["\\\x00-\x1f]/g, (c) => {
    switch (c) {
      case '"': return '\\"';
      case '\\': return '\\\\';
      case '\b': return '\\b';
      case '\f': return '\\f';
      case '\n': return '\\n';
      case '\r': return '\\r';
      case '\t': return '\\t';
      default: return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  })}"`;
}

/** `cJSON_Print` (formatted) of a value at print depth `depth`. */
function printValue(v: JsonValue, depth: number): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return printString(v);
  if (typeof v === 'number') return printNumber(v);
  if (Array.isArray(v)) {
    let out = '[';
    for (let k = 0; k < v.length; k++) {
      if (k > 0) out += ', ';
      out += printValue(v[k] as JsonValue, depth + 1);
    }
    return out + ']';
  }
  const inner = '\t'.repeat(depth + 1);
  let out = '{\n';
  for (let k = 0; k < v.keys.length; k++) {
    out += `${inner}${printString(v.keys[k] as string)}:\t${printValue(v.values[k] as JsonValue, depth + 1)}`;
    out += k + 1 < v.keys.length ? ',\n' : '\n';
  }
  return `${out}${'\t'.repeat(depth)}}`;
}

/** The plugin's rendering of a number: `%i` when it is its own `valueint`, else `%f`. */
function scalarNumber(d: number): string {
  const vi = valueInt(d);
  return vi === d ? String(vi) : formatF(d);
}

/** The plugin prints numbers into a 64-byte buffer. */
const NUMBER_BUF = 63;

/**
 * The csv rendering of an array; `''` (key dropped) when empty or too long. As in the C, a
 * number longer than the 64-byte print buffer is cut, and since the write position still moves
 * by its full length the C string ends there.
 */
function csv(items: readonly JsonValue[]): string {
  let out = '';
  let n = 0; // the C write position
  let ended = false;
  for (let k = 0; k < items.length; k++) {
    const v = items[k] as JsonValue;
    let text: string;
    if (typeof v === 'string') text = v;
    else if (typeof v === 'number') text = scalarNumber(v);
    else if (v === null) text = 'null';
    else if (v === true) text = 'true';
    else if (v === false) text = 'false';
    else continue; // nested arrays and objects are skipped, comma included
    if (n + text.length >= MAX_STR) return '';
    if (!ended) out += text.length > NUMBER_BUF && typeof v === 'number' ? text.slice(0, NUMBER_BUF) : text;
    if (text.length > NUMBER_BUF && typeof v === 'number') ended = true;
    n += text.length;
    if (n + 1 >= MAX_STR) return '';
    if (k + 1 < items.length) {
      if (!ended) out += ',';
      n++;
    }
  }
  return out;
}

function flatten(obj: JsonObject, prefix: string | null, opts: JsonPluginOptions, out: Array<[string, string]>): void {
  for (let k = 0; k < obj.keys.length; k++) {
    const name = obj.keys[k] as string;
    const key = prefix === null ? name : `${prefix}.${name}`;
    const v = obj.values[k] as JsonValue;
    if (typeof v === 'string') out.push([key, v]);
    else if (typeof v === 'number') out.push([key, scalarNumber(v).slice(0, NUMBER_BUF)]);
    else if (v === true) out.push([key, 'true']);
    else if (v === false) out.push([key, 'false']);
    else if (v === null) {
      if (opts.nullField === 'string') out.push([key, 'null']);
    } else if (Array.isArray(v)) {
      const text = opts.arrayStructure === 'csv' ? csv(v) : printValue(v, 0);
      if (text !== '') out.push([key, text]);
    } else {
      flatten(v, key, opts, out);
    }
  }
}

/**
 * Decode `input` (a byte string) as Wazuh's JSON_Decoder does: the flattened `[key, value]`
 * pairs of a top-level object in document order (any other top-level value gives `[]`), or
 * `null` when cJSON rejects the input. Mapping keys to static fields is the caller's job.
 * @example decodeJsonPlugin('{"a":{"b":1.5},"c":["x",2]} trailing', { nullField: 'string', arrayStructure: 'array' })
 * // [['a.b', '1.500000'], ['c', '["x", 2]']]
 */
export function decodeJsonPlugin(input: string, opts: JsonPluginOptions): Array<[string, string]> | null {
  const root = new Parser(input).parseRoot();
  if (root === undefined) return null;
  const out: Array<[string, string]> = [];
  if (root instanceof JsonObject) flatten(root, null, opts, out);
  return out;
}
