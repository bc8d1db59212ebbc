/**
 * The registry of Riposte's error codes. Every error a caller may need to tell apart carries one
 * of these stable codes; messages may change, codes may not.
 * @module
 */

export const ERROR_CODES = {
  RIPOSTE_ERR_XML_SYNTAX: 'Malformed XML in a ruleset or configuration file',
  RIPOSTE_ERR_XML_VAR: 'Undefined or invalid <var> reference',
  RIPOSTE_ERR_REGEX_SYNTAX: 'Invalid OS_Regex, OS_Match or PCRE2 pattern',
  RIPOSTE_ERR_DECODER_INVALID: 'Invalid decoder definition',
  RIPOSTE_ERR_RULE_INVALID: 'Invalid rule definition',
  RIPOSTE_ERR_LIST_INVALID: 'Invalid or missing CDB list',
  RIPOSTE_ERR_RULESET_LOAD: 'The ruleset failed to load',
  RIPOSTE_ERR_INI_SYNTAX: 'Invalid ruleset test file',
  RIPOSTE_ERR_USAGE: 'Invalid command-line usage',
  RIPOSTE_ERR_AR_FAILED: 'A response program could not complete its action (exit code 1)',
  RIPOSTE_ERR_AR_INPUT: 'A response program got an invalid message or argument (exit code 2)',
  RIPOSTE_ERR_AR_REFUSED: 'A response program refused the action by policy (exit code 3)',
  RIPOSTE_ERR_AR_UNAVAILABLE: 'A tool or OS feature a response program needs is missing (exit code 4)',
  RIPOSTE_ERR_STORE_TRANSITION: 'A decision state change is not allowed, or the decision is no longer in the expected state',
  RIPOSTE_ERR_STORE_NOT_FOUND: 'No such decision in the store',
  RIPOSTE_ERR_STORE_INVALID: 'A value or call the store refuses (e.g. an allowlist entry without a reason)',
  RIPOSTE_ERR_STORE_SCHEMA: 'The store file has a schema this version does not know',
  RIPOSTE_ERR_STORE_OPEN: 'The store file or its data directory is missing and cannot be created, or is not accessible',
  RIPOSTE_ERR_STORE_CORRUPT: 'The store file is not a readable SQLite database (see riposte store check|recover)',
  RIPOSTE_ERR_DAEMON_LOCKED: 'Another riposte start holds the data directory lock',
  RIPOSTE_ERR_CONFIG_INVALID: 'Invalid ossec.conf configuration',
  RIPOSTE_ERR_CONFIG_READ: 'The configuration file could not be read',
  RIPOSTE_ERR_EXEC_REFUSED: 'A response program was refused (not a plain name, outside its directory, not a regular executable file)',
  RIPOSTE_ERR_EXEC_NOT_FOUND: 'The response program is in no response directory',
  RIPOSTE_ERR_EXEC_MESSAGE: 'The message for a response program could not be built',
  RIPOSTE_ERR_FTS_QUEUE: 'The first-time-seen queue (fts-queue in the data directory) could not be read or written',
  RIPOSTE_WARN_CONFIG: 'Warning: a configuration finding that does not stop the load',
  RIPOSTE_WARN_RULESET: 'Warning: a ruleset finding that does not stop the load (e.g. a rule skipped as Wazuh skips it)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in a source file an error was found. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly element?: string;
}

/**
 * An error with a stable code and, when it comes from a file, the file, line and element.
 * @example
 * throw new RiposteError('RIPOSTE_ERR_RULE_INVALID', 'Missing "id" attribute', { file: 'x.xml', line: 3, element: 'rule' });
 */
export class RiposteError extends Error {
  readonly code: ErrorCode;
  readonly location: SourceLocation | undefined;

  constructor(code: ErrorCode, message: string, location?: SourceLocation, options?: { cause?: unknown }) {
    super(location ? `${formatLocation(location)}: ${message}` : message, options);
    this.name = 'RiposteError';
    this.code = code;
    this.location = location;
  }
}

/** Several errors found in one load, reported together. */
export class RiposteAggregateError extends RiposteError {
  readonly errors: readonly RiposteError[];

  constructor(code: ErrorCode, summary: string, errors: readonly RiposteError[]) {
    super(code, `${summary} (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${errors.map((e) => `  ${e.message}`).join('\n')}`);
    this.errors = errors;
  }
}

/** `file:line <element>` as used at the start of every located message. */
export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}${loc.element ? ` <${loc.element}>` : ''}`;
}
