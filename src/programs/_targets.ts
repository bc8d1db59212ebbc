/**
 * Target extraction for the bundled programs: the address or account a message points at, taken
 * from the alert where Wazuh's programs take it and validated strictly, so nothing but one
 * numeric address or one plain account name ever reaches a system tool.
 *
 * The rules are decide's (`src/decide/target.ts`), so the key a program reports in `check_keys`
 * is the canonical form decide computed for the same alert:
 * - IP: `data.win.eventdata.ipAddress`, then `…destinationIp`, then `data.srcip`; the first field
 *   present decides, even when invalid. A value must pass `net.isIP` (which never resolves
 *   names: nft would) and `inet_pton`-strict parsing (no zone id, no octal); IPv4-mapped IPv6
 *   becomes IPv4, IPv6 is printed compressed; the unspecified address is refused.
 * - user: `data.dstuser`, with Wazuh's rejection rules and analysisd's character set.
 * @module
 */
import { isIP } from 'node:net';
import { formatIp, isUnspecified, parseStrictIp } from '../decide/address.ts';
import { badUserReason, quote } from '../decide/target.ts';
import { isObject, ProgramError, type JsonObject } from './_contract.ts';

/** A validated address with its family. */
export interface IpTarget {
  /** Canonical text: dotted quad, or compressed lower-case IPv6. */
  readonly ip: string;
  readonly family: 4 | 6;
}

/** Alert paths of the address, in the order Wazuh's programs try them. */
export const IP_PATHS = [
  ['data', 'win', 'eventdata', 'ipAddress'],
  ['data', 'win', 'eventdata', 'destinationIp'],
  ['data', 'srcip'],
] as const;

function invalid(message: string): ProgramError {
  return new ProgramError('RIPOSTE_ERR_AR_INPUT', message);
}

/**
 * A field of the alert by path. Alerts are nested (`{"data":{"win":{…}}}`, as in alerts.json);
 * a flattened key (`"win.eventdata.ipAddress"` inside `data`) is accepted too.
 * @returns the value, or undefined when absent
 * @example alertField({ data: { srcip: '192.0.2.1' } }, ['data', 'srcip']) // '192.0.2.1'
 */
export function alertField(alert: JsonObject, path: readonly string[]): unknown {
  let node: unknown = alert;
  for (let i = 0; i < path.length; i++) {
    if (!isObject(node)) return undefined;
    const key = path[i] as string;
    if (Object.hasOwn(node, key)) {
      node = node[key];
      continue;
    }
    const flat = path.slice(i).join('.');
    return Object.hasOwn(node, flat) ? node[flat] : undefined;
  }
  return node;
}

/**
 * Validate one textual address strictly.
 * @param raw the candidate
 * @returns the canonical address
 * @throws ProgramError `RIPOSTE_ERR_AR_INPUT` unless it is exactly one numeric, specified address
 * @example parseTargetIp('::ffff:192.0.2.7') // { ip: '192.0.2.7', family: 4 }
 */
export function parseTargetIp(raw: string): IpTarget {
  const bytes = isIP(raw) === 0 ? null : parseStrictIp(raw);
  if (!bytes) throw invalid(`${quote(raw)} is not one numeric IP address`);
  if (isUnspecified(bytes)) throw invalid(`${quote(raw)} is the unspecified address`);
  return { ip: formatIp(bytes), family: bytes.length === 4 ? 4 : 6 };
}

/**
 * The address an alert points at.
 * @throws ProgramError `RIPOSTE_ERR_AR_INPUT` when no field is present or the first present one
 *   is not a valid address
 * @example ipFromAlert({ data: { srcip: '2001:DB8::0:1' } }) // { ip: '2001:db8::1', family: 6 }
 */
export function ipFromAlert(alert: JsonObject): IpTarget {
  for (const path of IP_PATHS) {
    const value = alertField(alert, path);
    if (value === undefined) continue;
    const name = `alert.${path.join('.')}`;
    if (typeof value !== 'string') throw invalid(`${name} is not a string`);
    try {
      return parseTargetIp(value);
    } catch (e) {
      throw invalid(`${name}: ${(e as Error).message}`);
    }
  }
  throw invalid(`No target address: none of ${IP_PATHS.map((p) => `alert.${p.join('.')}`).join(', ')} is in the alert`);
}

/**
 * The account an alert points at (`data.dstuser`).
 * @throws ProgramError `RIPOSTE_ERR_AR_INPUT` when absent, and `RIPOSTE_ERR_AR_REFUSED` for `root`
 *   or a name Wazuh's rules reject
 * @example userFromAlert({ data: { dstuser: 'alice' } }) // 'alice'
 */
export function userFromAlert(alert: JsonObject): string {
  const value = alertField(alert, ['data', 'dstuser']);
  if (value === undefined) throw invalid('No target account: alert.data.dstuser is not in the alert');
  if (typeof value !== 'string') throw invalid('alert.data.dstuser is not a string');
  const why = badUserReason(value);
  if (why === 'is root') throw new ProgramError('RIPOSTE_ERR_AR_REFUSED', 'Refusing to act on the account "root"');
  if (why) throw invalid(`alert.data.dstuser ${quote(value)} ${why}`);
  return value;
}
