/**
 * A node of Wazuh's XML dialect as `os_xml` reads it: several roots per file, raw text (no entity
 * decoding, no trimming), attributes in source order.
 * @module
 */

export interface XmlNode {
  readonly name: string;
  /** Attributes in source order (names may repeat; the reference takes them in order). */
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  /** Raw text content of the element (concatenated text directly inside it, not trimmed). */
  readonly text: string;
  readonly children: readonly XmlNode[];
  /** 1-based line of the opening tag. */
  readonly line: number;
}

/** First value of attribute `name`, or undefined. */
export function attr(node: XmlNode, name: string): string | undefined {
  for (const [k, v] of node.attributes) if (k === name) return v;
  return undefined;
}
