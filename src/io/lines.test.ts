import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ByteLineSplitter, readByteLines } from './lines.ts';

/** Every line with its end offset and cut flag; `chunks` are pushed one by one. */
function split(chunks: string[], maxBytes?: number): Array<[string, number, boolean]> {
  const s = new ByteLineSplitter(maxBytes);
  const out: Array<[string, number, boolean]> = [];
  for (const c of chunks) {
    s.push(c);
    for (let l = s.next(); l !== null; l = s.next()) out.push([l, s.lineEnd, s.lineCut]);
  }
  return out;
}

test('ByteLineSplitter gives byte offsets across chunk boundaries', () => {
  assert.deepEqual(split(['ab', 'c\nd', 'e\n\nf']), [
    ['abc', 4, false],
    ['de', 7, false],
    ['', 8, false],
  ]);
});

test('ByteLineSplitter keeps NUL, CR and high bytes', () => {
  assert.deepEqual(split(['a\x00b\r\n\xff\xfe\n']), [
    ['a\x00b\r', 5, false],
    ['\xff\xfe', 8, false],
  ]);
});

test('ByteLineSplitter cuts an overlong line and drops its rest, also across chunks', () => {
  assert.deepEqual(split(['abcdefgh\nxy\n'], 4), [
    ['abcd', 9, true],
    ['xy', 12, false],
  ]);
  assert.deepEqual(split(['abcdef', 'ghij', 'kl\nok\n'], 4), [
    ['abcd', 13, true],
    ['ok', 16, false],
  ]);
  assert.deepEqual(split(['abcd\n'], 4), [['abcd', 5, false]]);
});

test('ByteLineSplitter.flush() returns the unterminated rest; a cut line keeps dropping', () => {
  const s = new ByteLineSplitter(4);
  s.push('ab');
  assert.equal(s.next(), null);
  assert.equal(s.hasPartial, true);
  assert.equal(s.flush(), 'ab');
  assert.equal(s.lineEnd, 2);
  assert.equal(s.flush(), null);
  s.push('cdefgh');
  assert.equal(s.next(), null);
  assert.equal(s.flush(), 'cdef');
  assert.equal(s.lineCut, true);
  s.push('ij\nk\n');
  assert.equal(s.next(), 'k');
  assert.equal(s.lineEnd, 13);
  assert.equal(s.position, 13);
});

test('ByteLineSplitter.reset() starts counting at the given offset', () => {
  const s = new ByteLineSplitter();
  s.push('x\ny');
  s.reset(100);
  s.push('z\n');
  assert.equal(s.next(), 'z');
  assert.equal(s.lineEnd, 102);
  assert.equal(s.hasPartial, false);
});

test('readByteLines yields every line and the unterminated last one', async () => {
  const input = Readable.from([Buffer.from('a\nb'), Buffer.from([0x63, 0xff, 0x0a, 0x64])]);
  const got: string[] = [];
  for await (const l of readByteLines(input)) got.push(l);
  assert.deepEqual(got, ['a', 'bc\xff', 'd']);
});
