import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT } from './_contract.ts';
import { findTool } from './_exec.ts';
import { iptablesArgs } from './_fw-iptables.ts';
import { NFT_MAX_TIMEOUT_SEC, nftAddScript, nftSetupLines } from './_fw-nft.ts';
import { arMessage, cannotRun, makeNetns, runResponse, type RunSpec } from './_testkit.ts';

const alert = (srcip: string) => ({ rule: { id: '5763' }, data: { srcip } });

describe('nft scripts', () => {
  test('nftAddScript() re-adds the element so the new timeout always applies', () => {
    const s = nftAddScript({ ip: '192.0.2.1', family: 4 }, 600);
    assert.ok(s.endsWith('add element inet riposte drop4 { 192.0.2.1 }\ndelete element inet riposte drop4 { 192.0.2.1 }\nadd element inet riposte drop4 { 192.0.2.1 timeout 600s }\n'));
    assert.ok(s.startsWith(`${nftSetupLines().join('\n')}\n`));
  });

  test('nftAddScript() leaves out a timeout nft cannot take, and none at all when none is asked', () => {
    assert.match(nftAddScript({ ip: '2001:db8::1', family: 6 }, NFT_MAX_TIMEOUT_SEC + 1), /add element inet riposte drop6 \{ 2001:db8::1 \}\n$/);
    assert.match(nftAddScript({ ip: '192.0.2.1', family: 4 }, null), /add element inet riposte drop4 \{ 192.0.2.1 \}\n$/);
  });

  test('nftAddScript() refuses anything that is not a numeric address of its family', () => {
    assert.throws(() => nftAddScript({ ip: 'example.com', family: 4 }, null), /non-numeric/);
    assert.throws(() => nftAddScript({ ip: '192.0.2.1 } ; flush ruleset ; {', family: 4 }, null), /non-numeric/);
  });

  test('iptablesArgs() waits for the xtables lock', () => {
    assert.deepEqual(iptablesArgs('-C', 'FORWARD', '2001:db8::1'), ['-w', '10', '-C', 'FORWARD', '-s', '2001:db8::1', '-j', 'DROP']);
  });
});

/** One namespace per suite; every program run happens inside it. */
function netnsSuite(): { run(spec: Omit<RunSpec, 'prefix'>): ReturnType<typeof runResponse>; exec(args: readonly string[]): string } {
  let ns: ReturnType<typeof makeNetns> | null = null;
  before(() => {
    ns = makeNetns();
  });
  after(() => ns?.remove());
  return {
    run: (spec) => runResponse('firewall-drop', { ...spec, prefix: (ns as ReturnType<typeof makeNetns>).prefix }),
    exec: (args) => (ns as ReturnType<typeof makeNetns>).exec(args),
  };
}

interface NftElem {
  readonly val: string;
  readonly timeout?: number;
}

function setElements(exec: (args: readonly string[]) => string, set: 'drop4' | 'drop6'): NftElem[] {
  const json = JSON.parse(exec(['nft', '-j', 'list', 'set', 'inet', 'riposte', set])) as { nftables: { set?: { elem?: unknown[] } }[] };
  const elems = json.nftables.find((x) => x.set)?.set?.elem ?? [];
  return elems.map((e) => (typeof e === 'object' && e !== null && 'elem' in e ? (e as { elem: NftElem }).elem : { val: e as string }));
}

function chainRules(exec: (args: readonly string[]) => string): number {
  const json = JSON.parse(exec(['nft', '-j', 'list', 'table', 'inet', 'riposte'])) as { nftables: { rule?: unknown }[] };
  return json.nftables.filter((x) => x.rule).length;
}

