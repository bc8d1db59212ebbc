/**
 * Step 2 of decide: take the response's target from the alert and validate it strictly. No field
 * from a log line reaches a program unless it is exactly one numeric address or one plain account
 * name (ARCHITECTURE invariant "targets are validated before any program runs").
 *
 * Sources, as the stock response programs read them (`active_responses.c`):
 * - IP: `win.eventdata.ipAddress`, then `win.eventdata.destinationIp`, then `srcip`; the first
 *   field PRESENT decides, even when invalid (the C returns the first string it finds, so a
 *   Windows `ipAddress` of "-" is refused, not replaced by `srcip`);
 * - user: `dstuser`, for commands whose `<expect>` names `user` or whose executable is
 *   `disable-account`.
 *
 * Before either, analysisd's "crafted field" checks (`OS_PRegex` in analysisd) apply to every
 * response, whatever its target: a present `dstuser` outside `^[a-zA-Z._0-9@?-]*$` or a present
 * `srcip` outside `^[a-zA-Z.:_0-9-]*$` skips all responses of the alert.
 *
 * Stricter than Wazuh, on purpose:
 * - IPs follow `inet_pton`, not `getaddrinfo` (see address.ts: no octal/short forms, no zone id);
 *   IPv4-mapped IPv6 becomes the IPv4 address; IPv6 is printed compressed, lower case;
 *   addresses that can never be one attacking host are refused: unspecified (`0.0.0.0`, `::`),
 *   "this network" (`0.0.0.0/8`), multicast (`224.0.0.0/4`, `ff00::/8`), the limited broadcast
 *   (`255.255.255.255`) and link-local (`169.254.0.0/16`, `fe80::/10`): blocking one of them
 *   would cut this host off its own link (ARP/NDP, DHCP, mDNS, routing protocols) or hit every
 *   host at once, and a log line naming one is forged or broken;
 * - user names: the 4.14.7 program rules (not empty, not `root`, ≤ 256 bytes, no leading
 *   `-` `+` `~`, no `:` `,` whitespace `/` `\` or `..`) plus analysisd's charset, and also no
 *   `?`: analysisd lets it through, but a custom shell script using `$user` unquoted would
 *   expand it as a glob (e.g. `r??t` matching a file named `root`).
 * @module
 */
import type { CommandConfig } from '../config/types.ts';
import { formatIp, isUnspecified, parseStrictIp } from './address.ts';
import type { ActiveResponseConfig, AlertV1, Target } from './types.ts';

/** Why no target could be taken: nothing to act on, or a value that must not reach a program. */
export interface TargetRefusal {
  readonly refusal: 'no_target' | 'invalid_target';
  /** Human-readable and log-safe (hostile values are quoted, escaped and truncated). */
  readonly detail: string;
}

/** IP fields in the order the stock programs look for them. */
export const IP_FIELDS = ['win.eventdata.ipAddress', 'win.eventdata.destinationIp', 'srcip'] as const;

/** The user field the stock programs read. */
export const USER_FIELD = 'dstuser';

const ANALYSISD_USER = /^[a-zA-Z._0-9@?-]*$/;
const ANALYSISD_SRCIP = /^[a-zA-Z.:_0-9-]*$/;
const MAX_USER = 256;
const NON_ASCII = /[\u007f-\uffff]/g;
const DISABLE_ACCOUNT = /^disable-account(?:\.sh)?$/;

/**
 * Take and validate the target of `response` for `alert`.
 * @param alert the alert that bound the response
 * @param _response the bound response (the target kind depends only on its command today)
 * @param command the response's `<command>`
 * @returns the canonical target, or a refusal (`no_target` when the field is absent,
 *   `invalid_target` when a value is present but unsafe or malformed)
 * @example extractTarget(alert({ srcip: '::ffff:203.0.113.7' }), ar, cmd) // { kind: 'ip', value: '203.0.113.7' }
 */
export function extractTarget(alert: AlertV1, _response: ActiveResponseConfig, command: CommandConfig): Target | TargetRefusal {
  const crafted = craftedField(alert);
  if (crafted) return crafted;
  return wantsUser(command) ? userTarget(alert) : ipTarget(alert);
}

/** Whether a refusal rather than a target came back. */
export function isTargetRefusal(t: Target | TargetRefusal): t is TargetRefusal {
  return 'refusal' in t;
}

/**
 * Whether the command acts on an account rather than an address.
 * @example wantsUser({ ...cmd, expect: ['user'] }) // true
 */
export function wantsUser(command: CommandConfig): boolean {
  if (DISABLE_ACCOUNT.test(command.executable)) return true;
  // Wazuh read <expect> with OS_Regex("user", …): a case-insensitive substring test.
  return command.expect.some((e) => e.toLowerCase().includes('user'));
}

