/**
 * Step 3 of decide: the allowlist. Invariant: an allowlisted IP, range or account is never acted
 * on, on any path (this check is the one every path goes through).
 *
 * Differences from Wazuh's `<white_list>`, on purpose:
 * - real CIDR matching for IPv4 and IPv6 (Wazuh turns every IPv6 entry into a case-insensitive
 *   substring pattern, so `2001:db8::1` also matched `2001:db8::10`, and IPv6 ranges did not work);
 * - an IPv4 target is also checked, in its `::ffff:a.b.c.d` form, against IPv6 entries, and an
 *   IPv4-mapped IPv6 target is checked as IPv4, so one host cannot slip past in its other form;
 * - the host's own addresses and loopback (127.0.0.0/8, ::1) are ALWAYS refused (`own_address`),
 *   whatever the configuration says (users expected this of Wazuh: #13969, #14067);
 * - a `!`-negated entry allowlists NOTHING. In Wazuh a `!` entry makes every address outside it
 *   whitelisted (`OS_IPFoundList` returns "found" when no entry matched), which silently switches
 *   responses off; Riposte ignores such entries and reports them in `ignored` so the loader can
 *   warn;
 * - entries that are not an IP or CIDR (Wazuh's hostname patterns such as
 *   `^localhost.localdomain$`) can never match a numeric target; they are reported in `ignored`.
 * Account entries match exactly and case-sensitively, as do the keys of the CDB account lists.
 * @module
 */
import type { AllowEntry } from '../config/types.ts';
import { parseIpNet } from '../rules/ip.ts';
import { parseStrictIp } from './address.ts';
import type { Target } from './types.ts';

/** Why the allowlist refused a target. */
export interface AllowHit {
  readonly refusal: 'allowlisted' | 'own_address';
  /** The entry that matched, as written (or the own address / loopback range). */
  readonly entry: string;
  readonly reason: string;
}

/** An entry the allowlist does not use, and why (for a load-time warning). */
export interface IgnoredEntry {
  readonly entry: AllowEntry | string;
  readonly why: string;
}

/** The compiled allowlist: a check, plus the entries it had to ignore. */
export interface AllowlistCheck {
  (target: Target): AllowHit | null;
  readonly ignored: readonly IgnoredEntry[];
}

interface Net {
  readonly bytes: Uint8Array;
  readonly prefix: number;
  readonly hit: AllowHit;
}

const LOOPBACK: readonly string[] = ['127.0.0.0/8', '::1/128'];

/**
 * Compile the allowlist once.
 * @param entries `<white_list>` / `<allowlist>` entries (IP, CIDR, dotted mask, or account)
 * @param accounts allowlisted account names (keys of the `<account_allowlist>` CDB lists)
 * @param ownAddresses the host's own addresses (a `%zone` suffix is dropped; CIDR accepted)
 * @returns the check; `check.ignored` lists entries that allowlist nothing
 * @example
 * const check = compileAllowlist([{ kind: 'ip', value: '192.0.2.0/24', reason: 'office' }], new Set(), ['198.51.100.10']);
 * check({ kind: 'ip', value: '192.0.2.77' }) // { refusal: 'allowlisted', entry: '192.0.2.0/24', reason: 'office' }
 */
export function compileAllowlist(entries: readonly AllowEntry[], accounts: ReadonlySet<string>, ownAddresses: readonly string[]): AllowlistCheck {
  const v4: Net[] = [];
  const v6: Net[] = [];
  const names = new Map<string, AllowHit>();
  const ignored: IgnoredEntry[] = [];
  const addNet = (text: string, hit: AllowHit): string | null => {
    const net = parseIpNet(text);
    if (!net) return 'not an IP address or CIDR range';
    if (net.negated) return 'negated (!) entries are not supported: ignored rather than allowlisting every other address';
    (net.v6 ? v6 : v4).push({ bytes: net.bytes, prefix: net.prefix, hit });
    return null;
  };

  for (const range of LOOPBACK) addNet(range, { refusal: 'own_address', entry: range, reason: 'loopback' });
  for (const own of ownAddresses) {
    const text = stripZone(own.trim());
    const why = addNet(text, { refusal: 'own_address', entry: text, reason: 'address of this host' });
    if (why) ignored.push({ entry: own, why });
  }
  for (const e of entries) {
    if (e.kind === 'account') {
      if (e.value === '') ignored.push({ entry: e, why: 'empty account name' });
      else if (!names.has(e.value)) names.set(e.value, { refusal: 'allowlisted', entry: e.value, reason: e.reason });
      continue;
    }
    const why = addNet(e.value, { refusal: 'allowlisted', entry: e.value.trim(), reason: e.reason });
    if (why) ignored.push({ entry: e, why });
  }

  // Own-address hits come first so the refusal says `own_address` even if also allowlisted.
  const byOwnFirst = (a: Net, b: Net) => (a.hit.refusal === b.hit.refusal ? 0 : a.hit.refusal === 'own_address' ? -1 : 1);
  v4.sort(byOwnFirst);
  v6.sort(byOwnFirst);

  const check = (target: Target): AllowHit | null => {
    if (target.kind === 'user') {
      return names.get(target.value) ?? (accounts.has(target.value) ? { refusal: 'allowlisted', entry: target.value, reason: 'account allowlist (CDB list)' } : null);
    }
    const bytes = parseStrictIp(target.value);
    // Fail closed: an address we cannot read cannot be shown to be outside the allowlist.
    if (!bytes) return { refusal: 'allowlisted', entry: target.value, reason: 'not a valid IP address (refused, fail closed)' };
    if (bytes.length === 4) {
      const hit = firstHit(v4, bytes);
      if (hit) return hit;
      return v6.length === 0 ? null : firstHit(v6, mapped(bytes));
    }
    return firstHit(v6, bytes);
  };
  return Object.assign(check, { ignored: Object.freeze(ignored) });
}

function firstHit(nets: readonly Net[], ip: Uint8Array): AllowHit | null {
  for (const n of nets) if (inNet(ip, n)) return n.hit;
  return null;
}

function inNet(ip: Uint8Array, net: Net): boolean {
  let bits = net.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((ip[i] as number) & mask) !== ((net.bytes[i] as number) & mask)) return false;
  }
  return true;
}

function mapped(v4: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

function stripZone(text: string): string {
  const pct = text.indexOf('%');
  if (pct === -1) return text;
  const slash = text.indexOf('/', pct);
  return text.slice(0, pct) + (slash === -1 ? '' : text.slice(slash));
}
