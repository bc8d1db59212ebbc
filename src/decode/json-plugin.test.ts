import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeJsonPlugin, formatF, type JsonPluginOptions } from './json-plugin.ts';

// Expected values were checked against libcjson 1.7.15 driven like json_decoder.c.
const ARRAY: JsonPluginOptions = { nullField: 'string', arrayStructure: 'array' };
const CSV: JsonPluginOptions = { nullField: 'discard', arrayStructure: 'csv' };

function decode(input: string, opts: JsonPluginOptions = ARRAY): Array<[string, string]> | null {
  return decodeJsonPlugin(input, opts);
}

test('decodeJsonPlugin() renders scalars as the plugin does', () => {
  assert.deepEqual(decode('{"s":"text","t":true,"f":false,"n":null,"i":42,"neg":-7,"z":-0.0}'), [
    ['s', 'text'],
    ['t', 'true'],
    ['f', 'false'],
    ['n', 'null'],
    ['i', '42'],
    ['neg', '-7'],
    ['z', '0'],
  ]);
  assert.deepEqual(decode('{"n":null,"a":1}', CSV), [['a', '1']], 'null discarded');
});

test('decodeJsonPlugin() prints integers with %i only within the int range (valueint saturates)', () => {
  assert.deepEqual(decode('{"a":2147483647,"b":2147483648,"c":-2147483648,"d":-2147483649,"e":3.0,"f":1e3}'), [
    ['a', '2147483647'],
    ['b', '2147483648.000000'],
    ['c', '-2147483648'],
    ['d', '-2147483649.000000'],
    ['e', '3'],
    ['f', '1000'],
  ]);
});

test('decodeJsonPlugin() prints other numbers with %f, exactly as glibc', () => {
  assert.deepEqual(decode('{"a":1.5,"b":0.1,"c":1e-7,"d":-2.5e-7,"e":1e20,"f":1e400,"g":-1e400,"h":0.0078125,"i":0.0234375}'), [
    ['a', '1.500000'],
    ['b', '0.100000'],
    ['c', '0.000000'],
    ['d', '-0.000000'],
    ['e', '100000000000000000000.000000'],
    ['f', 'inf'],
    ['g', '-inf'],
    ['h', '0.007812'],
    ['i', '0.023438'],
  ]);
  assert.equal(formatF(123456789012345678), '123456789012345680.000000');
  assert.equal(formatF(2.5), '2.500000');
  // The plugin prints into a 64-byte buffer.
  const cut = '150000000000000007875714038280663037305670287166223873237378117';
  assert.equal(decode('{"x":1.5e300}')?.[0]?.[1], cut);
  // In csv mode the write position still moves by the full length, so the C string ends there.
  assert.deepEqual(decode('{"x":[1,1.5e300,"y"]}', CSV), [['x', `1,${cut}`]]);
});

test('decodeJsonPlugin() flattens nested objects with dots, in document order', () => {
  assert.deepEqual(decode('{"a":{"b":{"c":"1"},"d":"2"},"e":{},"a":{"x":3},"":{"":4}}'), [
    ['a.b.c', '1'],
    ['a.d', '2'],
    ['a.x', '3'],
    ['.', '4'],
  ]);
});

test('decodeJsonPlugin() renders arrays as cJSON_Print does', () => {
  assert.deepEqual(decode('{"a":["a", "b"],"b":[],"c":[1,1.5,0.1,1e21,1e-7,0.30000000000000004,-0.0,null,true]}'), [
    ['a', '["a", "b"]'],
    ['b', '[]'],
    ['c', '[1, 1.5, 0.1, 1e+21, 1e-07, 0.3, -0, null, true]'],
  ]);
  assert.deepEqual(decode('{"a":[[1,[2]],{"x":1,"y":{"z":[]}},{}]}'), [
    ['a', '[[1, [2]], {\n\t\t"x":\t1,\n\t\t"y":\t{\n\t\t\t"z":\t[]\n\t\t}\n\t}, {\n\t}]'],
  ]);
  assert.deepEqual(decode('{"a":["q\\"b\\\\s/\\n\\u0001\\u007f\\u00e9"]}'), [['a', '["q\\"b\\\\s/\\n\\u0001\x7f\xc3\xa9"]']]);
});

