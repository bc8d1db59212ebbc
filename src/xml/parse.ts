/**
 * Reader for Wazuh's XML dialect, following `src/os_xml/os_xml.c` (parsing) and
 * `os_xml_variables.c` (`<var>` substitution) of Wazuh 4.14.
 *
 * What differs from standard XML, on purpose (it is what `os_xml` does):
 * - several root elements per file; text outside elements is ignored;
 * - no entity decoding, text kept raw (no trimming); an element's text is the text after its
 *   last child element (os_xml restarts its content buffer after each child);
 * - a `<` preceded by an odd run of backslashes is text, and the backslashes stay in the text
 *   (OS_Regex later reads `\<` as a literal `<`);
 * - comments run from `<!` to the first `-->` or `!>`, and may appear anywhere, even inside text;
 * - a `>` inside an attribute value is an error, as are a duplicate attribute, whitespace before
 *   `=`, and any text, element name or attribute over 2047 bytes;
 * - in a self-closing tag with attributes (`<a x="1"/>`) the final `>` is left unread, so it
 *   becomes the first byte of the parent's following text;
 * - `<var name="X">v</var>` (any depth, name case-insensitive) defines X for everything after it
 *   in document order; `$X` in element text and attribute values longer than 2 bytes is replaced;
 *   a variable name runs to the next `$`, `.`, `|`, `,`, space or the end; once a variable is
 *   defined, an unknown name is an error unless it starts with `(` (`$(field)` in descriptions);
 *   var elements are dropped from the result.
 *
 * Extension: a `<?...?>` processing instruction (the XML header) is skipped outside elements,
 * where os_xml would reject it.
 * @module
 */

import { RiposteError } from '../errors.ts';
import type { XmlNode } from './types.ts';

/** os_xml's buffer size: a name, text run or attribute reaching it is an error. */
const MAX_SIZE = 2048;
/** os_xml's recursion limit (the root is level 1). */
const MAX_DEPTH = 1024;
/** Longest variable name plus one (os_xml `XML_VARIABLE_MAXSIZE`). */
const VAR_MAX_SIZE = 256;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const BANG = 0x21;
const QMARK = 0x3f;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

interface MutableNode {
  name: string;
  attributes: Array<[string, string]>;
  text: string;
  children: MutableNode[];
  line: number;
  /** A `<var>` element: defines a variable, is dropped from the result. */
  isVar: boolean;
  /** See XmlNode.strayLine (0: none, or not asked for). */
  strayLine: number;
}

/** Options of {@link parseWazuhXml}. */
export interface ParseOptions {
  /**
   * Record on each element with children the line of its first non-blank text run
   * (`XmlNode.strayLine`): os_xml discards such text silently. Off for rulesets (unchanged cost).
   */
  readonly strayText?: boolean;
}

/** Text that is not blank: `>` counts as blank (the self-closing quirk leaves one in the text). */
const NOT_BLANK = /[^\t\n\v\f\r >]/;

/** C `isspace` in the "C" locale. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** ASCII-only lowercase, as `strcasecmp` compares. */
function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

class Parser {
  private readonly src: string;
  private readonly file: string;
  private readonly n: number;
  private pos = 0;
  /** Set by `openTag` when the element closed itself (`<a/>`, `<a x="1"/>`). */
  private selfClosed = false;
  private lineCachePos = 0;
  private lineCacheLine = 1;
  private readonly strayText: boolean;

  constructor(src: string, file: string, opts: ParseOptions = {}) {
    this.src = src;
    this.file = file;
    this.n = src.length;
    this.strayText = opts.strayText === true;
  }

  /** Line of the first non-blank byte of `s[from, to)`, or 0. */
  private strayIn(from: number, to: number): number {
    const m = NOT_BLANK.exec(this.src.slice(from, to));
    return m === null ? 0 : this.lineAt(from + m.index);
  }

  /** 1-based line of offset `pos` (amortised: positions mostly grow). */
  lineAt(pos: number): number {
    if (pos < this.lineCachePos) {
      this.lineCachePos = 0;
      this.lineCacheLine = 1;
    }
    const s = this.src;
    let line = this.lineCacheLine;
    let i = s.indexOf('\n', this.lineCachePos);
    while (i !== -1 && i < pos) {
      line++;
      i = s.indexOf('\n', i + 1);
    }
    this.lineCachePos = pos;
    this.lineCacheLine = line;
    return line;
  }

  fail(message: string, pos: number, element?: string): never {
    const line = this.lineAt(Math.min(pos, this.n));
    throw new RiposteError('RIPOSTE_ERR_XML_SYNTAX', message, element === undefined ? { file: this.file, line } : { file: this.file, line, element });
  }

