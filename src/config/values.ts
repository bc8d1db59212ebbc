/**
 * Reading and checking element values. Each reader records a located error and returns null on a
 * bad value, so a load goes on and reports every problem of the file.
 * @module
 */
import type { XmlNode } from '../xml/types.ts';
import type { Issues } from './issues.ts';

/** Largest value of a C `int`, the type Wazuh stores these numbers in. */
export const INT_MAX = 2147483647;

/** Whitespace trimmed from values (Wazuh keeps it, but it is never meaningful here). */
const EDGE_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;

/** Report attributes of `node` not in `allowed`. */
export function checkAttributes(node: XmlNode, issues: Issues, allowed: readonly string[] = []): void {
  for (const [name] of node.attributes) {
    if (!allowed.includes(name)) issues.error(node, `Unknown attribute "${name}"`);
  }
}

/**
 * The trimmed text of a leaf element, or null (after an error) when it has child elements or
 * attributes, or is empty and `allowEmpty` is not set.
 */
export function leafText(node: XmlNode, issues: Issues, opts: { allowEmpty?: boolean; attributes?: readonly string[] } = {}): string | null {
  checkAttributes(node, issues, opts.attributes);
  if (node.children.length > 0) {
    issues.error(node, `Expected a value, found child element <${node.children[0]?.name ?? ''}>`);
    return null;
  }
  const value = node.text.replace(EDGE_SPACE, '');
  if (value === '' && opts.allowEmpty !== true) {
    issues.error(node, 'Empty value');
    return null;
  }
  return value;
}

/** `yes` → true, `no` → false (exactly, as Wazuh compares them). */
export function readYesNo(node: XmlNode, issues: Issues): boolean | null {
  const v = leafText(node, issues);
  if (v === null) return null;
  if (v === 'yes') return true;
  if (v === 'no') return false;
  issues.error(node, `Invalid value "${v}": expected yes or no`);
  return null;
}

/** A whole decimal number within [min, max]; `what` names the unit in the message. */
export function readInt(node: XmlNode, issues: Issues, min: number, max: number, what = 'a whole number'): number | null {
  const v = leafText(node, issues);
  if (v === null) return null;
  return parseIntValue(v, node, issues, min, max, what);
}

/** Parse `v` as a whole decimal number within [min, max], recording an error at `node` otherwise. */
export function parseIntValue(v: string, node: XmlNode, issues: Issues, min: number, max: number, what = 'a whole number'): number | null {
  const n = /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  if (Number.isNaN(n) || n < min || n > max) {
    issues.error(node, `Invalid value "${v}": expected ${what} from ${min} to ${max}`);
    return null;
  }
  return n;
}

/** Comma-separated items, trimmed, empty items dropped. */
export function splitList(v: string, sep = ','): string[] {
  const out: string[] = [];
  for (const item of v.split(sep)) {
    const t = item.replace(EDGE_SPACE, '');
    if (t !== '') out.push(t);
  }
  return out;
}

/**
 * Tracks single-valued elements of one block: a second occurrence is an error (Wazuh silently
 * keeps the last one, which hides mistakes).
 */
export class SingleValued {
  private readonly seen = new Map<string, number>();
  private readonly issues: Issues;

  constructor(issues: Issues) {
    this.issues = issues;
  }

  /** True the first time `node.name` is seen in this block; records an error afterwards. */
  first(node: XmlNode): boolean {
    const prev = this.seen.get(node.name);
    if (prev !== undefined) {
      this.issues.error(node, `Duplicate element in this block (first one at line ${prev})`);
      return false;
    }
    this.seen.set(node.name, node.line);
    return true;
  }
}
