/**
 * Robustness: random bytes, NUL bytes, overlong lines and hostile text never crash or hang the
 * engine, and every result keeps its shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisSession } from '../src/engine/engine.ts';
import { loadRuleset, stockSources } from '../src/engine/load-ruleset.ts';
import { logtestRecord } from '../src/engine/output.ts';
import { readGolden, STOCK_RULESET } from './support/golden.ts';
import { prng } from './support/prng.ts';

const ruleset = loadRuleset(stockSources(STOCK_RULESET));


function randomBytes(r: () => number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(r() * 256));
  return s;
}

function check(session: AnalysisSession, line: string): void {
  const rec = logtestRecord(1, 'fuzz', session.process('fuzz', line));
  assert.equal(typeof rec['alert'], 'boolean');
  JSON.stringify(rec);
}

test('the engine survives random bytes, NUL bytes and control characters', () => {
  const r = prng(42);
  const session = new AnalysisSession(ruleset, () => 1_700_000_000);
  for (let i = 0; i < 3000; i++) check(session, randomBytes(r, Math.floor(r() * 300)));
  check(session, '\u0000');
  check(session, 'Dec 10 01:02:02 host sshd[1234]: Failed password for root from \u0000 port 1066 ssh2');
  check(session, '');
});

// The timeout turns a hang into a failure; speed itself is measured by `npm run bench`.
test('the engine survives overlong lines without hanging', { timeout: 120_000 }, () => {
  const session = new AnalysisSession(ruleset, () => 1_700_000_000);
  const big = 'Dec 10 01:02:02 host sshd[1234]: ' + 'A'.repeat(1 << 20);
  check(session, big);
  check(session, '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}');
  check(session, 'x'.repeat(1 << 20) + ' from ' + '1.'.repeat(200000));
  assert.equal(session.stats.truncated, 2, 'overlong lines are truncated and counted');
});

test('mutated real log lines never crash the engine', () => {
  const r = prng(7);
  const { lines } = readGolden('f2b-sshd');
  const session = new AnalysisSession(ruleset, () => 1_700_000_000);
  for (let i = 0; i < 4000; i++) {
    const base = lines[Math.floor(r() * lines.length)] as string;
    const chars = base.split('');
    const edits = 1 + Math.floor(r() * 6);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(r() * (chars.length + 1));
      const op = r();
      if (op < 0.4) chars.splice(at, 1);
      else if (op < 0.8) chars.splice(at, 0, String.fromCharCode(Math.floor(r() * 256)));
      else chars.splice(at, 0, ...'$(srcip)`;|&\\<>"\''.split(''));
    }
    check(session, chars.join(''));
  }
});
