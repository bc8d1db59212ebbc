/**
 * Helpers for the execute stage's tests (test-only; nothing in Riposte imports this): temporary
 * response directories holding small real programs, and cleanup of what they leave running.
 * @module
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandConfig } from '../config/types.ts';
import type { DecisionV1, Target } from '../decide/types.ts';
import { cmd } from '../decide/_fixtures.ts';

/** A temporary directory; `dispose()` kills recorded process groups and removes it. */
export interface Sandbox {
  readonly dir: string;
  /** Write an executable program (`#!` line included in `body`). */
  program(name: string, body: string, mode?: number): string;
  /** Remember a process (group) to kill at cleanup. */
  track(pid: number | null | undefined): void;
  dispose(): void;
}

/** A new sandbox under the system temporary directory. */
export function sandbox(prefix = 'riposte-exec-'): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const pids = new Set<number>();
  return {
    dir,
    program(name, body, mode = 0o755) {
      const p = join(dir, name);
      writeFileSync(p, body);
      chmodSync(p, mode);
      return p;
    },
    track(pid) {
      if (typeof pid === 'number' && pid > 0) pids.add(pid);
    },
    dispose() {
      for (const pid of pids) {
        for (const target of [-pid, pid]) {
          try {
            process.kill(target, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `#!` line of a Node.js program (absolute: programs get a minimal PATH). */
export const NODE = `#!${process.execPath}`;

/** Whether `pid` is a live process (a zombie counts as dead: it can no longer act). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Wait (polling) until `pid` is dead; false if it is still alive after `ms`. */
export async function waitDead(pid: number, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !alive(pid);
}

/** Wait until `file` exists and is not empty; its content, or null after `ms`. */
export async function waitFile(file: string, ms = 10_000): Promise<string | null> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const text = readFileSync(file, 'utf8');
      if (text !== '') return text;
    } catch {
      // Not yet.
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

/** A Decision for `target` (neutral values). */
export function decision(target: Target = { kind: 'ip', value: '203.0.113.7' }, over: Partial<DecisionV1> = {}): DecisionV1 {
  return {
    kind: 'decision',
    decisionId: 'd-0001',
    response: 'firewall-drop600',
    command: 'firewall-drop',
    target,
    alertId: '1700000000.1',
    ruleId: 5712,
    decidedAt: 1_700_000_000,
    timeoutSec: 600,
    until: 1_700_000_600,
    offence: 1,
    escalated: false,
    simulated: false,
    mode: 'enforce',
    ...over,
  };
}

/** A `<command>` (the decide fixtures' one). */
export function command(over: Partial<CommandConfig> = {}): CommandConfig {
  return cmd(over);
}
