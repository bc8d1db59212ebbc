import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prng } from './_fixtures.ts';
import { decisionId, fnv1a64 } from './decision-id.ts';

/** Reference FNV-1a 64 with BigInt over explicit bytes. */
function reference(bytes: Uint8Array): string {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

test('fnv1a64() published test vectors', () => {
  assert.equal(fnv1a64(''), 'cbf29ce484222325');
  assert.equal(fnv1a64('a'), 'af63dc4c8601ec8c');
  assert.equal(fnv1a64('foobar'), '85944171f73967e8');
});

test('fnv1a64() agrees with a BigInt reference on UTF-8 bytes (random strings)', () => {
  const rand = prng(42);
  const enc = new TextEncoder();
  for (let n = 0; n < 500; n++) {
    let s = '';
    const len = Math.floor(rand() * 40);
    for (let i = 0; i < len; i++) {
      const r = rand();
      s += r < 0.6 ? String.fromCharCode(32 + Math.floor(rand() * 95)) : r < 0.8 ? String.fromCharCode(0x80 + Math.floor(rand() * 0x700)) : r < 0.9 ? String.fromCodePoint(0x10000 + Math.floor(rand() * 0xfffff)) : String.fromCharCode(0xd800 + Math.floor(rand() * 0x800));
    }
    assert.equal(fnv1a64(s), reference(enc.encode(s)), JSON.stringify(s));
  }
});

test('decisionId() is stable and separates its inputs', () => {
  const t = { kind: 'ip', value: '192.0.2.1' } as const;
  const id = decisionId('firewall-drop600', t, '1700000000.1');
  assert.match(id, /^[0-9a-f]{16}$/);
  assert.equal(decisionId('firewall-drop600', t, '1700000000.1'), id);
  assert.notEqual(decisionId('firewall-drop600', t, '1700000000.2'), id);
  assert.notEqual(decisionId('firewall-drop60', t, '1700000000.1'), id);
  assert.notEqual(decisionId('firewall-drop600', { kind: 'user', value: '192.0.2.1' }, '1700000000.1'), id);
});
