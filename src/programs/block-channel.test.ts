import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { NFSET_HELPER_PATH } from '../daemon/home.ts';
import { nfsetChannel, nftAddScript, nftInteractiveChannel, type BlockChannel } from './_fw-nft.ts';
import { LineSession, NFSET_HELPER } from './_line-session.ts';
import { isRoot } from './_testkit.ts';

const hasCc = (() => {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A private network namespace with `nft` run inside it; removed after the test. */
function lab(t: { after: (f: () => void) => void }, tag: string) {
  const ns = `rpburst-chan-${tag}-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.after(() => execFileSync('ip', ['netns', 'del', ns]));
  const nft = (args: string[], input?: string): string => execFileSync('ip', ['netns', 'exec', ns, 'nft', ...args], { encoding: 'utf8', ...(input ? { input } : {}) });
  return { ns, nft };
}

/** What every channel must do, in a namespace where firewall-drop's batch made the table. */
async function exercise(c: BlockChannel, nft: (args: string[], input?: string) => string): Promise<void> {
  const list = (set: string) => nft(['list', 'set', 'inet', 'riposte', set]);
  const ok = (r: unknown) => assert.notEqual(r, false);
  ok(await c.add({ ip: '192.0.2.2', family: 4 }, 90));
  assert.match(list('drop4'), /192\.0\.2\.2 timeout 1m30s/);
  // A repeated block leaves exactly the new timeout, shorter or longer.
  ok(await c.add({ ip: '192.0.2.2', family: 4 }, 30));
  assert.match(list('drop4'), /192\.0\.2\.2 timeout 30s/);
  ok(await c.add({ ip: '2001:db8::7', family: 6 }, 45));
  assert.match(list('drop6'), /2001:db8::7 timeout 45s/);
  ok(await c.add({ ip: '192.0.2.3', family: 4 }, null));
  assert.match(list('drop4'), /192\.0\.2\.3(?! timeout)/);
  // An unblock succeeds whether or not the address was blocked.
  assert.equal(await c.delete({ ip: '192.0.2.3', family: 4 }), true);
  assert.doesNotMatch(list('drop4'), /192\.0\.2\.3\b/);
  assert.equal(await c.delete({ ip: '192.0.2.3', family: 4 }), true);
  assert.equal(await c.delete({ ip: '2001:db8::7', family: 6 }), true);
  assert.doesNotMatch(list('drop6'), /2001:db8::7/);
  // Only numeric addresses ever reach the child.
  await assert.rejects(c.add({ ip: '192.0.2.4 } ; flush ruleset', family: 4 }, 5), { code: 'RIPOSTE_ERR_AR_INPUT' });
  // Without the table the channel says no (the caller then runs the batch, which creates it).
  nft(['delete', 'table', 'inet', 'riposte']);
  assert.equal(await c.add({ ip: '192.0.2.5', family: 4 }, 5), false);
  // …and keeps working once the table is back.
  nft(['-f', '-'], nftAddScript({ ip: '192.0.2.1', family: 4 }, 60));
  ok(await c.add({ ip: '192.0.2.6', family: 4 }, 5));
}

const skip = (needCc: boolean): string | false => (!isRoot() ? 'needs root' : needCc && !hasCc ? 'no C compiler: the helper is optional' : false);

test('the netlink helper channel blocks with exact timeouts and refuses what it cannot do', { skip: skip(true) }, async (t) => {
  const { ns, nft } = lab(t, 'nfset');
  nft(['-f', '-'], nftAddScript({ ip: '192.0.2.1', family: 4 }, 60));
  // Run inside the namespace through `ip netns exec`, as the daemon runs inside the e2e lab.
  const c = nfsetChannel('/usr/sbin/ip', ['netns', 'exec', ns, NFSET_HELPER_PATH]);
  t.after(() => c.close());
  await exercise(c, nft);

  // Raw requests: the helper's own checks, whatever its caller sends.
  const s = new LineSession('/usr/sbin/ip', ['netns', 'exec', ns, NFSET_HELPER_PATH, 'riposte', 'drop4', 'drop6'], NFSET_HELPER);
  t.after(() => s.close());
  assert.equal(await s.run('add 192.0.2.9 5'), true);
  for (const bad of ['add evil.example 5', 'add 192.0.2.9; flush ruleset 5', 'add 192.0.2.9 5 x', 'add 192.0.2.9 100000000', 'delete 192.0.2.9', 'del 192.0.2.9 x', 'del evil.example', 'add 192.0.2.9 5\nadd 192.0.2.10 5', 'x'.repeat(400), 'add 192.0.2.12 5 '.padEnd(5000, 'y')]) {
    assert.equal(await s.run(bad), false, bad);
  }
  assert.equal(await s.run('add 192.0.2.11 5'), true, 'still in step after the refusals');
  assert.doesNotMatch(nft(['list', 'set', 'inet', 'riposte', 'drop4']), /192\.0\.2\.10\b/);
});

test('the nft -i channel blocks with exact timeouts and refuses what it cannot do', { skip: skip(false) }, async (t) => {
  const { nft } = lab(t, 'nfti');
  nft(['-f', '-'], nftAddScript({ ip: '192.0.2.1', family: 4 }, 60));
  const c = nftInteractiveChannel('/usr/sbin/ip', ['netns', 'exec', `rpburst-chan-nfti-${process.pid}`, 'nft']);
  t.after(() => c.close());
  await exercise(c, nft);
});

test('the netlink helper channel commits a burst of blocks in a few transactions, each element with its timeout', { skip: skip(true) }, async (t) => {
  const { ns, nft } = lab(t, 'burst');
  nft(['-f', '-'], nftAddScript({ ip: '192.0.2.1', family: 4 }, 60));
  const c = nfsetChannel('/usr/sbin/ip', ['netns', 'exec', ns, NFSET_HELPER_PATH]);
  t.after(() => c.close());
  const n = 3000;
  const ips = Array.from({ length: n }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${1 + (i % 3)}`);
  // All at once, as a burst of decisions calls it; plus one repeated address with a new timeout,
  // which must not share a transaction with its first block (the last one wins).
  const results = await Promise.all([...ips.map((ip, i) => c.add({ ip, family: 4 }, 100 + (i % 50))), c.add({ ip: ips[0] as string, family: 4 }, 7)]);
  assert.ok(results.every((r) => r !== false && r.sessionsEnded === 0));
  // One group for the first request (sent at once), then MAX_GROUP (1024) at a time.
  assert.ok(c.groups <= 5, `${c.groups} transactions for ${n} blocks`);
  const doc = JSON.parse(nft(['-j', 'list', 'set', 'inet', 'riposte', 'drop4'])) as { nftables: Array<{ set?: { elem?: Array<{ elem: { val: string; timeout: number } }> } }> };
  const got = new Map<string, number>();
  for (const item of doc.nftables) for (const e of item.set?.elem ?? []) got.set(e.elem.val, e.elem.timeout);
  assert.equal(got.get(ips[0] as string), 7, 'the later block of the same address won');
  for (let i = 1; i < n; i++) assert.equal(got.get(ips[i] as string), 100 + (i % 50), ips[i]);
});

