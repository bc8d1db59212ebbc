import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActiveResponseConfig, AllowEntry, CommandConfig } from '../config/types.ts';
import { alert, ar, cmd, emptyState, prng } from './_fixtures.ts';
import { compileAllowlist } from './allowlist.ts';
import { compileBindings } from './bind.ts';
import { decide, type DecideContext } from './chain.ts';
import { decisionId } from './decision-id.ts';
import type { DecideOutcome, DecideState, DecisionV1, Refusal } from './types.ts';

const T0 = 1_700_000_000;

const COMMANDS: ReadonlyMap<string, CommandConfig> = new Map([
  ['firewall-drop', cmd()],
  ['disable-account', cmd({ name: 'disable-account', executable: 'disable-account', expect: ['user'] })],
]);

interface Setup {
  responses?: ActiveResponseConfig[];
  allow?: AllowEntry[];
  accounts?: string[];
  own?: string[];
  state?: DecideState;
}

/** A context whose clock can be moved: `clock.t`. */
function setup(s: Setup = {}) {
  const clock = { t: T0, reads: 0 };
  const ctx: DecideContext = {
    bindings: compileBindings(s.responses ?? [ar({ rulesId: [5712] })]),
    commands: COMMANDS,
    allowlist: compileAllowlist(s.allow ?? [], new Set(s.accounts ?? []), s.own ?? ['198.51.100.10']),
    state: s.state ?? emptyState(),
    now: () => {
      clock.reads++;
      return clock.t;
    },
  };
  return { ctx, clock };
}

function only(outcomes: DecideOutcome[]): DecideOutcome {
  assert.equal(outcomes.length, 1, JSON.stringify(outcomes));
  return outcomes[0] as DecideOutcome;
}
function decision(o: DecideOutcome): DecisionV1 {
  assert.equal(o.kind, 'decision', JSON.stringify(o));
  return o as DecisionV1;
}
function refusal(o: DecideOutcome, reason: Refusal['reason']): Refusal {
  assert.equal(o.kind, 'refusal', JSON.stringify(o));
  assert.equal((o as Refusal).reason, reason, JSON.stringify(o));
  return o as Refusal;
}

test('decide() nothing bound → no outcome, clock not read', () => {
  const { ctx, clock } = setup({ responses: [ar({ rulesId: [1] })] });
  assert.deepEqual(decide(alert(), ctx), []);
  assert.equal(clock.reads, 0);
});

test('decide() a full DecisionV1 for a first offence', () => {
  const { ctx } = setup();
  const d = decision(only(decide(alert({ srcip: '2001:DB8::7' }), ctx)));
  assert.deepEqual(d, {
    kind: 'decision',
    decisionId: decisionId('firewall-drop600', { kind: 'ip', value: '2001:db8::7' }, '1700000000.1'),
    response: 'firewall-drop600',
    command: 'firewall-drop',
    target: { kind: 'ip', value: '2001:db8::7' },
    alertId: '1700000000.1',
    ruleId: 5712,
    decidedAt: T0,
    timeoutSec: 600,
    until: T0 + 600,
    offence: 1,
    escalated: false,
    simulated: false,
    mode: 'enforce',
  });
  assert.equal(ctx.state.active.get('firewall-drop600|ip:2001:db8::7'), T0 + 600, 'recorded as active');
});

test('decide() the decision id is stable for the same inputs', () => {
  const a = decision(only(decide(alert(), setup().ctx)));
  const b = decision(only(decide(alert(), setup().ctx)));
  assert.equal(a.decisionId, b.decisionId);
  const c = decision(only(decide(alert(undefined, undefined, '1700000000.2'), setup().ctx)));
  assert.notEqual(c.decisionId, a.decisionId);
});