describe('firewall-drop with nft, in a private network namespace', { skip: cannotRun(['nft', 'ip']) }, () => {
  const ns = netnsSuite();

  test('add blocks with a kernel timeout, a repeated add keeps one element and one rule set, delete unblocks', async () => {
    const add = arMessage('add', alert('192.0.2.10'), ['--timeout', '600']);
    const first = await ns.run({ line: add });
    assert.equal(first.code, EXIT.OK, first.stderr);
    assert.deepEqual(first.keys, ['192.0.2.10']);
    let elems = setElements(ns.exec, 'drop4');
    assert.equal(elems.length, 1);
    assert.equal(elems[0]?.val, '192.0.2.10');
    assert.equal(elems[0]?.timeout, 600);

    const again = await ns.run({ line: arMessage('add', alert('192.0.2.10'), ['--timeout', '900']) });
    assert.equal(again.code, EXIT.OK, again.stderr);
    elems = setElements(ns.exec, 'drop4');
    assert.deepEqual(elems.map((e) => [e.val, e.timeout]), [['192.0.2.10', 900]]);
    assert.equal(chainRules(ns.exec), 4, 'two rules in each of input and forward, never duplicated');

    const del = await ns.run({ line: arMessage('delete', alert('192.0.2.10')) });
    assert.equal(del.code, EXIT.OK, del.stderr);
    assert.equal(del.keys, null, 'delete does no handshake');
    assert.deepEqual(setElements(ns.exec, 'drop4'), []);

    const twice = await ns.run({ line: arMessage('delete', alert('192.0.2.10')) });
    assert.equal(twice.code, EXIT.OK, twice.stderr);
    assert.match(twice.stderr, /was not blocked/);
  });

  test('abort from check_keys leaves the firewall alone', async () => {
    const out = await ns.run({ line: arMessage('add', alert('192.0.2.13')), answer: 'abort' });
    assert.equal(out.code, EXIT.OK, out.stderr);
    assert.deepEqual(out.keys, ['192.0.2.13']);
    assert.match(out.stderr, /Aborted/);
    assert.doesNotMatch(ns.exec(['nft', 'list', 'ruleset']), /192\.0\.2\.13/);
  });

  test('IPv6 goes to drop6; IPv4-mapped IPv6 goes to drop4 as IPv4; no --timeout means no timeout', async () => {
    const v6 = await ns.run({ line: arMessage('add', alert('2001:DB8:0::A')) });
    assert.equal(v6.code, EXIT.OK, v6.stderr);
    assert.deepEqual(v6.keys, ['2001:db8::a']);
    assert.deepEqual(setElements(ns.exec, 'drop6'), [{ val: '2001:db8::a' }]);
    const mapped = await ns.run({ line: arMessage('add', alert('::ffff:192.0.2.11')) });
    assert.equal(mapped.code, EXIT.OK, mapped.stderr);
    assert.deepEqual(mapped.keys, ['192.0.2.11']);
    assert.ok(setElements(ns.exec, 'drop4').some((e) => e.val === '192.0.2.11'));
    for (const ip of ['2001:db8::a', '192.0.2.11']) assert.equal((await ns.run({ line: arMessage('delete', alert(ip)) })).code, EXIT.OK);
    assert.deepEqual(setElements(ns.exec, 'drop6'), []);
  });

  test('the Windows address fields come first, as in Wazuh', async () => {
    const a = { data: { srcip: '192.0.2.99', win: { eventdata: { ipAddress: '198.51.100.5' } } } };
    const out = await ns.run({ line: arMessage('add', a), answer: 'abort' });
    assert.deepEqual(out.keys, ['198.51.100.5']);
  });

  test('an element with timeout 2s disappears by itself, without any Riposte process', async () => {
    const out = await ns.run({ line: arMessage('add', alert('192.0.2.12'), ['--timeout', '2']) });
    assert.equal(out.code, EXIT.OK, out.stderr);
    assert.ok(setElements(ns.exec, 'drop4').some((e) => e.val === '192.0.2.12'), 'present right after add');
    const deadline = Date.now() + 20_000;
    while (setElements(ns.exec, 'drop4').some((e) => e.val === '192.0.2.12')) {
      assert.ok(Date.now() < deadline, 'the kernel did not expire the element within 20 s');
      await sleep(250);
    }
  });

  test('packets from a blocked address are really dropped', async () => {
    ns.exec(['ip', 'link', 'set', 'lo', 'up']);
    ns.exec(['ip', 'addr', 'add', '192.0.2.1/32', 'dev', 'lo']);
    ns.exec(['ip', 'addr', 'add', '192.0.2.2/32', 'dev', 'lo']);
    // A TCP connection from 192.0.2.1 to 192.0.2.2 inside the namespace, 1.5 s to succeed.
    const probe = [
      "const net = require('node:net');",
      "const srv = net.createServer((s) => s.end()).listen(0, '192.0.2.2', () => {",
      "  const c = net.connect({ host: '192.0.2.2', port: srv.address().port, localAddress: '192.0.2.1' });",
      "  const done = (r) => { console.log(r); c.destroy(); srv.close(); };",
      "  c.setTimeout(1500, () => done('timeout')); c.on('connect', () => done('connected')); c.on('error', (e) => done(e.code));",
      '});',
    ].join('\n');
    const connect = () => ns.exec([process.execPath, '-e', probe]).trim();
    assert.equal(connect(), 'connected');
    assert.equal((await ns.run({ line: arMessage('add', alert('192.0.2.1'), ['--timeout', '60']) })).code, EXIT.OK);
    assert.equal(connect(), 'timeout');
    assert.equal((await ns.run({ line: arMessage('delete', alert('192.0.2.1')) })).code, EXIT.OK);
    assert.equal(connect(), 'connected');
  });

  test('established sessions of the blocked address are removed from conntrack', { skip: cannotRun(['conntrack']) }, async () => {
    const entry = ['conntrack', '-I', '-s', '192.0.2.14', '-d', '192.0.2.2', '-p', 'tcp', '--sport', '40000', '--dport', '22', '--state', 'ESTABLISHED', '-t', '300', '-u', 'SEEN_REPLY'];
    ns.exec(entry);
    assert.match(ns.exec(['conntrack', '-L', '-s', '192.0.2.14']), /192\.0\.2\.14/);
    const out = await ns.run({ line: arMessage('add', alert('192.0.2.14')) });
    assert.equal(out.code, EXIT.OK, out.stderr);
    assert.match(out.stderr, /1 tracked connections ended/);
    assert.doesNotMatch(ns.exec(['conntrack', '-L', '-s', '192.0.2.14']), /192\.0\.2\.14/);
    await ns.run({ line: arMessage('delete', alert('192.0.2.14')) });
  });

  test('the legacy positional form acts without a handshake', async () => {
    const add = await ns.run({ argv: ['add', '-', '192.0.2.30', '1700000000.1234', '5763', '(host) any->/var/log/auth.log', '-'] });
    assert.equal(add.code, EXIT.OK, add.stderr);
    assert.equal(add.stdout, '');
    assert.ok(setElements(ns.exec, 'drop4').some((e) => e.val === '192.0.2.30'));
    assert.equal((await ns.run({ argv: ['delete', '-', '192.0.2.30'] })).code, EXIT.OK);
    assert.ok(!setElements(ns.exec, 'drop4').some((e) => e.val === '192.0.2.30'));
  });

  test('invalid input exits 2 before any handshake and touches nothing', async () => {
    const before = ns.exec(['nft', 'list', 'ruleset']);
    const cases: [string, RegExp][] = [
      [arMessage('add', alert('example.com')), /not one numeric IP address/],
      [arMessage('add', alert('192.0.2.1 }; flush ruleset; {')), /not one numeric IP address/],
      [arMessage('add', alert('fe80::1%lo')), /not one numeric IP address/],
      [arMessage('add', alert('0.0.0.0')), /unspecified/],
      [arMessage('add', { data: {} }), /No target address/],
      [arMessage('add', alert('192.0.2.1'), ['--backend', 'pf']), /Invalid --backend/],
      [arMessage('add', alert('192.0.2.1'), ['--bogus']), /Unknown option "--bogus"/],
      [arMessage('add', alert('192.0.2.1'), ['--timeout', '-5']), /Invalid --timeout/],
      [arMessage('block', alert('192.0.2.1')), /must be "add" or "delete"/],
      ['{"version":1,"origin":{},"command":"add","parameters":{"alert":{},"program":"x"}}', /extra_args/],
      ['not json', /Cannot parse/],
    ];
    for (const [line, why] of cases) {
      const out = await ns.run({ line });
      assert.equal(out.code, EXIT.INVALID_INPUT, line);
      assert.equal(out.keys, null, line);
      assert.match(out.stderr, why);
    }
    assert.equal(ns.exec(['nft', 'list', 'ruleset']), before);
  });
});

