/**
 * Reading CDB list files from disk (the only I/O of the lists stage).
 * @module
 */
import { readFileSync } from 'node:fs';
import { RiposteError } from '../errors.ts';
import { parseCdbList, type CdbList } from './cdb-list.ts';

/**
 * Read and parse the text form of a CDB list; its bytes become a byte string (latin1).
 * Throws RiposteError(RIPOSTE_ERR_LIST_INVALID) when the file cannot be read.
 */
export function loadCdbListFile(path: string): CdbList {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    throw new RiposteError('RIPOSTE_ERR_LIST_INVALID', `Cannot read CDB list "${path}": ${(err as Error).message}`, undefined, { cause: err });
  }
  return parseCdbList(text);
}
