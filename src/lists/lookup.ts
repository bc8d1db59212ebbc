/**
 * The six `<list lookup="…">` checks of a rule, with the exact results of `OS_DBSearch` in
 * `lists_list.c`, quirks included.
 * @module
 */
import { RiposteError } from '../errors.ts';
import type { CompiledPattern } from '../regex/types.ts';
import type { CdbList } from './cdb-list.ts';

export const LIST_LOOKUPS = [
  'match_key',
  'not_match_key',
  'match_key_value',
  'address_match_key',
  'not_address_match_key',
  'address_match_key_value',
] as const;

/** A `lookup` attribute value (the reference compares them case-insensitively). */
export type ListLookup = (typeof LIST_LOOKUPS)[number];

/** Normalise a `lookup` attribute as `strcasecmp` would; undefined when it is not a known lookup. */
export function parseListLookup(value: string): ListLookup | undefined {
  const v = value.toLowerCase();
  return (LIST_LOOKUPS as readonly string[]).includes(v) ? (v as ListLookup) : undefined;
}

/**
 * Build the test a rule applies to a field value.
 *
 * - `match_key` / `not_match_key`: the key is / is not in the list.
 * - `match_key_value`: the key is present and its value matches `checkValue` (OSMatch); without
 *   `checkValue` it never matches.
 * - `address_match_key`: the key is present, else the longest prefix of it that ends in `.`
 *   (`10.1.2.3` → `10.1.2.` → `10.1.` → `10.`). There is no CIDR or IPv6 logic.
 *   `not_address_match_key` is its negation.
 * - `address_match_key_value`: inverted in the reference: true when neither the key nor any
 *   `.`-prefix is present, or when the first one found has a value that does NOT match
 *   `checkValue` (so without `checkValue` it always matches).
 *
 * Throws RiposteError(RIPOSTE_ERR_RULE_INVALID) for an unknown lookup.
 * @example compileListCheck(list, 'address_match_key', null)('10.1.2.3')
 */
export function compileListCheck(
  list: CdbList,
  lookup: ListLookup,
  checkValue: CompiledPattern | null,
): (value: string) => boolean {
  const kind = parseListLookup(lookup);
  // OSMatch_Execute returns 0 for a NULL matcher.
  const valueMatches = checkValue ? (v: string) => checkValue.test(v) : () => false;
  switch (kind) {
    case 'match_key':
      return (key) => list.has(key);
    case 'not_match_key':
      return (key) => !list.has(key);
    case 'match_key_value':
      return (key) => {
        const v = list.get(key);
        return v !== undefined && valueMatches(v);
      };
    case 'address_match_key': {
      const find = addressFinder(list);
      return (key) => find(key) !== undefined;
    }
    case 'not_address_match_key': {
      const find = addressFinder(list);
      return (key) => find(key) === undefined;
    }
    case 'address_match_key_value': {
      const find = addressFinder(list);
      return (key) => {
        const v = find(key);
        return v === undefined || !valueMatches(v);
      };
    }
    default:
      throw new RiposteError('RIPOSTE_ERR_RULE_INVALID', `List match lookup="${lookup}" is not valid`);
  }
}

/**
 * The value found by the reference's address search: the exact key first, then each prefix of it
 * that ends in `.`, longest first.
 */
function addressFinder(list: CdbList): (key: string) => string | undefined {
  let dotKeys = false;
  for (const k of list.keys()) {
    if (k.endsWith('.')) {
      dotKeys = true;
      break;
    }
  }
  // Without any key ending in '.', only the exact lookup can succeed: skip the prefix walk.
  if (!dotKeys) return (key) => list.get(key);
  return (key) => {
    const exact = list.get(key);
    if (exact !== undefined) return exact;
    for (let i = key.lastIndexOf('.'); i >= 0; i = i > 0 ? key.lastIndexOf('.', i - 1) : -1) {
      const v = list.get(key.slice(0, i + 1));
      if (v !== undefined) return v;
    }
    return undefined;
  };
}
