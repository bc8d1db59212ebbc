/**
 * The stable `decisionId`: FNV-1a 64 over the UTF-8 bytes of `response \n kind:value \n alertId`,
 * as 16 lower-case hex digits. The same inputs always give the same id, so a re-delivered alert
 * yields the same decision and downstream stores can de-duplicate on it.
 *
 * Why FNV-1a rather than SHA-256: the decide core is pure (no `node:crypto`), the id is a key, not
 * a security token (an attacker gains nothing from a collision: the store would merely see one
 * decision as a duplicate of another), and 64 bits keep accidental collisions negligible at any
 * realistic number of decisions. The 64-bit product is computed on four 16-bit limbs so the hot
 * path stays in small integers (no BigInt).
 * @module
 */

/**
 * FNV-1a 64 of a string's UTF-8 bytes.
 * @param text any string (lone surrogates are hashed as U+FFFD, as TextEncoder would)
 * @returns 16 lower-case hex digits
 * @example fnv1a64('a') // 'af63dc4c8601ec8c'
 */
export function fnv1a64(text: string): string {
  // Offset basis 0xcbf29ce484222325, lowest limb first.
  const h = [0x2325, 0x8422, 0x9ce4, 0xcbf2];
  const step = (byte: number) => {
    const h0 = (h[0] as number) ^ byte;
    const h1 = h[1] as number;
    // Multiply by the prime 0x100000001b3 = 2^40 + 0x1b3: h·0x1b3 + (h << 40), mod 2^64.
    let t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = (h[2] as number) * 0x1b3 + (h0 << 8);
    let t3 = (h[3] as number) * 0x1b3 + (h1 << 8);
    t1 += t0 >>> 16;
    t0 &= 0xffff;
    t2 += t1 >>> 16;
    t1 &= 0xffff;
    t3 += t2 >>> 16;
    t2 &= 0xffff;
    h[0] = t0;
    h[1] = t1;
    h[2] = t2;
    h[3] = t3 & 0xffff;
  };
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      step(c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) {
      step(0xc0 | (c >> 6));
    } else if (c < 0x10000) {
      step(0xe0 | (c >> 12));
      step(0x80 | ((c >> 6) & 0x3f));
    } else {
      step(0xf0 | (c >> 18));
      step(0x80 | ((c >> 12) & 0x3f));
      step(0x80 | ((c >> 6) & 0x3f));
    }
    step(0x80 | (c & 0x3f));
  }
  let out = '';
  for (let i = 3; i >= 0; i--) out += (h[i] as number).toString(16).padStart(4, '0');
  return out;
}

/**
 * The decision id of (response, target, alert).
 * @example decisionId('firewall-drop600', { kind: 'ip', value: '192.0.2.1' }, '1700000000.1')
 */
export function decisionId(response: string, target: { readonly kind: string; readonly value: string }, alertId: string): string {
  return fnv1a64(`${response}\n${target.kind}:${target.value}\n${alertId}`);
}