test('decide() simulate mode: simulated decision, state kept apart from enforcement', () => {
  const sim = ar({ name: 'sim', mode: 'simulate', rulesId: [5712] });
  const real = ar({ name: 'real', rulesId: [5712], repeatedOffendersMin: [60] });
  const { ctx } = setup({ responses: [sim, real] });
  const [s, r] = decide(alert(), ctx) as [DecideOutcome, DecideOutcome];
  assert.equal(decision(s).simulated, true);
  assert.equal(decision(s).mode, 'simulate');
  assert.equal(decision(r).simulated, false);
  assert.equal(decision(r).offence, 1, 'the simulated offence did not count for the real response');
});

test('decide() timeout 0 → until null, and the action stays active until reverted', () => {
  const { ctx, clock } = setup({ responses: [ar({ timeoutSec: 0, rulesId: [5712] })] });
  const d = decision(only(decide(alert(), ctx)));
  assert.equal(d.until, null);
  assert.equal(d.timeoutSec, 0);
  clock.t += 10 * 365 * 86400;
  const again = refusal(only(decide(alert(), ctx)), 'duplicate');
  assert.match(again.detail, /until reverted/);
});

test('decide() refusal disabled: a disabled block reaching the chain, or an undefined command', () => {
  const off = ar({ name: 'off', disabled: true });
  const ctx1: DecideContext = { ...setup().ctx, bindings: () => [off] };
  refusal(only(decide(alert(), ctx1)), 'disabled');
  const { ctx: ctx2 } = setup({ responses: [ar({ command: 'nope', rulesId: [5712] })] });
  const r = refusal(only(decide(alert(), ctx2)), 'disabled');
  assert.match(r.detail, /"nope" is not defined/);
  assert.equal(r.target, null);
});

test('decide() refusal no_target and invalid_target (target null, detail log-safe)', () => {
  const { ctx } = setup();
  refusal(only(decide(alert({ dstuser: 'bob' }), ctx)), 'no_target');
  const r = refusal(only(decide(alert({ srcip: '1.2.3.4\nFAKE LOG LINE' }), ctx)), 'invalid_target');
  assert.equal(r.target, null);
  assert.ok(!r.detail.includes('\n'));
  assert.equal(ctx.state.offenders.size, 0, 'refused targets are not counted as offenders');
});

test('decide() refusal own_address and allowlisted, with the matching entry in the detail', () => {
  const { ctx } = setup({ allow: [{ kind: 'ip', value: '192.0.2.0/24', reason: 'office' }] });
  const own = refusal(only(decide(alert({ srcip: '198.51.100.10' }), ctx)), 'own_address');
  assert.deepEqual(own.target, { kind: 'ip', value: '198.51.100.10' });
  refusal(only(decide(alert({ srcip: '127.0.0.1' }), ctx)), 'own_address');
  refusal(only(decide(alert({ srcip: '::1' }), ctx)), 'own_address');
  const al = refusal(only(decide(alert({ srcip: '192.0.2.44' }), ctx)), 'allowlisted');
  assert.match(al.detail, /192\.0\.2\.0\/24 \(office\)/);
  assert.equal(ctx.state.active.size, 0);
});

test('decide() an allowlisted event srcip suppresses a user response too (Wazuh #4422 parity)', () => {
  const lock = ar({ name: 'lock', command: 'disable-account', rulesId: [5712] });
  const { ctx } = setup({ responses: [lock], allow: [{ kind: 'ip', value: '192.0.2.0/24', reason: 'admin lan' }] });
  const r = refusal(only(decide(alert({ srcip: '192.0.2.5', dstuser: 'bob' }), ctx)), 'allowlisted');
  assert.match(r.detail, /event srcip 192\.0\.2\.5/);
  decision(only(decide(alert({ srcip: '203.0.113.5', dstuser: 'bob' }), ctx)));
});

test('decide() accounts: configured and CDB-listed users are never disabled', () => {
  const lock = ar({ name: 'lock', command: 'disable-account', rulesId: [5712] });
  const { ctx } = setup({ responses: [lock], allow: [{ kind: 'account', value: 'admin', reason: 'break-glass' }], accounts: ['svc-backup'] });
  refusal(only(decide(alert({ dstuser: 'admin' }), ctx)), 'allowlisted');
  refusal(only(decide(alert({ dstuser: 'svc-backup' }), ctx)), 'allowlisted');
  refusal(only(decide(alert({ dstuser: 'root' }), ctx)), 'invalid_target');
  assert.deepEqual(decision(only(decide(alert({ dstuser: 'mallory' }), ctx))).target, { kind: 'user', value: 'mallory' });
});