/** analysisd's sanity checks on `dstuser` and `srcip`, applied to every response. */
function craftedField(alert: AlertV1): TargetRefusal | null {
  const user = alert.data[USER_FIELD];
  if (user !== undefined && !ANALYSISD_USER.test(user)) return invalid(`crafted ${USER_FIELD} ${quote(user)}`);
  const srcip = alert.data['srcip'];
  if (srcip !== undefined && !ANALYSISD_SRCIP.test(srcip)) return invalid(`crafted srcip ${quote(srcip)}`);
  return null;
}

function ipTarget(alert: AlertV1): Target | TargetRefusal {
  for (const field of IP_FIELDS) {
    const raw = alert.data[field];
    if (raw === undefined) continue;
    const checked = checkIpTarget(raw);
    if ('why' in checked) return invalid(`${field} ${quote(raw)} ${checked.why}`);
    return { kind: 'ip', value: checked.value };
  }
  return { refusal: 'no_target', detail: `no ${IP_FIELDS.join(' / ')} in the alert` };
}

/**
 * The canonical form of an address, `''` for the unspecified address, or null when invalid.
 * @example canonicalIp('2001:DB8::0:1') // '2001:db8::1'
 */
export function canonicalIp(raw: string): string | null {
  const bytes = parseStrictIp(raw);
  if (!bytes) return null;
  return isUnspecified(bytes) ? '' : formatIp(bytes);
}

/**
 * Validate one address as the target of an action: the same check for every path (an alert's
 * field, `ar run`, `ar test`).
 * @param raw the address as given
 * @returns the canonical address, or why it must not be acted on
 * @example checkIpTarget('224.0.0.1') // { why: 'is a multicast address' }
 */
export function checkIpTarget(raw: string): { readonly value: string } | { readonly why: string } {
  const bytes = parseStrictIp(raw);
  if (!bytes) return { why: 'is not one numeric IP address' };
  const why = nonHostReason(bytes);
  return why ? { why } : { value: formatIp(bytes) };
}

/**
 * Why an address is not one host that can be acted on, or null. IPv4-mapped IPv6 addresses
 * arrive here as their 4 IPv4 bytes (parseStrictIp), so both forms get the same answer.
 * @example nonHostReason(Uint8Array.of(255, 255, 255, 255)) // 'is the broadcast address'
 */
export function nonHostReason(bytes: Uint8Array): string | null {
  if (isUnspecified(bytes)) return 'is the unspecified address';
  const b0 = bytes[0] as number;
  const b1 = bytes[1] as number;
  if (bytes.length === 4) {
    if (b0 === 0) return 'is in 0.0.0.0/8 ("this network"), not a host';
    if (b0 === 255 && b1 === 255 && bytes[2] === 255 && bytes[3] === 255) return 'is the broadcast address';
    if (b0 >= 224 && b0 <= 239) return 'is a multicast address';
    if (b0 === 169 && b1 === 254) return 'is a link-local address';
    return null;
  }
  if (b0 === 0xff) return 'is a multicast address';
  if (b0 === 0xfe && (b1 & 0xc0) === 0x80) return 'is a link-local address';
  return null;
}

function userTarget(alert: AlertV1): Target | TargetRefusal {
  const raw = alert.data[USER_FIELD];
  if (raw === undefined) return { refusal: 'no_target', detail: `no ${USER_FIELD} in the alert` };
  const why = badUserReason(raw);
  if (why) return invalid(`${USER_FIELD} ${quote(raw)} ${why}`);
  return { kind: 'user', value: raw };
}

/**
 * Why a user name must not be acted on, or null when it is acceptable.
 * @example badUserReason('root') // 'is root'
 */
export function badUserReason(user: string): string | null {
  if (user === '') return 'is empty';
  if (user === 'root') return 'is root';
  if (user.length > MAX_USER) return `is longer than ${MAX_USER} bytes`;
  const first = user.charCodeAt(0);
  if (first === 0x2d || first === 0x2b || first === 0x7e) return 'starts with - + or ~';
  if (user.includes('..')) return 'contains ".."';
  if (!ANALYSISD_USER.test(user)) return 'has characters outside [a-zA-Z._0-9@-]';
  if (user.includes('?')) return 'contains "?" (a glob character)';
  return null;
}

function invalid(detail: string): TargetRefusal {
  return { refusal: 'invalid_target', detail };
}

/**
 * Quote a hostile value for a log-safe detail: JSON escapes (newlines, quotes, control bytes),
 * every non-ASCII character as `\uXXXX` (U+2028 and friends end lines in some readers), and at
 * most 64 characters.
 * @example quote('a\nb') // '"a\\nb"'
 */
export function quote(value: string): string {
  const cut = value.length > 64;
  const json = JSON.stringify(cut ? value.slice(0, 64) : value).replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return cut ? `${json}...` : json;
}
