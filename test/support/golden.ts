/**
 * Runs the golden corpora of `../shared/conformance/wazuh-golden/` through the engine and compares
 * every line with the reference. Used by the conformance test and by `scripts/golden-report.ts`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AnalysisSession, type Ruleset } from '../../src/engine/engine.ts';
import { logtestRecord } from '../../src/engine/output.ts';
import { utf8ToBin } from '../../src/bytes.ts';

export const SHARED = new URL('../../../shared/', import.meta.url).pathname;
export const GOLDEN_DIR = join(SHARED, 'conformance', 'wazuh-golden');
export const STOCK_RULESET = join(SHARED, 'wazuh-ruleset');

export interface GoldenRecord {
  n: number;
  location: string;
  log: string;
  alert: boolean;
  rule: { id: string; level: number; description: string; groups: string[]; firedtimes: number; frequency?: number; mitre_ids: string[] } | null;
  decoder: { parent?: string; name: string } | null;
  predecoder: Record<string, string> | null;
  data: Record<string, unknown> | null;
  t: number;
}

export function goldenCorpora(): string[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.log'))
    .map((f) => f.slice(0, -4))
    .sort();
}

export function readGolden(name: string): { lines: string[]; golden: GoldenRecord[] } {
  const raw = readFileSync(join(GOLDEN_DIR, `${name}.log`)).toString('latin1');
  const lines = raw === '' ? [] : raw.replace(/\n$/, '').split('\n');
  let gtext: string;
  try {
    gtext = gunzipSync(readFileSync(join(GOLDEN_DIR, `${name}.golden.jsonl.gz`))).toString('utf8');
  } catch {
    gtext = readFileSync(join(GOLDEN_DIR, `${name}.golden.jsonl`), 'utf8');
  }
  const golden = gtext.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as GoldenRecord);
  return { lines, golden };
}

export interface CorpusResult {
  name: string;
  lines: number;
  /** Lines agreeing on (rule id, level, decoder name). */
  agree: number;
  disagreements: Array<{ n: number; log: string; want: string; got: string }>;
  /** Lines whose decoded `data` (compared as a mapping) or `predecoder` differ. */
  dataDisagreements: Array<{ n: number; log: string; want: string; got: string }>;
}

/** JSON with object keys sorted, so mappings compare regardless of key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function triple(r: { rule: { id: string; level: number } | null; decoder: { name: string } | null }): string {
  return `${r.rule?.id ?? '-'}/${r.rule?.level ?? '-'}/${r.decoder?.name ?? '-'}`;
}

/** Run one corpus in one session, on the reference's processing clock (`t`). */
export function runCorpus(ruleset: Ruleset, name: string): CorpusResult {
  const { lines, golden } = readGolden(name);
  let now = 1_700_000_000;
  const session = new AnalysisSession(ruleset, () => now);
  const res: CorpusResult = { name, lines: lines.length, agree: 0, disagreements: [], dataDisagreements: [] };
  for (let i = 0; i < lines.length; i++) {
    const g = golden[i] as GoldenRecord;
    now = 1_700_000_000 + g.t;
    const loc = utf8ToBin(g.location);
    const rec = logtestRecord(i + 1, loc, session.process(loc, lines[i] as string)) as unknown as GoldenRecord;
    const want = triple(g);
    const got = triple(rec);
    if (want === got) res.agree++;
    else res.disagreements.push({ n: i + 1, log: g.log, want, got });
    const wantData = canonical([g.data, g.predecoder]);
    const gotData = canonical([rec.data, rec.predecoder]);
    if (wantData !== gotData) res.dataDisagreements.push({ n: i + 1, log: g.log, want: wantData, got: gotData });
  }
  return res;
}
