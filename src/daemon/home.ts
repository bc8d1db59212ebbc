/**
 * Riposte's installation directory (the package root): relative paths in the configuration
 * resolve against it, as Wazuh's resolve against /var/ossec.
 * @module
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RIPOSTE_HOME = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_CONFIG = resolve(RIPOSTE_HOME, 'config/ossec.conf');
export const BUNDLED_RESPONSES = resolve(RIPOSTE_HOME, 'responses/bin');
/** Riposte's netlink helper for blocks, built by `npm ci` (scripts/build-native.sh) when a C compiler exists. */
export const NFSET_HELPER_PATH = resolve(RIPOSTE_HOME, 'build/riposte-nfset');