test('decodeJsonPlugin() joins array scalars with commas in csv mode', () => {
  assert.deepEqual(decode('{"a":["x",2,1.5,null,true,false]}', CSV), [['a', 'x,2,1.500000,null,true,false']]);
  // Nested values are skipped; a scalar still gets its comma when anything follows.
  assert.deepEqual(decode('{"a":["x",{"o":1},[2],"y"],"b":[[1],"z"],"c":["z",[1]]}', CSV), [
    ['a', 'x,y'],
    ['b', 'z'],
    ['c', 'z,'],
  ]);
  assert.deepEqual(decode('{"a":[],"b":[{}],"c":1}', CSV), [['c', '1']], 'empty renderings are dropped');
  assert.deepEqual(decode(`{"a":["${'x'.repeat(65534)}"]}`, CSV)?.[0]?.[1].length, 65534);
  assert.deepEqual(decode(`{"a":["${'x'.repeat(65535)}"]}`, CSV), [], 'OS_MAXSTR reached');
});

test('decodeJsonPlugin() follows cJSON: trailing text, whitespace, lenient numbers', () => {
  assert.deepEqual(decode('\xef\xbb\xbf \t\n{"a" : 1 , "b":"c"} trailing {'), [
    ['a', '1'],
    ['b', 'c'],
  ]);
  assert.deepEqual(decode('\x01{"a":1}'), [['a', '1']], 'bytes <= 0x20 are whitespace');
  assert.deepEqual(decode('{"a":01,"b":-.5,"c":1.,"d":1e5}'), [
    ['a', '1'],
    ['b', '-0.500000'],
    ['c', '1'],
    ['d', '100000'],
  ]);
  assert.deepEqual(decode('["not", "an object"]'), []);
  assert.deepEqual(decode('"str"'), []);
  assert.deepEqual(decode('{"a":1}\0{"b":'), [['a', '1']], 'input is a C string');
});

test('decodeJsonPlugin() returns null for invalid JSON', () => {
  for (const bad of ['', '   ', '{', '{"a":1,}', '{"a" 1}', '{a:1}', '{"a":[1,]}', '{"a":tru}', '{"a":"x}', '{"a":"\\q"}', '{"a":+1}', '{"a":.5}', '{"a":1 "b":2}', '{"a":"\\ud800"}', '{"a":"\\udc00x"}', '{"a":"\\u12"}', 'nul']) {
    assert.equal(decode(bad), null, JSON.stringify(bad));
  }
  const deep = (n: number): string => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`;
  assert.notEqual(decode(deep(999)), null);
  assert.equal(decode(deep(1000)), null, 'cJSON nesting limit');
});

test('decodeJsonPlugin() decodes escapes to UTF-8 bytes and passes raw bytes through', () => {
  assert.deepEqual(decode('{"a":"\\u00e9\\u20ac\\ud83d\\ude00\\b\\f\\r\\t\\/","b":"caf\xc3\xa9 \xff\x01"}'), [
    ['a', '\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\b\f\r\t/'],
    ['b', 'caf\xc3\xa9 \xff\x01'],
  ]);
  // A NUL ends the C string; an invalid hex digit in \u makes a NUL too.
  assert.deepEqual(decode('{"a":"x\\u0000y","b":"p\\u00G0q","k\\u0000ey":1}'), [
    ['a', 'x'],
    ['b', 'p'],
    ['k', '1'],
  ]);
});

test('decodeJsonPlugin() parses every JSON log of the stock ruleset tests', () => {
  const dir = fileURLToPath(new URL('../../../shared/wazuh-ruleset/testing/tests/', import.meta.url));
  let count = 0;
  let pairs = 0;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.ini')) continue;
    for (const line of readFileSync(dir + f, 'latin1').split('\n')) {
      const m = /^log \d+ pass = (\{.*)$/.exec(line);
      if (!m) continue;
      count++;
      for (const opts of [ARRAY, CSV]) {
        const r = decodeJsonPlugin(m[1] as string, opts);
        assert.ok(r !== null, `${f}: ${line.slice(0, 80)}`);
        if (opts === ARRAY) pairs += r.length;
      }
    }
  }
  assert.ok(count >= 400, `${count} JSON logs`);
  assert.ok(pairs > count * 5, `${pairs} pairs`);
});
