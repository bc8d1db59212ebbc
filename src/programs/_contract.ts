/**
 * The Wazuh 4.x response-program contract, shared by every bundled program: the message a program
 * reads (one JSON line on stdin, or the legacy positional arguments), the `check_keys` handshake
 * lines, and the exit codes the executor records.
 *
 * Validation follows `active_responses.c` (`get_json_from_input`): `version` is a number, `origin`
 * an object, `command` a string, `parameters` an object holding `extra_args` (array), `alert`
 * (object) and `program` (string). Stricter on purpose: `command` must be `add` or `delete` here
 * (Wazuh checks that later, per program) and every `extra_args` item must be a string (Wazuh
 * silently skips others, which hides configuration mistakes).
 * @module
 */

import { RiposteError } from '../errors.ts';
/** Exit codes of the bundled programs; the executor records them, so they are stable. */
export const EXIT = {
  /** Done, already in the wanted state, or `abort` from the handshake. */
  OK: 0,
  /** The system tool failed; the state may not be what was asked. */
  FAILED: 1,
  /** Malformed message, arguments, handshake answer or target. Nothing was done. */
  INVALID_INPUT: 2,
  /** A valid target that policy forbids touching (root, system account, protected pid). */
  REFUSED: 3,
  /** The backend is missing on this host (tool not installed, wrong operating system). */
  UNAVAILABLE: 4,
} as const;

/** One of the {@link EXIT} codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The programs' error codes (registered in src/errors.ts) and the exit code each ends a run with. */
export const PROGRAM_ERROR_CODES = {
  RIPOSTE_ERR_AR_FAILED: EXIT.FAILED,
  RIPOSTE_ERR_AR_INPUT: EXIT.INVALID_INPUT,
  RIPOSTE_ERR_AR_REFUSED: EXIT.REFUSED,
  RIPOSTE_ERR_AR_UNAVAILABLE: EXIT.UNAVAILABLE,
} as const;

/** One of the {@link PROGRAM_ERROR_CODES}. */
export type ProgramErrorCode = keyof typeof PROGRAM_ERROR_CODES;

/**
 * A failure that ends a program run with a given exit code and a one-line stderr message.
 * @example throw new ProgramError('RIPOSTE_ERR_AR_REFUSED', 'Refusing to lock "root"')
 */
export class ProgramError extends RiposteError {
  declare readonly code: ProgramErrorCode;
  readonly exitCode: ExitCode;

  constructor(code: ProgramErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, undefined, options);
    this.name = 'ProgramError';
    this.exitCode = PROGRAM_ERROR_CODES[code];
  }
}

/** A parsed JSON object. */
export type JsonObject = { [key: string]: unknown };

/** What a program acts on: the parsed message, from JSON or from legacy arguments. */
export interface ArMessage {
  readonly command: 'add' | 'delete';
  /** `parameters.alert`; for the legacy form, an alert rebuilt from the positional arguments. */
  readonly alert: JsonObject;
  readonly extraArgs: readonly string[];
  /** `parameters.program` (e.g. `active-response/bin/firewall-drop`); `''` for the legacy form. */
  readonly program: string;
  /** `parameters.timeout` when the sender gave one (Riposte extension), else null. */
  readonly timeoutSec: number | null;
  /** The JSON message as received; null for the legacy form (which has no handshake). */
  readonly json: JsonObject | null;
}

/** Whether a value is a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(message: string): ProgramError {
  return new ProgramError('RIPOSTE_ERR_AR_INPUT', message);
}

/**
 * Parse and validate the message line a program reads from stdin.
 * @param line one line of JSON, without its newline
 * @returns the validated message
 * @throws ProgramError `RIPOSTE_ERR_AR_INPUT` naming the first missing or mistyped key
 * @example parseMessage('{"version":1,"origin":{},"command":"add","parameters":{"extra_args":[],"alert":{},"program":"x"}}').command // 'add'
 */
export function parseMessage(line: string): ArMessage {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (e) {
    throw invalid(`Cannot parse the input line as JSON: ${(e as Error).message}`);
  }
  return validateMessage(json);
}

/**
 * Validate a message already parsed from JSON (what {@link parseMessage} does after parsing).
 * @throws ProgramError `RIPOSTE_ERR_AR_INPUT` naming the first missing or mistyped key
 */
