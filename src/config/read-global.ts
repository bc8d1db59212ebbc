/**
 * Readers for `<global>` (its `<white_list>`), `<alerts>` and Riposte's `<allowlist>`.
 * @module
 */
import { parseIpNet } from '../rules/ip.ts';
import { attr, type XmlNode } from '../xml/types.ts';
import type { Draft } from './draft.ts';
import type { Issues } from './issues.ts';
import { GLOBAL_IGNORED, GLOBAL_YES_NO } from './known.ts';
import { checkAttributes, leafText, readInt, readYesNo, SingleValued } from './values.ts';

/** The reason recorded for `<global><white_list>` entries, which have none of their own. */
export const WHITE_LIST_REASON = 'ossec.conf <global><white_list>';

/** Letters outside hex digits, or OS_Match operators: the entry is a host-name pattern. */
const PATTERN_CHARS = /[g-zG-Z^$|*]/;

/** Whether `value` is an IPv4/IPv6 address or network Riposte can match exactly. */
function validNet(value: string): boolean {
  return !value.startsWith('!') && parseIpNet(value) !== null;
}

/**
 * `<white_list>`: IPv4, IPv4/nn, IPv4/dotted-mask, IPv6, IPv6/nn. Wazuh turns any other entry
 * into an OS_Match pattern tested against the source IP (so `^localhost.localdomain$` of the
 * stock file never matches an address); Riposte keeps only addresses, and warns about patterns.
 */
function readWhiteList(node: XmlNode, issues: Issues, draft: Draft): void {
  const value = leafText(node, issues);
  if (value === null) return;
  if (value.startsWith('!')) {
    issues.error(node, `Invalid entry "${value}": negated entries are not supported`);
  } else if (validNet(value)) {
    draft.allowlist.push({ kind: 'ip', value, reason: WHITE_LIST_REASON });
  } else if (/^[0-9a-fA-F:.]+%[^/]+$/.test(value) && validNet(value.slice(0, value.indexOf('%')))) {
    // A zone index names the interface, not the host: the address is what must be protected.
    const address = value.slice(0, value.indexOf('%'));
    draft.allowlist.push({ kind: 'ip', value: address, reason: WHITE_LIST_REASON });
    issues.warn(node, `Entry "${value}": the zone index is ignored, "${address}" is allowlisted on every interface`);
  } else if (PATTERN_CHARS.test(value)) {
    issues.warn(node, `Entry "${value}" is not an IP address or network: ignored (Wazuh would match it as a pattern against the source IP)`);
  } else {
    issues.error(node, `Invalid IP address or network "${value}"`);
  }
}

/** `<global>`: `<white_list>` is used, the other stock elements are accepted and ignored. */
export function readGlobal(section: XmlNode, issues: Issues, draft: Draft): void {
  checkAttributes(section, issues);
  for (const child of section.children) {
    if (child.name === 'white_list') readWhiteList(child, issues, draft);
    else if (GLOBAL_YES_NO.has(child.name)) readYesNo(child, issues);
    else if (child.name === 'memory_size') {
      // analysisd's correlation memory (stored events frequency rules search): the default
      // forgets sources when many attack at once, so a larger value is worth honouring.
      const size = readInt(child, issues, 16, 10_000_000, 'a number of events (16 to 10000000)');
      if (size !== null) draft.memorySize = size;
    }
    else if (!GLOBAL_IGNORED.has(child.name)) issues.error(child, 'Unknown element in <global>');
  }
}

/** `<alerts>`: `log_alert_level` is kept; `email_alert_level` and `use_geoip` are checked only. */
export function readAlerts(section: XmlNode, issues: Issues, draft: Draft): void {
  checkAttributes(section, issues);
  const once = new SingleValued(issues);
  for (const child of section.children) {
    if (!once.first(child)) continue;
    switch (child.name) {
      case 'log_alert_level': {
        const level = readInt(child, issues, 0, 16, 'a rule level');
        if (level !== null) draft.logAlertLevel = level;
        break;
      }
      case 'email_alert_level':
        readInt(child, issues, 0, 16, 'a rule level');
        break;
      case 'use_geoip':
        readYesNo(child, issues);
        break;
      default:
        issues.error(child, 'Unknown element in <alerts>');
    }
  }
}

/** The required, non-empty `reason` attribute of an `<allowlist>` entry. */
function reasonOf(node: XmlNode, issues: Issues): string | null {
  const reason = attr(node, 'reason')?.trim();
  if (reason === undefined || reason === '') {
    issues.error(node, 'Missing reason: every <allowlist> entry needs a non-empty reason="..." attribute');
    return null;
  }
  return reason;
}

/** Control characters never belong in an account name. */
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Riposte's `<allowlist>`: `<ip reason="...">CIDR</ip>`, `<account reason="...">name</account>`,
 * `<account_list>path</account_list>` (a CDB list whose keys are account names).
 */
export function readAllowlist(section: XmlNode, issues: Issues, draft: Draft): void {
  checkAttributes(section, issues);
  for (const child of section.children) {
    switch (child.name) {
      case 'ip': {
        const value = leafText(child, issues, { attributes: ['reason'] });
        const reason = reasonOf(child, issues);
        if (value === null) break;
        if (!validNet(value)) issues.error(child, `Invalid IP address or network "${value}"`);
        else if (reason !== null) draft.allowlist.push({ kind: 'ip', value, reason });
        break;
      }
      case 'account': {
        const value = leafText(child, issues, { attributes: ['reason'] });
        const reason = reasonOf(child, issues);
        if (value === null) break;
        if (CONTROL.test(value)) issues.error(child, 'Invalid account name: control character');
        else if (reason !== null) draft.allowlist.push({ kind: 'account', value, reason });
        break;
      }
      case 'account_list': {
        const path = leafText(child, issues, { attributes: ['reason'] });
        if (path !== null) draft.accountAllowlistFiles.push(path);
        break;
      }
      default:
        issues.error(child, 'Unknown element in <allowlist>');
    }
  }
}