test('decide() duplicate while active: no new decision, but the offence counts and escalates later', () => {
  const resp = ar({ rulesId: [5712], timeoutSec: 600, repeatedOffendersMin: [30, 120] });
  const { ctx, clock } = setup({ responses: [resp] });
  const first = decision(only(decide(alert(), ctx)));
  assert.equal(first.offence, 1);
  clock.t += 60;
  const dup = refusal(only(decide(alert(), ctx)), 'duplicate');
  assert.match(dup.detail, /offence 2/);
  assert.match(dup.detail, new RegExp(`already active until ${new Date((T0 + 600) * 1000).toISOString().replace('.000Z', 'Z')} `), 'the end is an ISO date');
  assert.doesNotMatch(dup.detail, new RegExp(String(T0 + 600)), 'no epoch seconds shown to people');
  assert.equal(ctx.state.active.get('firewall-drop600|ip:203.0.113.7'), T0 + 600, 'the running block is not slid forward');
  clock.t = T0 + 600; // the first block has ended
  const third = decision(only(decide(alert(), ctx)));
  assert.equal(third.offence, 3);
  assert.equal(third.escalated, true);
  assert.equal(third.timeoutSec, 120 * 60, 'the 3rd offence gets repeated_offenders[1]');
  assert.equal(third.until, T0 + 600 + 7200);
  clock.t = third.until as number;
  const fourth = decision(only(decide(alert(), ctx)));
  assert.equal(fourth.timeoutSec, 7200, 'the last value repeats');
});

test('decide() offenderResetSec forgets an old offender', () => {
  const resp = ar({ rulesId: [5712], timeoutSec: 60, repeatedOffendersMin: [30], offenderResetSec: 3600 });
  const { ctx, clock } = setup({ responses: [resp] });
  decision(only(decide(alert(), ctx)));
  clock.t += 120;
  assert.equal(decision(only(decide(alert(), ctx))).offence, 2);
  clock.t += 30 * 60 + 3601;
  const fresh = decision(only(decide(alert(), ctx)));
  assert.equal(fresh.offence, 1);
  assert.equal(fresh.timeoutSec, 60);
});

test('decide() several responses: configuration order, each with its own outcome', () => {
  const a = ar({ name: 'a', rulesId: [5712] });
  const b = ar({ name: 'b', command: 'disable-account', rulesId: [5712] });
  const c = ar({ name: 'c', level: 3 });
  const { ctx } = setup({ responses: [a, b, c] });
  const out = decide(alert({ srcip: '203.0.113.9' }), ctx);
  assert.deepEqual(out.map((o) => [o.response, o.kind]), [['a', 'decision'], ['b', 'refusal'], ['c', 'decision']]);
  refusal(out[1] as DecideOutcome, 'no_target');
});

test('decide() the clock is read once per alert', () => {
  const { ctx, clock } = setup({ responses: [ar({ name: 'a', rulesId: [5712] }), ar({ name: 'b', rulesId: [5712] })] });
  const out = decide(alert(), ctx);
  assert.equal(clock.reads, 1);
  assert.equal((out[0] as DecisionV1).decidedAt, (out[1] as DecisionV1).decidedAt);
});

