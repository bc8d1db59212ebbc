import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCdbList } from './cdb-list.ts';
import { loadCdbListFile } from './load-lists.ts';

const LISTS_DIR = fileURLToPath(new URL('../../../shared/wazuh-ruleset/lists', import.meta.url));

function entries(text: string): Array<[string, string]> {
  const list = parseCdbList(text);
  return [...list.keys()].map((k) => [k, list.get(k) as string]);
}

test('parseCdbList() splits each line at the first colon; the value may be empty or hold colons', () => {
  assert.deepEqual(entries('a:1\nb:\nc:x:y:z\n:empty-key\n'), [
    ['a', '1'],
    ['b', ''],
    ['c', 'x:y:z'],
    ['', 'empty-key'],
  ]);
});

test('parseCdbList() ignores lines without a colon and has no comments or trimming', () => {
  assert.deepEqual(entries('no colon here\n\n# note:kept\n k : v \n'), [
    ['# note', 'kept'],
    [' k ', ' v '],
  ]);
});

test('parseCdbList() ends a line at its first CR, LF or NUL', () => {
  assert.deepEqual(entries('a:1\r\nb:2\rjunk\nc\r:3\nd:4\0tail\ne\0:5\nlast:6'), [
    ['a', '1'],
    ['b', '2'],
    ['d', '4'],
    ['last', '6'],
  ]);
});

test('parseCdbList() keeps the first record of a repeated key and is case-sensitive', () => {
  const list = parseCdbList('k:first\nK:upper\nk:second\n');
  assert.equal(list.get('k'), 'first');
  assert.equal(list.get('K'), 'upper');
  assert.equal(list.size, 2);
});

test('parseCdbList() quoted keys: the first quote must come before the first colon', () => {
  assert.deepEqual(entries('"a:b":c\n"a:b2":"c:d"\nx"key"y:v\n"k"junk"more:v2\n"":empty\n'), [
    ['a:b', 'c'],
    ['a:b2', 'c:d'],
    ['key', 'v'],
    ['k', 'v2'],
    ['', 'empty'],
  ]);
  // No colon after the closing quote, or no closing quote: the line is dropped.
  assert.equal(parseCdbList('"a:b"\n').size, 0);
  assert.equal(parseCdbList('"a:b\n').size, 0);
  assert.equal(parseCdbList('x"y:z\n').size, 0);
});

test('parseCdbList() quoted values: text between the first two quotes after the colon', () => {
  assert.deepEqual(entries('a:"b:c"\nb:pre"mid"post\nc:""\nd:"x"y"z"\n'), [
    ['a', 'b:c'],
    ['b', 'mid'],
    ['c', ''],
    ['d', 'x'],
  ]);
  // An unclosed quote in the value drops the line, also after an unquoted key.
  assert.equal(parseCdbList('k:ab"cd\n').size, 0);
  assert.equal(parseCdbList('"k":"v\n').size, 0);
});

test('parseCdbList() keeps bytes as they are (latin1 byte strings)', () => {
  const list = parseCdbList('\xe9t\xe9:caf\xc3\xa9\n');
  assert.equal(list.get('\xe9t\xe9'), 'caf\xc3\xa9');
});

test('parseCdbList() reads lines in 65534-byte pieces like fgets(…, OS_MAXSTR - 1)', () => {
  const long = parseCdbList(`k:${'a'.repeat(70000)}\n`);
  assert.equal(long.get('k')?.length, 65532);
  assert.equal(long.size, 1);
  const split = parseCdbList(`${'x'.repeat(65534)}y:z\n`);
  assert.deepEqual([...split.keys()], ['y']);
  // A newline right after a full piece becomes an empty line of its own.
  const exact = parseCdbList(`k:${'b'.repeat(65532)}\nnext:1\n`);
  assert.equal(exact.get('k')?.length, 65532);
  assert.equal(exact.get('next'), '1');
});

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? listFiles(p) : [p];
    });
}

test('loadCdbListFile() loads every stock list', () => {
  const sizes = Object.fromEntries(listFiles(LISTS_DIR).map((p) => [p.slice(LISTS_DIR.length + 1), loadCdbListFile(p).size]));
  assert.deepEqual(sizes, {
    'amazon/aws-eventnames': 347,
    'amazon/aws-sources': 1,
    'audit-keys': 5,
    'malicious-ioc/malicious-domains': 200,
    'malicious-ioc/malicious-ip': 199,
    'malicious-ioc/malware-hashes': 199,
    'security-eventchannel': 160,
  });
});

test('loadCdbListFile() stock lists: spot checks', () => {
  const load = (rel: string) => loadCdbListFile(join(LISTS_DIR, rel));
  assert.equal(load('audit-keys').get('audit-wazuh-w'), 'write');
  assert.equal(load('audit-keys').get('audit-wazuh-c'), 'command');
  const aws = load('amazon/aws-eventnames');
  assert.equal(aws.get('AttachLoadBalancers'), 'Autoscaling');
  assert.match(aws.get('TEMPLATE') ?? '', /^# AWS Cloudtrail event names/);
  const ips = load('malicious-ioc/malicious-ip');
  assert.equal(ips.get('196.251.85.62'), '');
  assert.equal(ips.get('209.38.228.147'), '');
  assert.equal(ips.get('196.251.85.6'), undefined);
  const hashes = load('malicious-ioc/malware-hashes');
  assert.equal(hashes.get('2fe6a7ae63c878bd84d7b829349b309e7c84194ddbb6a779816f5b84cd8ad45d'), 'DarkComet');
  // Listed twice (SmokeLoader, then Gh0stRAT): the first record wins.
  assert.equal(hashes.get('3ba8a562f78af7776675f128f12777144fc3c73a471d8efb1950728179bb72d9'), 'SmokeLoader');
  // The last line has no newline.
  assert.equal(load('security-eventchannel').get('20189'), '');
  assert.ok(load('malicious-ioc/malicious-domains').has('instagram.archive.com.im'));
});

test('loadCdbListFile() reports a missing file with RIPOSTE_ERR_LIST_INVALID', () => {
  assert.throws(() => loadCdbListFile(join(LISTS_DIR, 'no-such-list')), { code: 'RIPOSTE_ERR_LIST_INVALID' });
});
