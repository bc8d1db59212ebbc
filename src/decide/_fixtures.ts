/**
 * Builders for the decide stage's unit tests (test-only; nothing in the engine imports this).
 * @module
 */
import type { ActiveResponseConfig, CommandConfig } from '../config/types.ts';
import type { AlertV1, DecideState } from './types.ts';

const SOURCE = { file: 'ossec.conf', line: 1 } as const;

/** An `<active-response>` with neutral defaults (binds nothing until a condition is given). */
export function ar(over: Partial<ActiveResponseConfig> = {}): ActiveResponseConfig {
  const command = over.command ?? 'firewall-drop';
  const timeoutSec = over.timeoutSec ?? 600;
  return {
    name: over.name ?? `${command}${timeoutSec}`,
    disabled: false,
    command,
    location: 'local',
    agentId: null,
    level: null,
    rulesGroup: null,
    rulesId: [],
    timeoutSec,
    repeatedOffendersMin: [],
    offenderResetSec: 0,
    mode: 'enforce',
    source: SOURCE,
    ...over,
  };
}

/** A `<command>`. */
export function cmd(over: Partial<CommandConfig> = {}): CommandConfig {
  return {
    name: 'firewall-drop',
    executable: 'firewall-drop',
    timeoutAllowed: true,
    extraArgs: [],
    expect: ['srcip'],
    runTimeoutSec: 60,
    source: SOURCE,
    ...over,
  };
}

/** An alert of rule 5712 (sshd brute force, level 10) from `srcip`. */
export function alert(data: Record<string, string> = { srcip: '203.0.113.7' }, rule: Partial<AlertV1['rule']> = {}, id = '1700000000.1'): AlertV1 {
  return {
    id,
    time: 1_700_000_000,
    agentId: '001',
    rule: { id: 5712, level: 10, groups: 'syslog,sshd,authentication_failures,', noAr: false, ...rule },
    data,
    location: '/var/log/auth.log',
    fullLog: 'sshd[1]: brute force',
  };
}

/** Empty decide state. */
export function emptyState(): DecideState {
  return { active: new Map(), offenders: new Map() };
}

export { prng } from '../../test/support/prng.ts';