  /**
   * Whether the `<` at `lt` follows an odd run of backslashes. os_xml tracks this as a running
   * state: a backslash flips it, any other byte but `<` clears it, and comments (skipped whole)
   * leave it unchanged. `floor` is where tracking restarted, `carry` the state there.
   */
  private escapedAt(lt: number, floor: number, carry: boolean): boolean {
    const s = this.src;
    let k = lt - 1;
    while (k >= floor && s.charCodeAt(k) === BACKSLASH) k--;
    const odd = ((lt - 1 - k) & 1) === 1;
    return k < floor ? odd !== carry : odd;
  }

  /**
   * At `<`: when it opens a comment (`<!`), skip it and return true.
   * The comment ends at the first `-->` or `!>` after the `<!`.
   */
  private skipComment(lt: number, element?: string): boolean {
    const s = this.src;
    if (s.charCodeAt(lt + 1) !== BANG) return false;
    const from = lt + 2;
    const a = s.indexOf('-->', from);
    const b = s.indexOf('!>', from);
    if (a === -1 && b === -1) this.fail('Comment not closed', lt, element);
    this.pos = b === -1 || (a !== -1 && a + 1 < b) ? a + 3 : b + 2;
    return true;
  }

  parse(): MutableNode[] {
    const s = this.src;
    const roots: MutableNode[] = [];
    // Open elements, innermost last.
    const stack: MutableNode[] = [];
    // Text of the innermost open element collected since its last child (comments removed).
    let text = '';
    let segStart = 0;
    let floor = 0;
    let carry = false;
    // With `strayText`: line of the first non-blank text run since the last tag (0: none yet).
    let strayLine = 0;
    for (;;) {
      const lt = s.indexOf('<', this.pos);
      const top = stack[stack.length - 1];
      if (top === undefined) {
        // Outside any element: everything but tags and comments is ignored.
        if (lt === -1) return roots;
        if (this.skipComment(lt)) {
          carry = this.escapedAt(lt, floor, carry);
          floor = this.pos;
          continue;
        }
        if (this.escapedAt(lt, floor, carry)) {
          this.pos = floor = lt + 1;
          carry = false;
          continue;
        }
        if (s.charCodeAt(lt + 1) === QMARK) {
          const end = s.indexOf('?>', lt + 2);
          if (end === -1) this.fail('Processing instruction not closed', lt);
          this.pos = end + 2;
        } else {
          if (s.charCodeAt(lt + 1) === SLASH) this.fail('Closing tag without an opening tag', lt);
          const node = this.openTag(lt);
          roots.push(node);
          if (!this.selfClosed) stack.push(node);
        }
      } else {
        if (lt === -1) {
          throw new RiposteError('RIPOSTE_ERR_XML_SYNTAX', `End of file inside <${top.name}>: element not closed`, {
            file: this.file,
            line: top.line,
            element: top.name,
          });
        }
        if (text.length + (lt - segStart) >= MAX_SIZE) this.fail('Text too long (2048 bytes or more)', lt, top.name);
        if (s.charCodeAt(lt + 1) === BANG) {
          if (this.strayText && strayLine === 0) strayLine = this.strayIn(segStart, lt);
          text += s.slice(segStart, lt);
          this.skipComment(lt, top.name);
          carry = this.escapedAt(lt, floor, carry);
          floor = segStart = this.pos;
          continue;
        }
        if (this.escapedAt(lt, floor, carry)) {
          // `\<` is text (backslashes included); the `<` clears the escape.
          this.pos = floor = lt + 1;
          carry = false;
          continue;
        }
        if (this.strayText && strayLine === 0) strayLine = this.strayIn(segStart, lt);
        if (strayLine !== 0 && top.strayLine === 0 && (top.children.length > 0 || s.charCodeAt(lt + 1) !== SLASH)) top.strayLine = strayLine;
        if (s.charCodeAt(lt + 1) === SLASH) {
          top.text = text + s.slice(segStart, lt);
          this.closeTag(lt, top);
          stack.pop();
        } else {
          if (stack.length >= MAX_DEPTH) this.fail('Elements nested too deeply', lt, top.name);
          const child = this.openTag(lt);
          top.children.push(child);
          if (!this.selfClosed) stack.push(child);
        }
      }
      // After any tag, os_xml's escape state is clear and the parent's text restarts.
      text = '';
      strayLine = 0;
      floor = segStart = this.pos;
      carry = false;
    }
  }

