/**
 * The allowlist as every path uses it (start, replay, manual `ar run`): the configuration's
 * entries, those added with `riposte allowlist add`, the accounts of the configured CDB lists, and
 * always this host's own addresses (loopback is added by `compileAllowlist` itself).
 * @module
 */
import { networkInterfaces } from 'node:os';
import { binToUtf8 } from '../bytes.ts';
import type { AllowEntry, RiposteConfig } from '../config/types.ts';
import { compileAllowlist, type AllowlistCheck } from '../decide/index.ts';
import { loadCdbListFile } from '../lists/load-lists.ts';

/** This host's interface addresses (zone ids dropped). */
export function hostAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address.replace(/%.*$/, ''));
  return out;
}

/**
 * Compile the allowlist.
 * @param extra entries from the store (`riposte allowlist add`)
 * @param ownAddresses addresses never acted on; default: this host's
 */
export function loadAllowlist(config: RiposteConfig, extra: readonly AllowEntry[] = [], ownAddresses: readonly string[] = hostAddresses()): AllowlistCheck {
  const accounts = new Set<string>();
  for (const f of config.accountAllowlistFiles) for (const k of loadCdbListFile(f).keys()) accounts.add(binToUtf8(k));
  return compileAllowlist([...config.allowlist, ...extra], accounts, ownAddresses);
}
