// Conformance: the `predecoder` object of every line of the Wazuh 4.14.7 golden set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { predecode } from './predecode.ts';
import { predecoderJson, type PredecoderJson } from './output.ts';

const GOLDEN_DIR = fileURLToPath(new URL('../../../shared/conformance/wazuh-golden/', import.meta.url));

interface GoldenRecord {
  n: number;
  location: string;
  predecoder: PredecoderJson | null;
  encoding?: string;
}

/** JSON strings are text; the engine works on bytes. */
function toBin(s: string | undefined, latin1: boolean): string | undefined {
  if (s === undefined || latin1) return s;
  return Buffer.from(s, 'utf8').toString('latin1');
}

function goldenFiles(): string[] {
  return readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.golden.jsonl') || f.endsWith('.golden.jsonl.gz')).sort();
}

test('predecode() matches the golden predecoder of every line', { skip: !existsSync(GOLDEN_DIR) && 'golden data not found' }, () => {
  let lines = 0;
  let files = 0;
  const diffs: string[] = [];
  for (const file of goldenFiles()) {
    const name = file.replace(/\.golden\.jsonl(\.gz)?$/, '');
    const raw = readFileSync(GOLDEN_DIR + file);
    const jsonl = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    const records = jsonl.split('\n').filter((l) => l.length > 0);
    const logText = readFileSync(`${GOLDEN_DIR}${name}.log`).toString('latin1');
    const logLines = logText.length === 0 ? [] : logText.replace(/\n$/, '').split('\n');
    assert.equal(records.length, logLines.length, `${name}: golden and log line counts differ`);
    files++;
    for (let i = 0; i < records.length; i++) {
      const rec = JSON.parse(records[i] as string) as GoldenRecord;
      const latin1 = rec.encoding === 'latin1';
      const got = predecoderJson(predecode(rec.location, logLines[i] as string));
      const exp = rec.predecoder;
      const e = {
        program_name: toBin(exp?.program_name, latin1),
        timestamp: toBin(exp?.timestamp, latin1),
        hostname: toBin(exp?.hostname, latin1),
      };
      const g = { program_name: got?.program_name, timestamp: got?.timestamp, hostname: got?.hostname };
      lines++;
      if ((exp === null) !== (got === null) || g.program_name !== e.program_name || g.timestamp !== e.timestamp || g.hostname !== e.hostname) {
        diffs.push(`${name}:${rec.n}: ${JSON.stringify(logLines[i]?.slice(0, 100))}\n  expected ${JSON.stringify(exp)}\n  got      ${JSON.stringify(got)}`);
      }
    }
  }
  assert.ok(files > 50, `expected the golden files, found ${files}`);
  assert.ok(lines >= 150000, `expected about 150k golden lines, compared ${lines}`);
  assert.equal(diffs.length, 0, `${diffs.length} of ${lines} lines differ:\n${diffs.slice(0, 20).join('\n')}`);
});