  /**
   * Read `<name attrs...>` at `lt`; sets `selfClosed`. `pos` ends after the tag, or before its
   * `>` in the `attr="v"/` case, which os_xml leaves unread.
   */
  private openTag(lt: number): MutableNode {
    const s = this.src;
    const line = this.lineAt(lt);
    this.pos = lt + 1;
    let name = '';
    let segStart = this.pos;
    let terminator = -1;
    while (this.pos < this.n) {
      const c = s.charCodeAt(this.pos);
      if (c === GT || isSpace(c)) {
        terminator = c;
        break;
      }
      if (c === LT && s.charCodeAt(this.pos + 1) === BANG) {
        name += s.slice(segStart, this.pos);
        this.skipComment(this.pos);
        segStart = this.pos;
        continue;
      }
      this.pos++;
    }
    name += s.slice(segStart, this.pos);
    if (terminator === -1) this.fail('End of file inside a tag', lt, name || undefined);
    if (name.length >= MAX_SIZE) this.fail('Element name too long', lt);
    this.pos++; // the terminator
    let selfClosed = false;
    if (name.length > 0 && name.charCodeAt(name.length - 1) === SLASH) {
      selfClosed = true;
      name = name.slice(0, -1);
    }
    const isVar = asciiLower(name) === 'var';
    const node: MutableNode = { name, attributes: [], text: '', children: [], line, isVar, strayLine: 0 };
    if (isSpace(terminator) && this.readAttributes(node)) selfClosed = true;
    this.selfClosed = selfClosed;
    return node;
  }
  /** Read attributes up to `>` (consumed) or `/` (returns true; the `>` is left unread). */
  private readAttributes(node: MutableNode): boolean {
    const s = this.src;
    const el = node.name;
    for (;;) {
      // Skip whitespace before a name; a `>` or `/` here ends the tag.
      let c = s.charCodeAt(this.pos);
      while (this.pos < this.n && isSpace(c)) c = s.charCodeAt(++this.pos);
      if (this.pos >= this.n) this.fail('End of file while reading attributes', this.pos, el);
      if (c === GT) {
        this.pos++;
        return false;
      }
      if (c === SLASH) {
        this.pos++;
        return true;
      }
      const nameStart = this.pos;
      while (this.pos < this.n) {
        c = s.charCodeAt(this.pos);
        if (c === EQUALS || c === GT || c === SLASH || isSpace(c)) break;
        this.pos++;
      }
      const attr = s.slice(nameStart, this.pos);
      if (attr.length >= MAX_SIZE) this.fail('Attribute name too long', nameStart, el);
      if (this.pos >= this.n) this.fail('End of file while reading an attribute', this.pos, el);
      if (c !== EQUALS) this.fail(`Attribute "${attr}" has no value`, this.pos, el);
      for (const [k] of node.attributes) if (k === attr) this.fail(`Attribute "${attr}" already defined`, nameStart, el);
      this.pos++; // '='
      c = s.charCodeAt(this.pos);
      while (this.pos < this.n && isSpace(c)) c = s.charCodeAt(++this.pos);
      if (c !== DQUOTE && c !== SQUOTE) this.fail(`Attribute "${attr}" not followed by a quote`, this.pos, el);
      const valueStart = this.pos + 1;
      const quote = c === DQUOTE ? '"' : "'";
      const end = s.indexOf(quote, valueStart);
      const gt = s.indexOf('>', valueStart);
      if (end === -1 && gt === -1) this.fail('End of file while reading an attribute', this.n, el);
      if (gt !== -1 && (end === -1 || gt < end)) this.fail(`Attribute "${attr}" not closed`, gt, el);
      if (end - valueStart >= MAX_SIZE) this.fail(`Attribute "${attr}" too long`, valueStart, el);
      node.attributes.push([attr, s.slice(valueStart, end)]);
      this.pos = end + 1;
      c = s.charCodeAt(this.pos);
      if (c === GT) {
        this.pos++;
        return false;
      }
      if (c === SLASH) {
        this.pos++;
        return true;
      }
      if (!isSpace(c)) this.fail(`Bad closing of attribute "${attr}"`, this.pos, el);
    }
  }

  /** Read `</name>` at `lt` and check it closes `open`. */
  private closeTag(lt: number, open: MutableNode): void {
    const s = this.src;
    this.pos = lt + 2;
    let name = '';
    let segStart = this.pos;
    for (;;) {
      if (this.pos >= this.n) this.fail(`End of file inside the closing tag of <${open.name}>`, lt, open.name);
      const c = s.charCodeAt(this.pos);
      if (c === GT) break;
      if (c === LT && s.charCodeAt(this.pos + 1) === BANG) {
        name += s.slice(segStart, this.pos);
        this.skipComment(this.pos, open.name);
        segStart = this.pos;
        continue;
      }
      this.pos++;
    }
    name += s.slice(segStart, this.pos);
    this.pos++;
    if (name.length >= MAX_SIZE) this.fail('Closing tag name too long', lt, open.name);
    if (name !== open.name) this.fail(`Mismatched closing tag </${name}> for <${open.name}>`, lt, open.name);
  }
}

