// Conformance: every (pattern, string) pair of the OS_Regex golden vectors produced by the
// reference C matcher must give the same match/no-match, end offset and captures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { compileOsRegex } from './os-regex.ts';

const DIR = new URL('../../../shared/conformance/osregex/', import.meta.url);

/** Lines of a latin1 file (byte strings), without the final empty line. */
function lines(text: string): string[] {
  const out = text.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

test('OS_Regex matches the C golden vectors on every pair', (t) => {
  const patterns = lines(readFileSync(new URL('patterns.txt', DIR), 'latin1'));
  const strings = lines(readFileSync(new URL('strings.txt', DIR), 'latin1'));
  const rows = lines(gunzipSync(readFileSync(new URL('matches.tsv.gz', DIR))).toString('latin1'));
  assert.ok(patterns.length > 1000 && strings.length > 1000 && rows.length > 10000, 'golden data looks truncated');

  // Expected result per pair: "<end>\x1f<capture>\x1f<capture>..." exactly as in the file.
  const expected = new Map<number, string>();
  for (const row of rows) {
    const t1 = row.indexOf('\t');
    const t2 = row.indexOf('\t', t1 + 1);
    const t3 = row.indexOf('\t', t2 + 1);
    assert.equal(row.slice(0, t1), 'M', `bad row: ${row.slice(0, 80)}`);
    expected.set(Number(row.slice(t1 + 1, t2)) * strings.length + Number(row.slice(t2 + 1, t3)), row.slice(t3 + 1));
  }
  assert.equal(expected.size, rows.length, 'duplicate rows in matches.tsv');

  const started = performance.now();
  const failures: string[] = [];
  let checked = 0;
  let matched = 0;
  for (let p = 0; p < patterns.length; p++) {
    const re = compileOsRegex(patterns[p] as string);
    for (let s = 0; s < strings.length; s++) {
      const subject = strings[s] as string;
      const want = expected.get(p * strings.length + s);
      checked++;
      // test() is the fast path for the non-matching majority; exec() is checked wherever the
      // C matched, and also on a deterministic sample of the rest, so the two cannot drift.
      const hit = re.test(subject);
      let got: string | undefined;
      if (hit || want !== undefined || (p + s) % 97 === 0) {
        const r = re.exec(subject);
        if ((r !== null) !== hit) failures.push(`pattern ${p} string ${s}: test() ${hit} but exec() ${JSON.stringify(r)}`);
        got = r === null ? undefined : [String(r.end), ...r.captures].join('\x1f');
      }
      if (want !== undefined) matched++;
      if (hit !== (want !== undefined) || (want !== undefined && got !== want)) {
        failures.push(`pattern ${p} ${JSON.stringify(patterns[p])} string ${s}: want ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
      }
    }
  }
  const ms = Math.round(performance.now() - started);
  t.diagnostic(`${checked} pairs checked (${matched} matches) in ${ms} ms`);
  assert.equal(checked, patterns.length * strings.length);
  assert.equal(matched, rows.length);
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} pairs differ from the C results`);
});
