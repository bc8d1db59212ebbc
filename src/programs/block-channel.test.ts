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
  const ns = `rip-chan-${tag}-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.after(() => execFileSync('ip', ['netns', 'del', ns]));
  const nft = (args: string[], input?: string): string => execFileSync('ip', ['netns', 'exec', ns, 'nft', ...args], { encoding: 'utf8', ...(input ? { input } : {}) });
  return { ns, nft };
}

/** What every channel must do, in a namespace where firewall-drop's batch made the table. */
async function exercise(c: BlockChannel, nft: (args: string[], input?: string) => string): Promise<void> {
  const list = (set: string) => nft(['list', 'set', 'inet', 'riposte', set]);
  assert.equal(await c.add({ ip: '192.0.2.2', family: 4 }, 90), true);
  assert.match(list('drop4'), /192\.0\.2\.2 timeout 1m30s/);
  // A repeated block leaves exactly the new timeout, shorter or longer.
  assert.equal(await c.add({ ip: '192.0.2.2', family: 4 }, 30), true);
  assert.match(list('drop4'), /192\.0\.2\.2 timeout 30s/);
  assert.equal(await c.add({ ip: '2001:db8::7', family: 6 }, 45), true);
  assert.match(list('drop6'), /2001:db8::7 timeout 45s/);
  assert.equal(await c.add({ ip: '192.0.2.3', family: 4 }, null), true);
  assert.match(list('drop4'), /192\.0\.2\.3(?! timeout)/);
  // Only numeric addresses ever reach the child.
  await assert.rejects(c.add({ ip: '192.0.2.4 } ; flush ruleset', family: 4 }, 5), { code: 'RIPOSTE_ERR_AR_INPUT' });
  // Without the table the channel says no (the caller then runs the batch, which creates it).
  nft(['delete', 'table', 'inet', 'riposte']);
  assert.equal(await c.add({ ip: '192.0.2.5', family: 4 }, 5), false);
  // …and keeps working once the table is back.
  nft(['-f', '-'], nftAddScript({ ip: '192.0.2.1', family: 4 }, 60));
  assert.equal(await c.add({ ip: '192.0.2.6', family: 4 }, 5), true);
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
  for (const bad of ['add evil.example 5', 'add 192.0.2.9; flush ruleset 5', 'add 192.0.2.9 5 x', 'add 192.0.2.9 100000000', 'delete 192.0.2.9', 'add 192.0.2.9 5\nadd 192.0.2.10 5', 'x'.repeat(400)]) {
    assert.equal(await s.run(bad), false, bad);
  }
  assert.equal(await s.run('add 192.0.2.11 5'), true, 'still in step after the refusals');
  assert.doesNotMatch(nft(['list', 'set', 'inet', 'riposte', 'drop4']), /192\.0\.2\.10\b/);
});

test('the nft -i channel blocks with exact timeouts and refuses what it cannot do', { skip: skip(false) }, async (t) => {
  const { nft } = lab(t, 'nfti');
  nft(['-f', '-'], nftAddScript({ ip: '192.0.2.1', family: 4 }, 60));
  const c = nftInteractiveChannel('/usr/sbin/ip', ['netns', 'exec', `rip-chan-nfti-${process.pid}`, 'nft']);
  t.after(() => c.close());
  await exercise(c, nft);
});
