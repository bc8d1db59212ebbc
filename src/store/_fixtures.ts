/**
 * Builders for the store's and the scheduler's tests (test-only; nothing else imports this).
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { alert } from '../decide/_fixtures.ts';
import type { AlertV1, DecisionV1 } from '../decide/types.ts';
import { Store, type StoreOptions } from './store.ts';

/** A fresh directory for one test, removed after it. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'riposte-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store on a real file in a fresh directory; closed after the test (unless already closed). */
export function tempStore(t: TestContext, opts: StoreOptions = {}): { store: Store; file: string; reopen: () => Store } {
  const file = path.join(tempDir(t), 'riposte.db');
  const opened: Store[] = [];
  const open = () => {
    const s = Store.open(file, opts);
    opened.push(s);
    return s;
  };
  t.after(() => {
    for (const s of opened) {
      try {
        s.close();
      } catch {
        // already closed by the test
      }
    }
  });
  return { store: open(), file, reopen: open };
}

let seq = 0;

/** A decision (enforced, 600 s from `decidedAt`) for `ip`, with a unique id unless given. */
export function decision(over: Partial<DecisionV1> = {}): DecisionV1 {
  seq++;
  const decidedAt = over.decidedAt ?? 1_700_000_000;
  const timeoutSec = over.timeoutSec ?? 600;
  return {
    kind: 'decision',
    decisionId: `d${seq.toString().padStart(6, '0')}`,
    response: 'firewall-drop600',
    command: 'firewall-drop',
    target: { kind: 'ip', value: `203.0.113.${seq % 250}` },
    alertId: `1700000000.${seq}`,
    ruleId: 5712,
    decidedAt,
    timeoutSec,
    until: timeoutSec === 0 ? null : decidedAt + timeoutSec,
    offence: 1,
    escalated: false,
    simulated: false,
    mode: 'enforce',
    ...over,
  };
}

/** The alert a decision was made for. */
export function alertFor(d: DecisionV1): AlertV1 {
  return alert({ srcip: d.target.value }, { id: d.ruleId }, d.alertId);
}