export function validateMessage(json: unknown): ArMessage {
  if (!isObject(json)) throw invalid('The input is not a JSON object');
  if (typeof json['version'] !== 'number') throw invalid('Missing or invalid "version": must be a number');
  if (!isObject(json['origin'])) throw invalid('Missing or invalid "origin": must be an object');
  const command = json['command'];
  if (typeof command !== 'string') throw invalid('Missing or invalid "command": must be a string');
  if (command !== 'add' && command !== 'delete') throw invalid(`Invalid "command" ${JSON.stringify(command)}: must be "add" or "delete"`);
  const params = json['parameters'];
  if (!isObject(params)) throw invalid('Missing or invalid "parameters": must be an object');
  const extra = params['extra_args'];
  if (!Array.isArray(extra)) throw invalid('Missing or invalid "parameters.extra_args": must be an array');
  if (!extra.every((a): a is string => typeof a === 'string')) throw invalid('Invalid "parameters.extra_args": every item must be a string');
  const alert = params['alert'];
  if (!isObject(alert)) throw invalid('Missing or invalid "parameters.alert": must be an object');
  const program = params['program'];
  if (typeof program !== 'string') throw invalid('Missing or invalid "parameters.program": must be a string');
  const timeout = params['timeout'];
  let timeoutSec: number | null = null;
  if (timeout !== undefined && timeout !== null) {
    if (typeof timeout !== 'number' || !Number.isSafeInteger(timeout) || timeout < 0) {
      throw invalid('Invalid "parameters.timeout": must be a non-negative integer of seconds');
    }
    timeoutSec = timeout;
  }
  return { command, alert, extraArgs: extra, program, timeoutSec, json };
}

/**
 * Whether the program was started in the legacy positional form (`<program> add|delete …`).
 * @example isLegacyArgv(['delete', '-', '192.0.2.1']) // true
 */
export function isLegacyArgv(argv: readonly string[]): boolean {
  return argv[0] === 'add' || argv[0] === 'delete';
}

/**
 * Build a message from the legacy positional arguments of execd before 4.2:
 * `add|delete <user> <ip> <alert id> <rule id> <location> <file> [extra args…]`, `-` meaning
 * "none". The rebuilt alert carries `data.srcip` and `data.dstuser` where the old scripts read them.
 * @param argv the arguments after the program name
 * @returns the message (no `json`: the legacy form has no handshake)
 * @example parseLegacyArgv(['add', '-', '192.0.2.1']).alert // { data: { srcip: '192.0.2.1' } }
 */
export function parseLegacyArgv(argv: readonly string[]): ArMessage {
  const [command, user, ip, alertId, ruleId, location, file, ...rest] = argv;
  if (command !== 'add' && command !== 'delete') throw invalid('The legacy form starts with "add" or "delete"');
  const present = (v: string | undefined): v is string => v !== undefined && v !== '-' && v !== '';
  const data: JsonObject = {};
  if (present(user)) data['dstuser'] = user;
  if (present(ip)) data['srcip'] = ip;
  const alert: JsonObject = { data };
  if (present(alertId)) alert['id'] = alertId;
  if (present(ruleId)) alert['rule'] = { id: ruleId };
  if (present(location)) alert['location'] = location;
  if (present(file)) alert['syscheck'] = { path: file };
  return { command, alert, extraArgs: rest.filter(present), program: '', timeoutSec: null, json: null };
}

/**
 * The `check_keys` line a program writes after a valid `add`, before acting.
 * @param program the program's name as Wazuh's programs put it in `origin.name`
 * @param keys what identifies the action (the address, the account…)
 * @returns one JSON line, without the newline
 * @example checkKeysLine('firewall-drop', ['192.0.2.1'])
 */
export function checkKeysLine(program: string, keys: readonly string[]): string {
  return JSON.stringify({ version: 1, origin: { name: program, module: 'active-response' }, command: 'check_keys', parameters: { keys } });
}

/**
 * Read execd's answer to `check_keys`: the input message with `command` set to `continue` or
 * `abort`.
 * @param line the answer line
 * @returns what the program must do
 * @throws ProgramError `RIPOSTE_ERR_AR_INPUT` for anything else
 * @example parseAnswer('{"command":"abort"}') // 'abort'
 */
export function parseAnswer(line: string): 'continue' | 'abort' {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (e) {
    throw invalid(`Cannot parse the check_keys answer as JSON: ${(e as Error).message}`);
  }
  const command = isObject(json) ? json['command'] : undefined;
  if (command === 'continue' || command === 'abort') return command;
  throw invalid(`Invalid check_keys answer: "command" must be "continue" or "abort", got ${JSON.stringify(command) ?? 'nothing'}`);
}
