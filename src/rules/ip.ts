/**
 * IP and CIDR matching for rules' `srcip`/`dstip` (the reference's os_ip lists).
 * @module
 */
import type { IpExpr, IpNet } from './types.ts';

/** Parse an IPv4 address to 4 bytes, or null. */
export function parseIPv4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

/** Parse an IPv6 address (with optional embedded IPv4 tail) to 16 bytes, or null. */
export function parseIPv6(s: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.indexOf(':') === -1) return null;
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::')) return null;
  const toGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as string;
      if (i === items.length - 1 && it.includes('.')) {
        const v4 = parseIPv4(it);
        if (!v4) return null;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return null;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  let groups: number[];
  if (dbl === -1) {
    const g = toGroups(s);
    if (!g || g.length !== 8) return null;
    groups = g;
  } else {
    const head = toGroups(s.slice(0, dbl));
    const tail = toGroups(s.slice(dbl + 2));
    if (!head || !tail || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i * 2] = ((groups[i] as number) >> 8) & 0xff;
    out[i * 2 + 1] = (groups[i] as number) & 0xff;
  }
  return out;
}

function maskToPrefix(mask: Uint8Array): number | null {
  let prefix = 0;
  let ended = false;
  for (const b of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      const set = (b >> bit) & 1;
      if (set && ended) return null;
      if (set) prefix++;
      else ended = true;
    }
  }
  return prefix;
}

/** Parse one list entry (`1.2.3.4`, `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `!…`, IPv6); null if invalid. */
export function parseIpNet(entry: string): IpNet | null {
  let s = entry.trim();
  let negated = false;
  if (s.startsWith('!')) {
    negated = true;
    s = s.slice(1);
  }
  const slash = s.indexOf('/');
  const addr = slash === -1 ? s : s.slice(0, slash);
  const maskText = slash === -1 ? null : s.slice(slash + 1);
  const v4 = parseIPv4(addr);
  const bytes = v4 ?? parseIPv6(addr);
  if (!bytes) return null;
  const bits = bytes.length * 8;
  let prefix = bits;
  if (maskText !== null) {
    if (/^\d{1,3}$/.test(maskText)) {
      prefix = Number(maskText);
      if (prefix > bits) return null;
    } else if (v4) {
      const m = parseIPv4(maskText);
      const p = m ? maskToPrefix(m) : null;
      if (p === null) return null;
      prefix = p;
    } else return null;
  }
  return { negated, v6: !v4, bytes, prefix };
}

function inNet(ip: Uint8Array, net: IpNet): boolean {
  if (ip.length !== net.bytes.length) return false;
  let bits = net.prefix;
  for (let i = 0; i < ip.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((ip[i] as number) & mask) !== ((net.bytes[i] as number) & mask)) return false;
  }
  return true;
}

/** Parse an event's address (IPv4, IPv6 or IPv4-mapped IPv6). */
export function parseIp(s: string): Uint8Array | null {
  return parseIPv4(s) ?? parseIPv6(s);
}

/**
 * Whether `value` is in the list: the first entry that contains it decides (a `!` entry means
 * "not"); when none does, the answer is that of the last entry's negation (reference quirk).
 */
export function ipListMatch(expr: IpExpr, value: string): boolean {
  const ip = parseIp(value);
  if (!ip) return false;
  let last = false;
  for (const net of expr.nets) {
    if (inNet(ip, net)) return !net.negated;
    last = net.negated;
  }
  return last;
}