describe('firewall-drop with iptables, in a private network namespace', { skip: cannotRun(['iptables', 'ip6tables', 'iptables-save', 'ip6tables-save', 'ip']) }, () => {
  const ns = netnsSuite();
  const rules = (v6 = false) => ns.exec([v6 ? 'ip6tables-save' : 'iptables-save']).split('\n').filter((l) => l.startsWith('-A '));

  test('add inserts one DROP rule in INPUT and FORWARD, idempotently; delete removes them', async () => {
    for (let i = 0; i < 2; i++) {
      const out = await ns.run({ line: arMessage('add', alert('192.0.2.20'), ['--backend', 'iptables']) });
      assert.equal(out.code, EXIT.OK, out.stderr);
      assert.deepEqual(out.keys, ['192.0.2.20']);
    }
    assert.deepEqual(rules(), ['-A INPUT -s 192.0.2.20/32 -j DROP', '-A FORWARD -s 192.0.2.20/32 -j DROP']);
    const del = await ns.run({ line: arMessage('delete', alert('192.0.2.20'), ['--backend', 'iptables']) });
    assert.equal(del.code, EXIT.OK, del.stderr);
    assert.deepEqual(rules(), []);
    assert.equal((await ns.run({ line: arMessage('delete', alert('192.0.2.20'), ['--backend', 'iptables']) })).code, EXIT.OK);
  });

  test('delete also removes duplicate rules left by Wazuh', async () => {
    for (let i = 0; i < 3; i++) ns.exec(['iptables', '-I', 'INPUT', '-s', '192.0.2.21', '-j', 'DROP']);
    const del = await ns.run({ line: arMessage('delete', alert('192.0.2.21'), ['--backend', 'iptables']) });
    assert.equal(del.code, EXIT.OK, del.stderr);
    assert.deepEqual(rules(), []);
  });

  test('IPv6 uses ip6tables', async () => {
    assert.equal((await ns.run({ line: arMessage('add', alert('2001:db8::20'), ['--backend', 'iptables']) })).code, EXIT.OK);
    assert.deepEqual(rules(true), ['-A INPUT -s 2001:db8::20/128 -j DROP', '-A FORWARD -s 2001:db8::20/128 -j DROP']);
    assert.deepEqual(rules(), []);
    assert.equal((await ns.run({ line: arMessage('delete', alert('2001:db8::20'), ['--backend', 'iptables']) })).code, EXIT.OK);
    assert.deepEqual(rules(true), []);
  });

  test('auto picks iptables when nft is absent, and fails with exit 4 when both are', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'riposte-tools-'));
    try {
      symlinkSync(findTool('iptables') as string, path.join(dir, 'iptables'));
      const env = { ...process.env, RIPOSTE_TOOL_PATH: dir };
      const out = await ns.run({ line: arMessage('add', alert('192.0.2.22')), env });
      assert.equal(out.code, EXIT.OK, out.stderr);
      assert.match(out.stderr, /iptables INPUT and FORWARD/);
      assert.deepEqual(rules(), ['-A INPUT -s 192.0.2.22/32 -j DROP', '-A FORWARD -s 192.0.2.22/32 -j DROP']);
      assert.equal((await ns.run({ line: arMessage('delete', alert('192.0.2.22')), env })).code, EXIT.OK);
      const none = await ns.run({ line: arMessage('add', alert('192.0.2.22')), env: { ...process.env, RIPOSTE_TOOL_PATH: path.join(dir, 'empty') } });
      assert.equal(none.code, EXIT.UNAVAILABLE);
      assert.equal(none.keys, null);
      assert.match(none.stderr, /Neither nft nor iptables is installed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
