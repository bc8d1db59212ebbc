import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox } from './_programs.ts';
import { ArLogAppender, formatArLogLine } from './ar-log.ts';

test('formatArLogLine() writes Wazuh\'s active-responses.log format in local time', () => {
  const d = new Date(2024, 0, 2, 3, 4, 5, 678);
  assert.equal(formatArLogLine(d, 'active-response/bin/firewall-drop', 'Starting'), '2024/01/02 03:04:05 active-response/bin/firewall-drop: Starting');
  assert.equal(formatArLogLine(new Date(2025, 11, 31, 23, 59, 59), 'p', '{"version":1}'), '2025/12/31 23:59:59 p: {"version":1}');
});

test('formatArLogLine() keeps one entry on one line', () => {
  const d = new Date(2024, 0, 2, 3, 4, 5);
  // The trailing newline of a JSON input line is dropped (Wazuh's only adds a blank line).
  assert.equal(formatArLogLine(d, 'p', '{"a":1}\n'), '2024/01/02 03:04:05 p: {"a":1}');
  // Inner line breaks cannot forge a second entry.
  const forged = formatArLogLine(d, 'p\nq', 'x\n2024/01/02 03:04:05 active-response/bin/firewall-drop: Ended\r\ny\rz');
  assert.equal(forged.includes('\n') || forged.includes('\r'), false);
  assert.equal(forged, '2024/01/02 03:04:05 p\\nq: x\\n2024/01/02 03:04:05 active-response/bin/firewall-drop: Ended\\r\\ny\\rz');
});

test('ArLogAppender appends lines in call order', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const file = join(sb.dir, 'active-responses.log');
  const log = new ArLogAppender(file);
  const d = new Date(2024, 0, 2, 3, 4, 5);
  await Promise.all(Array.from({ length: 50 }, (_, i) => log.append('active-response/bin/firewall-drop', `line ${i}`, d)));
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.equal(lines.pop(), '');
  assert.deepEqual(lines, Array.from({ length: 50 }, (_, i) => `2024/01/02 03:04:05 active-response/bin/firewall-drop: line ${i}`));
  // A failed write rejects that entry only.
  const bad = new ArLogAppender(join(sb.dir, 'missing', 'x.log'));
  await assert.rejects(bad.append('p', 'a', d));
  await assert.rejects(bad.append('p', 'b', d));
});