test('decide() hostile field values never produce a decision', () => {
  const lock = ar({ name: 'lock', command: 'disable-account', rulesId: [5712] });
  const { ctx } = setup({ responses: [ar({ rulesId: [5712] }), lock] });
  const hostile: Record<string, string>[] = [
    { srcip: '1.2.3.4 5.6.7.8' },
    { srcip: '1.2.3.4;reboot', dstuser: 'bob' },
    { srcip: '$(curl evil)' },
    { srcip: '../../../bin/sh' },
    { srcip: '1.2.3.4\n5.6.7.8' },
    { srcip: 'fe80::1%eth0' },
    { srcip: '192.030.0.6' },
    { 'win.eventdata.ipAddress': '1.2.3.4 && id', srcip: '203.0.113.1' },
    { srcip: '203.0.113.1', dstuser: 'bob;id' },
    { srcip: '203.0.113.1', dstuser: '../root' },
    { srcip: '203.0.113.1', dstuser: 'bob\nroot' },
    { srcip: '203.0.113.1', dstuser: '-oProxyCommand=x' },
  ];
  for (const data of hostile) {
    for (const o of decide(alert(data), ctx)) {
      assert.equal(o.kind, 'refusal', `${JSON.stringify(data)} → ${JSON.stringify(o)}`);
    }
  }
  assert.equal(ctx.state.active.size, 0);
});

test('decide() IPv4-mapped and IPv6 text forms are one target (dedupe, allowlist)', () => {
  const { ctx } = setup({ allow: [{ kind: 'ip', value: '2001:db8::/32', reason: 'v6' }] });
  decision(only(decide(alert({ srcip: '203.0.113.7' }), ctx)));
  refusal(only(decide(alert({ srcip: '::ffff:203.0.113.7' }), ctx)), 'duplicate');
  refusal(only(decide(alert({ srcip: '2001:0DB8:0000::1' }), ctx)), 'allowlisted');
});

/** Random text forms of one IPv6 address: expanded, compressed, upper case. */
function v6Text(groups: number[], rand: () => number): string {
  const hex = groups.map((g) => (rand() < 0.5 ? g.toString(16).toUpperCase() : g.toString(16).padStart(4, '0')));
  return hex.join(':');
}

test('invariant: an allowlisted IP, range or account is never acted on (property, every field and form)', () => {
  const rand = prng(20240601);
  const lock = ar({ name: 'lock', command: 'disable-account', level: 1 });
  const { ctx, clock } = setup({
    responses: [ar({ name: 'drop', level: 1 }), ar({ name: 'sim', level: 1, mode: 'simulate' }), lock],
    allow: [
      { kind: 'ip', value: '10.0.0.0/8', reason: 'lan' },
      { kind: 'ip', value: '192.0.2.128/25', reason: 'dmz' },
      { kind: 'ip', value: '2001:db8:42::/48', reason: 'v6 lan' },
      { kind: 'account', value: 'admin', reason: 'ops' },
    ],
    accounts: ['svc-backup'],
  });
  const fields = ['srcip', 'win.eventdata.ipAddress', 'win.eventdata.destinationIp'];
  let n = 0;
  for (let i = 0; i < 3000; i++) {
    clock.t = T0 + i * 7;
    const r = rand();
    let addr: string;
    if (r < 0.4) {
      const x = Math.floor(rand() * 2 ** 24);
      addr = `10.${x >>> 16}.${(x >>> 8) & 255}.${x & 255}`;
      if (rand() < 0.3) addr = `::ffff:${addr}`;
    } else if (r < 0.6) {
      addr = `192.0.2.${128 + Math.floor(rand() * 128)}`;
    } else {
      const g = [0x2001, 0xdb8, 0x42, ...Array.from({ length: 5 }, () => Math.floor(rand() * 0x10000))];
      addr = v6Text(g, rand);
    }
    const field = fields[Math.floor(rand() * fields.length)] as string;
    const user = rand() < 0.5 ? 'admin' : 'svc-backup';
    const data: Record<string, string> = { [field]: addr, dstuser: user };
    for (const o of decide(alert(data, { id: 100000 + (i % 50) }, `${T0 + i}.${i}`), ctx)) {
      n++;
      assert.equal(o.kind, 'refusal', `${JSON.stringify(data)} → ${JSON.stringify(o)}`);
      assert.ok(['allowlisted', 'own_address'].includes((o as Refusal).reason), JSON.stringify(o));
    }
  }
  assert.equal(n, 9000);
  assert.equal(ctx.state.active.size, 0);
});
