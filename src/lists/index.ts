/**
 * CDB lists: parsing the text form and the rule-side lookups.
 * @module
 */
export { parseCdbList, type CdbList } from './cdb-list.ts';
export { compileListCheck, parseListLookup, LIST_LOOKUPS, type ListLookup } from './lookup.ts';
