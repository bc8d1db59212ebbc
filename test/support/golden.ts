/**
 * Runs the golden corpora of `../shared/conformance/wazuh-golden/` through the engine and compares
 * every field of every line with the reference. Used by the conformance test and by
 * `scripts/golden-report.ts`.
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
  decoder: { parent?: string; name: string; accumulate?: number; ftscomment?: string } | null;
  predecoder: Record<string, string> | null;
  data: Record<string, unknown> | null;
  full_log?: string | null;
  t: number;
}

/** Fields of a golden record that are not results: `t` (the reference's processing clock) only. */
const NOT_COMPARED = new Set(['t']);

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

export interface FieldDisagreement {
  n: number;
  log: string;
  /** Dotted path of the first differing field (`rule.firedtimes`, `data.TTLs`, `decoder`). */
  field: string;
  want: string;
  got: string;
}

export interface CorpusResult {
  name: string;
  lines: number;
  /** Lines agreeing on (rule id, level, decoder name). */
  agree: number;
  disagreements: Array<{ n: number; log: string; want: string; got: string }>;
  /** Lines equal to the reference's on every field (values, types, nesting; key order aside). */
  exact: number;
  /** Lines where some field differs, with the first differing field. */
  fieldDisagreements: FieldDisagreement[];
}

/** JSON with object keys sorted, so mappings compare regardless of key order; types are kept. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? "(absent)";
}

/**
 * The first path where `want` and `got` differ (a missing key on either side counts), or null
 * when they are equal in value, type and nesting.
 */
export function firstDifference(want: unknown, got: unknown, path = ''): string | null {
  const wObj = want !== null && typeof want === 'object';
  const gObj = got !== null && typeof got === 'object';
  if (!wObj || !gObj || Array.isArray(want) !== Array.isArray(got)) {
    return canonical(want) === canonical(got) ? null : path || '.';
  }
  if (Array.isArray(want)) {
    const g = got as unknown[];
    if (want.length !== g.length) return path || '.';
    for (let i = 0; i < want.length; i++) {
      const d = firstDifference(want[i], g[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  const w = want as Record<string, unknown>;
  const g = got as Record<string, unknown>;
  const keys = new Set([...Object.keys(w), ...Object.keys(g)]);
  for (const k of [...keys].sort()) {
    const sub = path ? `${path}.${k}` : k;
    if (!(k in w) || !(k in g)) return sub;
    const d = firstDifference(w[k], g[k], sub);
    if (d !== null) return d;
  }
  return null;
}

/** The value at a path as `firstDifference` names it (`a.b[2].c`). */
export function valueAt(v: unknown, path: string): unknown {
  let cur = v;
  for (const part of path.split(/\.|(?=\[)/)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const m = /^\[(\d+)\]$/.exec(part);
    cur = m ? (cur as unknown[])[Number(m[1])] : (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function triple(r: { rule: { id: string; level: number } | null; decoder: { name: string } | null }): string {
  return `${r.rule?.id ?? '-'}/${r.rule?.level ?? '-'}/${r.decoder?.name ?? '-'}`;
}

function comparable(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (!NOT_COMPARED.has(k)) out[k] = v;
  return out;
}

/** Run one corpus in one session, on the reference's processing clock (`t`). */
export function runCorpus(ruleset: Ruleset, name: string): CorpusResult {
  const { lines, golden } = readGolden(name);
  let now = 1_700_000_000;
  const session = new AnalysisSession(ruleset, () => now);
  const res: CorpusResult = { name, lines: lines.length, agree: 0, disagreements: [], exact: 0, fieldDisagreements: [] };
  for (let i = 0; i < lines.length; i++) {
    const g = golden[i] as GoldenRecord;
    now = 1_700_000_000 + g.t;
    const loc = utf8ToBin(g.location);
    const rec = logtestRecord(i + 1, loc, session.process(loc, lines[i] as string));
    const want = triple(g);
    const got = triple(rec as unknown as GoldenRecord);
    if (want === got) res.agree++;
    else res.disagreements.push({ n: i + 1, log: g.log, want, got });
    const w = comparable(g as unknown as Record<string, unknown>);
    const r = comparable(rec);
    const field = firstDifference(w, r);
    if (field === null) res.exact++;
    else {
      res.fieldDisagreements.push({ n: i + 1, log: g.log, field, want: canonical(valueAt(w, field)), got: canonical(valueAt(r, field)) });
    }
  }
  return res;
}
