/**
 * Strict parsing and canonical printing of response target addresses.
 *
 * Why not `getaddrinfo` semantics (what the 4.14.7 response programs validate with): glibc's
 * `getaddrinfo(AI_NUMERICHOST)` goes through `inet_aton`, so `192.030.0.6` is read as octal
 * (192.24.0.6), `127.1` as 127.0.0.1 and `0x7f.0.0.1` as hex, while the firewall tool that later
 * receives the same text may read it differently. One address with two meanings defeats the
 * allowlist, so Riposte accepts only what `inet_pton` accepts: a dotted quad of decimal octets
 * without leading zeros, or an RFC 4291 IPv6 text (an embedded IPv4 tail only at the very end).
 * Zone ids (`fe80::1%eth0`), prefixes and anything else are refused.
 * @module
 */
import { parseIPv6 } from '../rules/ip.ts';

/** Longest valid textual form: a full IPv6 address with an IPv4 tail. */
const MAX_TEXT = 45;

const OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const IP_CHARS = /^[0-9A-Fa-f:.]+$/;

/**
 * Parse a dotted quad strictly (`inet_pton` rules: exactly four decimal octets, no leading zeros).
 * @param text the candidate address
 * @returns four bytes, or null
 * @example parseStrictIPv4('192.0.2.1') // Uint8Array [192, 0, 2, 1]; parseStrictIPv4('192.030.0.6') // null
 */
export function parseStrictIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!OCTET.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

/**
 * Parse an IPv4 or IPv6 address strictly; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d` or
 * `::ffff:xxxx:xxxx`) comes back as its 4 IPv4 bytes, so one host has one form.
 * @param text the candidate address (no zone id, no prefix, no spaces)
 * @returns 4 or 16 bytes, or null when the text is not exactly one numeric address
 * @example parseStrictIp('::FFFF:192.0.2.1') // Uint8Array [192, 0, 2, 1]
 */
export function parseStrictIp(text: string): Uint8Array | null {
  if (text.length < 2 || text.length > MAX_TEXT || !IP_CHARS.test(text)) return null;
  const colon = text.lastIndexOf(':');
  if (colon === -1) return parseStrictIPv4(text);
  const dot = text.indexOf('.');
  if (dot !== -1) {
    // The rules/ip.ts parser tolerates a dotted group before `::` and leading zeros in octets;
    // inet_pton allows neither, so check the tail here first.
    if (dot < colon || !parseStrictIPv4(text.slice(colon + 1))) return null;
  }
  const bytes = parseIPv6(text);
  if (!bytes) return null;
  return isMapped(bytes) ? bytes.slice(12) : bytes;
}

/** Whether 16 bytes are in `::ffff:0:0/96`. */
export function isMapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** Whether the address is all zeros (`0.0.0.0`, `::`): never a host to act on. */
export function isUnspecified(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

/**
 * Print an address canonically: dotted quad, or RFC 5952 IPv6 (lower case, no leading zeros, the
 * longest run of two or more zero groups, the first on a tie, shortened to `::`).
 * @param bytes 4 or 16 bytes
 * @returns the canonical text
 * @example formatIp(parseStrictIp('2001:DB8:0:0:1:0:0:1')!) // '2001:db8::1:0:0:1'
 */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  if (bestStart === -1) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}
