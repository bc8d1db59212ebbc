/**
 * Collects the errors and warnings of one configuration load, so that every problem of a file is
 * reported at once instead of stopping at the first.
 * @module
 */
import { RiposteError } from '../errors.ts';
import type { XmlNode } from '../xml/types.ts';
import type { ConfigWarning } from './types.ts';

/** Errors and warnings of one load, each located at an element's opening tag. */
export class Issues {
  readonly file: string;
  readonly errors: RiposteError[] = [];
  readonly warnings: ConfigWarning[] = [];

  constructor(file: string) {
    this.file = file;
  }

  /** Record an error at `node` (its line and name). */
  error(node: XmlNode, message: string): void {
    this.errors.push(new RiposteError('RIPOSTE_ERR_CONFIG_INVALID', message, { file: this.file, line: node.line, element: node.name }));
  }

  /** Record a warning at `node`. */
  warn(node: XmlNode, message: string): void {
    this.warnings.push({ file: this.file, line: node.line, element: node.name, message });
  }
}
