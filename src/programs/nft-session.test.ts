import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { NftSession } from './_nft-session.ts';
import { nftAddScript, nftElementLine } from './_fw-nft.ts';

const root = process.getuid?.() === 0;
const hasNft = (() => {
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('NftSession applies a block as one confirmed transaction, and reports errors', { skip: !root ? 'needs root' : false }, (t) => {
  assert.ok(hasNft, 'nft must be installed (CI installs nftables)');
  const ns = `rip-nfts-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.after(() => execFileSync('ip', ['netns', 'del', ns]));
  const inNs = (args: string[], input?: string): string => execFileSync('ip', ['netns', 'exec', ns, 'nft', ...args], { encoding: 'utf8', ...(input ? { input } : {}) });
  // The table exists first (the one-shot batch creates it), as in the daemon.
  inNs(['-f', '-'], nftAddScript({ ip: '192.0.2.1', family: 4 }, 60));
  const s = new NftSession('/usr/sbin/ip', ['netns', 'exec', ns, 'nft']);
  t.after(() => s.close());
  return (async () => {
    const target = { ip: '192.0.2.2', family: 4 as const };
    assert.equal(await s.run(nftElementLine(target, 90)), true);
    const set = inNs(['list', 'set', 'inet', 'riposte', 'drop4']);
    assert.match(set, /192\.0\.2\.2 timeout 1m30s/);
    assert.equal(await s.run('add element inet riposte nosuchset { 192.0.2.3 }'), false);
    assert.equal(await s.run('add element inet riposte drop4 { 192.0.2.5 }\nflush ruleset'), false, 'a line with a newline is refused');
    // The session survives an error and keeps working.
    assert.equal(await s.run(nftElementLine({ ip: '192.0.2.4', family: 4 }, 30)), true);
    assert.match(inNs(['list', 'set', 'inet', 'riposte', 'drop4']), /192\.0\.2\.4 timeout 30s/);
    assert.doesNotMatch(inNs(['list', 'set', 'inet', 'riposte', 'drop4']), /192\.0\.2\.5/);
  })();
});