test('the netlink helper channel ends the tracked connections of the blocked addresses only, in one pass', { skip: skip(true) }, async (t) => {
  const { ns, nft } = lab(t, 'ct');
  nft(['-f', '-'], nftAddScript({ ip: '192.0.2.1', family: 4 }, 60));
  const ct = (args: string[]) => execFileSync('ip', ['netns', 'exec', ns, 'conntrack', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const entry = (src: string, dst: string, sport: number) => ct(['-I', '-s', src, '-d', dst, '-p', 'udp', '--sport', String(sport), '--dport', '9', '-t', '100']);
  entry('192.0.2.50', '192.0.2.1', 1001);
  entry('192.0.2.50', '192.0.2.1', 1002);
  entry('192.0.2.1', '192.0.2.51', 1003); // the blocked address as destination (conntrack -D -d)
  entry('192.0.2.60', '192.0.2.1', 1004); // not blocked: stays
  entry('2001:db8::5', '2001:db8::1', 1005);
  const c = nfsetChannel('/usr/sbin/ip', ['netns', 'exec', ns, NFSET_HELPER_PATH]);
  t.after(() => c.close());
  const [a, b, v6] = await Promise.all([c.add({ ip: '192.0.2.50', family: 4 }, 60), c.add({ ip: '192.0.2.51', family: 4 }, 60), c.add({ ip: '2001:db8::5', family: 6 }, 60)]);
  assert.deepEqual([a, b, v6], [{ sessionsEnded: 2 }, { sessionsEnded: 1 }, { sessionsEnded: 1 }]);
  const left = ct(['-L']) + ct(['-L', '-f', 'ipv6']);
  assert.match(left, /src=192\.0\.2\.60 /);
  assert.doesNotMatch(left, /192\.0\.2\.5[01]|2001:db8::5/);
});

test('the netlink helper channel sends a due unblock ahead of a backlog of blocks', { skip: skip(true) }, async (t) => {
  const { ns, nft } = lab(t, 'urgent');
  nft(['-f', '-'], nftAddScript({ ip: '192.0.2.1', family: 4 }, 60));
  const c = nfsetChannel('/usr/sbin/ip', ['netns', 'exec', ns, NFSET_HELPER_PATH]);
  t.after(() => c.close());
  const done: string[] = [];
  const adds = Array.from({ length: 4000 }, (_, i) => c.add({ ip: `10.1.${(i >> 8) & 255}.${i & 255}`, family: 4 }, 60).then(() => done.push(`add${i}`)));
  const del = c.delete({ ip: '192.0.2.1', family: 4 }).then(() => done.push('del'));
  await Promise.all([...adds, del]);
  // The first block went out alone; the unblock rides in the very next transaction.
  assert.ok(done.indexOf('del') <= 1 + 1024, `the unblock was answered after ${done.indexOf('del')} blocks`);
  assert.doesNotMatch(nft(['list', 'set', 'inet', 'riposte', 'drop4']), /192\.0\.2\.1\b/);
});
