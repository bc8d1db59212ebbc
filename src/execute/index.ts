/**
 * The execute stage: find the program in the response directories, build its message, run it
 * (parallel across targets, serial per target), and log in Wazuh's `active-responses.log` format.
 * @module
 */
export { badProgramName, resolveProgram } from './resolve.ts';
export {
  buildArMessage,
  formatAlertTimestamp,
  handshakeKey,
  legacyArgs,
  MAX_MESSAGE_BYTES,
  programField,
  toAlertJson,
  type AlertJson,
  type AlertJsonContext,
  type ArAction,
  type ArMessageV1,
  type KeysAnswer,
} from './message.ts';
export { parseCheckKeys, PROGRAM_ENV, runProgram, type ExecOutcome, type RunOptions } from './run.ts';
export { ExecQueue, targetKey, type JobPriority } from './queue.ts';
export { ArLogAppender, formatArLogLine } from './ar-log.ts';