/** Applies `<var>` definitions and `$NAME` references in document order (os_xml_variables.c). */
class VarApplier {
  private readonly vars = new Map<string, string>();
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  private fail(message: string, node: MutableNode): never {
    throw new RiposteError('RIPOSTE_ERR_XML_VAR', message, { file: this.file, line: node.line, element: node.name });
  }

  private define(name: string, value: string, node: MutableNode): void {
    if (name.length >= VAR_MAX_SIZE) this.fail('Variable name too long', node);
    const key = asciiLower(name);
    // The first definition of a name wins: lookups scan definitions in order.
    if (!this.vars.has(key)) this.vars.set(key, value);
  }

  private substitute(str: string, node: MutableNode): string {
    // Before the first definition nothing is substituted, so `$x` stays as written.
    if (this.vars.size === 0 || str.length <= 2 || str.indexOf('$') === -1) return str;
    let out = '';
    let i = 0;
    const n = str.length;
    while (i < n) {
      const d = str.indexOf('$', i);
      if (d === -1) {
        out += str.slice(i);
        break;
      }
      out += str.slice(i, d);
      let j = d + 1;
      while (j < n) {
        const c = str.charCodeAt(j);
        if (c === 0x24 || c === 0x2e || c === 0x7c || c === 0x2c || c === 0x20) break;
        if (j - d - 1 >= VAR_MAX_SIZE - 1) this.fail('Variable name too long', node);
        j++;
      }
      const name = str.slice(d + 1, j);
      if (name.length === 0 || name.charCodeAt(0) === 0x28) {
        // A lone `$`, or a `$(field)` reference to a decoded field (rule descriptions): kept.
        out += str.slice(d, j);
      } else {
        const value = this.vars.get(asciiLower(name));
        if (value === undefined) this.fail(`Unknown variable "${name}"`, node);
        out += value;
      }
      i = j;
    }
    return out;
  }

  /** Walk in document order; returns the node list with var elements removed. */
  apply(nodes: MutableNode[]): MutableNode[] {
    let kept: MutableNode[] | null = null;
    for (let k = 0; k < nodes.length; k++) {
      const node = nodes[k] as MutableNode;
      if (node.isVar) {
        const first = node.attributes[0];
        if (first === undefined) this.fail('No name set for variable', node);
        if (asciiLower(first[0]) !== 'name') this.fail('Only "name" is allowed as an attribute of a variable', node);
        this.define(first[1], node.text, node);
      } else {
        node.text = this.substitute(node.text, node);
      }
      this.applyAttributes(node);
      node.children = this.apply(node.children);
      if (node.isVar) {
        kept ??= nodes.slice(0, k);
      } else if (kept) {
        kept.push(node);
      }
    }
    return kept ?? nodes;
  }

  private applyAttributes(node: MutableNode): void {
    const attrs = node.attributes;
    for (let a = 0; a < attrs.length; a++) {
      const pair = attrs[a] as [string, string];
      if (asciiLower(pair[0]) === 'var') {
        // os_xml types an attribute named "var" as a variable definition named by the next
        // attribute; it and the attributes after it are not visible on the element.
        const next = attrs[a + 1];
        if (next === undefined) this.fail('No name set for variable', node);
        if (asciiLower(next[0]) !== 'name') this.fail('Only "name" is allowed as an attribute of a variable', node);
        this.define(next[1], pair[1], node);
        for (let b = a + 1; b < attrs.length; b++) {
          const p = attrs[b] as [string, string];
          p[1] = this.substitute(p[1], node);
        }
        attrs.length = a;
        return;
      }
      pair[1] = this.substitute(pair[1], node);
    }
  }
}

/**
 * Parse a file of Wazuh's XML dialect (a byte string) into its root elements, with `<var>`
 * substitution applied and var elements removed.
 * @throws RiposteError `RIPOSTE_ERR_XML_SYNTAX` or `RIPOSTE_ERR_XML_VAR`, located at file:line.
 */
export function parseWazuhXml(text: string, file: string, opts: ParseOptions = {}): XmlNode[] {
  const parser = new Parser(text, file, opts);
  const roots = parser.parse();
  return new VarApplier(file).apply(roots);
}
