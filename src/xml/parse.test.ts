import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { RiposteError, type ErrorCode } from '../errors.ts';
import { parseWazuhXml } from './parse.ts';
import { attr, type XmlNode } from './types.ts';

const RULESET = fileURLToPath(new URL('../../../shared/wazuh-ruleset/', import.meta.url));

function parse(text: string): XmlNode[] {
  return parseWazuhXml(text, 't.xml');
}

/** Asserts that parsing fails with `code` at `line` (and `element` when given). */
function assertFails(text: string, code: ErrorCode, line: number, element?: string): void {
  assert.throws(
    () => parse(text),
    (e: unknown) => {
      assert.ok(e instanceof RiposteError, String(e));
      assert.equal(e.code, code, e.message);
      assert.equal(e.location?.file, 't.xml');
      assert.equal(e.location?.line, line, e.message);
      if (element !== undefined) assert.equal(e.location?.element, element, e.message);
      return true;
    },
  );
}

test('parseWazuhXml() reads every stock ruleset file', () => {
  const files: Array<[string, string]> = [];
  for (const dir of ['decoders', 'rules', 'etc-defaults', 'testing/ruleset']) {
    for (const f of readdirSync(join(RULESET, dir)).sort()) {
      if (f.endsWith('.xml')) files.push([`${dir}/${f}`, readFileSync(join(RULESET, dir, f), 'latin1')]);
    }
  }
  const counts = new Map<string, number>();
  const count = (key: string, n: XmlNode): void => {
    const k = `${key}:${n.name}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
    for (const c of n.children) count(key, c);
  };
  const t0 = performance.now();
  for (const [name, text] of files) {
    for (const root of parseWazuhXml(text, name)) count(name.split('/')[0] as string, root);
  }
  const ms = performance.now() - t0;
  assert.equal(files.length, 120 + 168 + 2 + 17);
  assert.equal(counts.get('decoders:decoder'), 1575);
  assert.equal(counts.get('rules:rule'), 4512);
  assert.equal(counts.get('rules:var'), undefined, 'var elements are removed');
  // A generous bound so a loaded CI machine does not flake; it runs in ~100 ms here.
  assert.ok(ms < 1500, `parsing took ${ms.toFixed(0)} ms`);
});

test('parseWazuhXml() keeps \\< escapes and variables of the stock files as Wazuh does', () => {
  const decoders = parseWazuhXml(readFileSync(join(RULESET, 'rules/0605-win-mcafee_rules.xml'), 'latin1'), 'x');
  const texts: string[] = [];
  const walk = (n: XmlNode): void => {
    texts.push(n.text);
    n.children.forEach(walk);
  };
  decoders.forEach(walk);
  assert.ok(texts.includes('^257$|^5000$|^5026$|^5052$|^5055$'), 'MCAFEE_INFO substituted');
  assert.ok(!texts.some((t) => t.includes('$MCAFEE')));
});

test('parseWazuhXml() reads several roots, comments, the header and raw text', () => {
  const roots = parse(
    '<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment -->\n<a x="1" y=\'2\'> raw &amp; text <!-- inner --> more </a>\n<b/>stray text\n<c></c>',
  );
  assert.deepEqual(
    roots.map((r) => [r.name, r.line]),
    [
      ['a', 3],
      ['b', 4],
      ['c', 5],
    ],
  );
  const a = roots[0] as XmlNode;
  assert.equal(a.text, ' raw &amp; text  more ');
  assert.deepEqual(a.attributes, [
    ['x', '1'],
    ['y', '2'],
  ]);
  assert.equal(attr(a, 'y'), '2');
  assert.equal(roots[1]?.text, '');
});

test('parseWazuhXml() ends comments at --> or !>', () => {
  const roots = parse('<a>1<!-- x -- y --->2<! legacy !>3<!-->4</a>');
  assert.equal(roots[0]?.text, '1234');
});

test('parseWazuhXml() treats < after an odd run of backslashes as text, keeping the backslashes', () => {
  const [log] = parse('<regex>^\\<log>(\\S+)\\</log></regex>');
  assert.equal(log?.text, '^\\<log>(\\S+)\\</log>');
  assert.deepEqual(log?.children, []);
  // Two backslashes: the < opens a child tag.
  const [even] = parse('<a>x\\\\<b>y</b>z</a>');
  assert.equal(even?.children[0]?.name, 'b');
  assert.equal(even?.text, 'z');
  // Three backslashes: text again.
  assert.equal(parse('<a>\\\\\\<b></a>')[0]?.text, '\\\\\\<b>');
  // The escape carries over a comment, as os_xml's running state does.
  assert.equal(parse('<a>\\<!-- c --><b></a>')[0]?.text, '\\<b>');
});

test('parseWazuhXml() keeps only the text after the last child, like os_xml', () => {
  const [a] = parse('<a>before<b>in</b>after<c/>last</a>');
  assert.equal(a?.text, 'last');
  assert.deepEqual(
    a?.children.map((c) => [c.name, c.text]),
    [
      ['b', 'in'],
      ['c', ''],
    ],
  );
  // In `<c x="1"/>` os_xml leaves the `>` unread: it starts the parent's next text.
  const [p] = parse('<p><c x="1"/></p>');
  assert.equal(p?.text, '>');
  assert.deepEqual(p?.children[0]?.attributes, [['x', '1']]);
});

test('parseWazuhXml() records the line of each opening tag', () => {
  const [g] = parse('\n<group name="g">\n  <rule id="1"\n        level="3">\n    <match>x</match>\n  </rule>\n</group>');
  assert.equal(g?.line, 2);
  assert.equal(g?.children[0]?.line, 3);
  assert.equal(g?.children[0]?.children[0]?.line, 5);
  assert.equal(attr(g?.children[0] as XmlNode, 'level'), '3');
});

test('parseWazuhXml() substitutes <var> in later text and attribute values', () => {
  const roots = parse(
    '<var name="BAD">a|b</var>\n<VAR name="freq">8</VAR>\n<rule frequency="$FREQ" x="$BAD,c">$bad.x|$BAD$BAD $(field) $ end$</rule>',
  );
  assert.equal(roots.length, 1, 'var elements are removed');
  const r = roots[0] as XmlNode;
  assert.equal(r.text, 'a|b.x|a|ba|b $(field) $ end$');
  assert.deepEqual(r.attributes, [
    ['frequency', '8'],
    ['x', 'a|b,c'],
  ]);
});

test('parseWazuhXml() applies variable rules: order, first definition, short values', () => {
  // Used before any definition: left alone.
  assert.equal(parse('<a>$X yes</a><var name="X">1</var>')[0]?.text, '$X yes');
  // The first definition of a name wins.
  assert.equal(parse('<var name="X">1</var><var name="x">2</var><a>-$X,</a>')[0]?.text, '-1,');
  // Only `$ . | ,` and space end a name: here the name is "X-".
  assertFails('<var name="X">1</var><a>$X-</a>', 'RIPOSTE_ERR_XML_VAR', 1, 'a');
  // Values of 2 bytes or less are not scanned.
  assert.equal(parse('<var name="X">1</var><a>$X</a>')[0]?.text, '$X');
  // A variable's own value is not expanded.
  assert.equal(parse('<var name="A">aa</var><var name="B">$A b</var><a>$B.</a>')[0]?.text, '$A b.');
  // Nested var elements count too, and are removed from their parent.
  const [g] = parse('<g><var name="N">5</var><n>$N..</n></g>');
  assert.deepEqual(
    g?.children.map((c) => c.text),
    ['5..'],
  );
});

test('parseWazuhXml() reports variable errors with RIPOSTE_ERR_XML_VAR', () => {
  assertFails('<var name="A">1</var>\n<a>\n$B x</a>', 'RIPOSTE_ERR_XML_VAR', 2, 'a');
  assertFails('<var name="A">1</var>\n<a v="x$B"/>', 'RIPOSTE_ERR_XML_VAR', 2, 'a');
  assertFails('\n<var test="A">1</var>', 'RIPOSTE_ERR_XML_VAR', 2, 'var');
  assertFails('<var>1</var>', 'RIPOSTE_ERR_XML_VAR', 1, 'var');
  assertFails(`<var name="${'v'.repeat(256)}">1</var>`, 'RIPOSTE_ERR_XML_VAR', 1);
});

test('parseWazuhXml() reports unclosed and mismatched elements with their line', () => {
  assertFails('<group>\n  <rule id="1">\n  </group>', 'RIPOSTE_ERR_XML_SYNTAX', 3, 'rule');
  assertFails('<group>\n  <rule id="1">\n  <match>x</match>\n', 'RIPOSTE_ERR_XML_SYNTAX', 2, 'rule');
  assertFails('<a>\n</a>\n</b>', 'RIPOSTE_ERR_XML_SYNTAX', 3);
  assertFails('<a></a >', 'RIPOSTE_ERR_XML_SYNTAX', 1, 'a');
  assertFails('<a>\n<b', 'RIPOSTE_ERR_XML_SYNTAX', 2);
});

test('parseWazuhXml() reports bad attribute syntax with its line', () => {
  assertFails('<a>\n<b x=1></b></a>', 'RIPOSTE_ERR_XML_SYNTAX', 2, 'b');
  assertFails('<a\n  x></a>', 'RIPOSTE_ERR_XML_SYNTAX', 2, 'a');
  assertFails('<a x ="1"></a>', 'RIPOSTE_ERR_XML_SYNTAX', 1, 'a');
  assertFails('<a x="1"\n x="2"></a>', 'RIPOSTE_ERR_XML_SYNTAX', 2, 'a');
  assertFails('<a x="1\n>"></a>', 'RIPOSTE_ERR_XML_SYNTAX', 2, 'a');
  assertFails('<a x="1"y="2"></a>', 'RIPOSTE_ERR_XML_SYNTAX', 1, 'a');
  assertFails('<a x="1', 'RIPOSTE_ERR_XML_SYNTAX', 1, 'a');
  // Whitespace after `=` is allowed, and so is a newline between attributes.
  assert.deepEqual(parse('<a x=  "1"\ny=\'2\'/>')[0]?.attributes, [
    ['x', '1'],
    ['y', '2'],
  ]);
});

test('parseWazuhXml() reports unterminated comments and oversized text', () => {
  assertFails('<a>\n<!-- never closed\n</a>', 'RIPOSTE_ERR_XML_SYNTAX', 2);
  // The header is only skipped outside elements.
  assertFails('<a>\n<?xml x?></a>', 'RIPOSTE_ERR_XML_SYNTAX', 2, '?xml');
  assertFails(`<a>\n${'x'.repeat(2048)}</a>`, 'RIPOSTE_ERR_XML_SYNTAX', 2, 'a');
  assert.equal(parse(`<a>${'x'.repeat(2047)}</a>`)[0]?.text.length, 2047);
});
