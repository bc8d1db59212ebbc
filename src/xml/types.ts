/**
 * A node of Wazuh's XML dialect as `os_xml` reads it: several roots per file, raw text (no entity
 * decoding, no trimming), attributes in source order.
 * @module
 */

export interface XmlNode {
  readonly name: string;
  /** Attributes in source order (a repeated name is a syntax error, as in os_xml). */
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  /** Raw text of the element as os_xml keeps it: the text after its last child, not trimmed. */
  readonly text: string;
  readonly children: readonly XmlNode[];
  /** 1-based line of the opening tag. */
  readonly line: number;
  /**
   * Line of the first non-blank text of an element that has child elements (text os_xml
   * discards), or 0; only filled when parsed with `{ strayText: true }`.
   */
  readonly strayLine?: number;
}

/** First value of attribute `name`, or undefined. */
export function attr(node: XmlNode, name: string): string | undefined {
  for (const [k, v] of node.attributes) if (k === name) return v;
  return undefined;
}
