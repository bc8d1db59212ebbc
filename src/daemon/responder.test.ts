/**
 * The responder on real programs (shell scripts in a sandbox response directory) and a real
 * SQLite store: what runs, in which order, and what is skipped.
 * @module
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandConfig } from '../config/types.ts';
import type { DecisionV1 } from '../decide/types.ts';
import { ArLogAppender } from '../execute/index.ts';
import { command, sandbox } from '../execute/_programs.ts';
import { alertFor, decision, tempStore } from '../store/_fixtures.ts';
import type { Store } from '../store/index.ts';
import { Responder } from './responder.ts';

const nowSec = () => Math.floor(Date.now() / 1000);

/**
 * A response directory with `rec` (appends its stdin line to runs.log) and `hold` (the same, then
 * waits while the file HOLD exists: a program that hangs until the test lets it go).
 */
function lab(t: TestContext, commands: readonly CommandConfig[], opts: { bundled?: boolean } = {}) {
  const box = sandbox('riposte-rpburst-responder-');
  const arLog = new ArLogAppender(join(box.dir, 'active-responses.log'));
  t.after(async () => {
    await arLog.idle();
    box.dispose();
  });
  const runs = join(box.dir, 'runs.log');
  const hold = join(box.dir, 'HOLD');
  box.program('rec', `#!/bin/sh\nread -r line\nprintf '%s\\n' "$line" >> '${runs}'\n`);
  box.program('hold', `#!/bin/sh\nread -r line\nprintf 'start %s\\n' "$line" >> '${runs}'\nwhile [ -e '${hold}' ]; do sleep 0.02; done\n`);
  const { store } = tempStore(t);
  const responder = new Responder({
    store,
    commands: new Map(commands.map((c) => [c.name, c])),
    responseDirs: [box.dir],
    bundledDir: opts.bundled ? box.dir : '/nonexistent',
    arLog,
    agentName: 'test',
    now: nowSec,
  });
  return {
    store,
    responder,
    hold: () => writeFileSync(hold, ''),
    release: () => rmSync(hold, { force: true }),
    held: () => existsSync(hold),
    runs: (): string[] => (existsSync(runs) ? readFileSync(runs, 'utf8').trim().split('\n') : []),
  };
}

function enforce(r: Responder, d: DecisionV1) {
  return r.enforce(d, alertFor(d), 'test rule');
}

/** A decision decided now (so its time has not passed when it runs). */
function fresh(over: Partial<DecisionV1>): DecisionV1 {
  const decidedAt = nowSec();
  return decision({ decidedAt, until: decidedAt + 600, ...over });
}

test('Responder skips a queued add whose decision was reverted before it could run', async (t) => {
  const l = lab(t, [command({ name: 'slow', executable: 'hold', runTimeoutSec: 20 })]);
  const target = { kind: 'ip', value: '203.0.113.77' } as const;
  const a = fresh({ command: 'slow', target, alertId: '1.1' });
  const b = fresh({ command: 'slow', target, alertId: '1.2' });
  l.hold();
  const ra = enforce(l.responder, a);
  const rb = enforce(l.responder, b); // queued behind a: same command, same target
  await waitFor(() => l.runs().length === 1);
  // What `riposte responses revert ID` does from another process: claim, delete, record.
  l.store.transition(b.decisionId, 'active', 'reverting', { by: 'operator' });
  l.store.transition(b.decisionId, 'reverting', 'reverted', { by: 'operator' });
  l.release();
  assert.equal(await ra, 'succeeded');
  assert.equal(await rb, 'skipped');
  assert.equal(l.runs().filter((x) => x.includes('"1.2"')).length, 0, "b's add never ran");
  assert.equal(l.store.getDecision(b.decisionId)?.state, 'reverted');
  assert.ok(l.store.listAudit({ decisionId: b.decisionId }).some((e) => e.event === 'add_skipped'));
});

test('Responder lets no hung command delay another command, for the same target or any other', async (t) => {
  const l = lab(t, [command({ name: 'hang', executable: 'hold', runTimeoutSec: 10 }), command({ name: 'drop', executable: 'rec' })]);
  l.hold();
  // Nine hung runs: more than any one command's slots, one of them on the shared target.
  const hung = Array.from({ length: 9 }, (_, i) => enforce(l.responder, fresh({ command: 'hang', target: { kind: 'ip', value: `198.51.100.${i + 1}` } })));
  let hungSettled = 0;
  for (const h of hung) void h.finally(() => hungSettled++);
  await waitFor(() => l.runs().length >= 8);
  const same = enforce(l.responder, fresh({ command: 'drop', target: { kind: 'ip', value: '198.51.100.1' } }));
  const other = enforce(l.responder, fresh({ command: 'drop', target: { kind: 'ip', value: '192.0.2.99' } }));
  assert.deepEqual(await Promise.all([same, other]), ['succeeded', 'succeeded']);
  assert.equal(hungSettled, 0, 'the drops finished while every hung run was still hanging');
  assert.ok(l.held());
  l.release();
  assert.ok((await Promise.all(hung)).every((s) => s === 'succeeded'));
});

test('Responder gives a late add the time left until its until, and does not run one whose time passed', async (t) => {
  const l = lab(t, [command({ name: 'drop', executable: 'rec' })], { bundled: true });
  const now = nowSec();
  const late = decision({ command: 'drop', decidedAt: now - 400, timeoutSec: 600, until: now + 200 });
  assert.equal(await enforce(l.responder, late), 'succeeded');
  const args = (JSON.parse(l.runs()[0] as string) as { parameters: { extra_args: string[] } }).parameters.extra_args;
  const left = Number(args[args.indexOf('--timeout') + 1]);
  // The clock may tick between the decision and the run: one second, not 400.
  assert.ok(left >= 199 && left <= 200, `kernel timeout ${left}s, expected the 200 s left`);
  const gone = decision({ command: 'drop', decidedAt: now - 700, timeoutSec: 600, until: now - 100 });
  assert.equal(await enforce(l.responder, gone), 'expired');
  assert.equal(l.runs().length, 1, 'the expired add never ran');
  assert.equal(l.store.getDecision(gone.decisionId)?.state, 'expired');
});

test('Responder skips a queued revert whose decision was settled by someone else', async (t) => {
  const l = lab(t, [command({ name: 'slow', executable: 'hold', runTimeoutSec: 20 })]);
  const target = { kind: 'ip', value: '203.0.113.78' } as const;
  const a = fresh({ command: 'slow', target, alertId: '2.1' });
  l.hold();
  const ra = enforce(l.responder, a);
  await waitFor(() => l.runs().length === 1);
  const b = fresh({ command: 'slow', target, alertId: '2.2' });
  recordActive(l.store, b);
  l.store.transition(b.decisionId, 'active', 'reverting', { by: 'scheduler' });
  const rb = l.responder.revert({ ...(l.store.getDecision(b.decisionId) as NonNullable<ReturnType<Store['getDecision']>>) });
  l.store.transition(b.decisionId, 'reverting', 'failed', { by: 'operator' });
  l.release();
  await ra;
  assert.equal(await rb, false);
  assert.equal(l.runs().length, 1, "b's delete never ran");
});

function recordActive(store: Store, d: DecisionV1): void {
  assert.equal(store.recordDecision(d, alertFor(d)), true);
}

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
