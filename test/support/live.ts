/**
 * The live-pipeline reference (`../shared/conformance/wazuh-live/`): the `alerts.json` a real
 * wazuh-analysisd 4.14.7 wrote for each input of `../wazuh-golden/`, and a field-by-field
 * comparison of Riposte's alerts.json lines with it on every field but timestamp, id, agent.name
 * and manager.name. Used by the live-reference test and by
 * `scripts/golden-report.ts --live`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { utf8ToBin } from '../../src/bytes.ts';
import { alertJson } from '../../src/engine/alert-json.ts';
import { AnalysisSession, type Ruleset } from '../../src/engine/engine.ts';
import { canonical, firstDifference, GOLDEN_DIR, SHARED, valueAt } from './golden.ts';

export const LIVE_DIR = join(SHARED, 'conformance', 'wazuh-live');

/** The fields the reference README names as machine- or run-dependent. */
const RUN_DEPENDENT: ReadonlyArray<readonly string[]> = [['timestamp'], ['id'], ['agent', 'name'], ['manager', 'name']];

/** Every input that has a live reference, sorted (`auth_50k`, `f2b-*`, `devini-*`). */
export function liveCorpora(): string[] {
  return readdirSync(LIVE_DIR)
    .filter((f) => f.endsWith('.alerts.json') || f.endsWith('.alerts.json.gz'))
    .map((f) => f.replace(/\.alerts\.json(\.gz)?$/, ''))
    .sort();
}

/** The location the reference sent with each line of `name` (its README). */
export function liveLocation(name: string): string {
  if (name.startsWith('devini-')) return 'stdin';
  const manifest = JSON.parse(readFileSync(join(GOLDEN_DIR, 'manifest.json'), 'utf8')) as Array<{ log: string; location: string }>;
  const entry = manifest.find((m) => m.log === `${name}.log`);
  if (!entry) throw new Error(`No manifest entry for "${name}"`);
  return entry.location;
}

/** The input lines (byte strings) of `name`. */
export function liveInput(name: string): string[] {
  const raw = readFileSync(join(GOLDEN_DIR, `${name}.log`)).toString('latin1');
  return raw === '' ? [] : raw.replace(/\n$/, '').split('\n');
}

/** The reference's alerts for `name`, parsed, in file order. */
export function liveReference(name: string): Array<Record<string, unknown>> {
  let text: string;
  try {
    text = gunzipSync(readFileSync(join(LIVE_DIR, `${name}.alerts.json.gz`))).toString('utf8');
  } catch {
    text = readFileSync(join(LIVE_DIR, `${name}.alerts.json`), 'utf8');
  }
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * A copy without the run-dependent fields. `rule.mitre` is compared whole: the reference ran
 * without the ATT&CK database (its README), and Riposte, which has none either, writes the same
 * placeholders ("unknown", "<id> (name unavailable)").
 */
export function comparableAlert(a: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(a);
  for (const path of RUN_DEPENDENT) {
    let node: Record<string, unknown> | undefined = out;
    for (let i = 0; i < path.length - 1 && node; i++) node = node[path[i] as string] as Record<string, unknown> | undefined;
    if (node) delete node[path[path.length - 1] as string];
  }
  return out;
}

export interface LiveDifference {
  /** 1-based alert number in the file. */
  n: number;
  field: string;
  want: string;
  got: string;
}

export interface LiveResult {
  name: string;
  want: number;
  got: number;
  /** Alerts equal on every compared field, at the same position. */
  equal: number;
  differences: LiveDifference[];
}

/** The keys of every object, in order, nested: equal when two values print their keys alike. */
function keyOrder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(keyOrder);
  if (v !== null && typeof v === 'object') return Object.entries(v).map(([k, x]) => [k, keyOrder(x)]);
  return 0;
}

/**
 * Compare alert lists position by position; a missing or extra alert is a difference, and so is
 * a key order unlike the reference's (`(key order)`), which line-oriented consumers can see.
 */
export function compareAlerts(name: string, want: ReadonlyArray<Record<string, unknown>>, got: ReadonlyArray<Record<string, unknown>>): LiveResult {
  const res: LiveResult = { name, want: want.length, got: got.length, equal: 0, differences: [] };
  const n = Math.max(want.length, got.length);
  for (let i = 0; i < n; i++) {
    const w = want[i] ? comparableAlert(want[i] as Record<string, unknown>) : undefined;
    const g = got[i] ? comparableAlert(got[i] as Record<string, unknown>) : undefined;
    let field = w === undefined || g === undefined ? '(alert)' : firstDifference(w, g);
    if (field === null && JSON.stringify(keyOrder(w)) !== JSON.stringify(keyOrder(g))) field = '(key order)';
    if (field === null) {
      res.equal++;
      continue;
    }
    res.differences.push({
      n: i + 1,
      field,
      want: field === '(alert)' || field === '(key order)' ? JSON.stringify(w ?? null) : canonical(valueAt(w, field)),
      got: field === '(alert)' || field === '(key order)' ? JSON.stringify(g ?? null) : canonical(valueAt(g, field)),
    });
  }
  return res;
}

/**
 * The alerts.json objects the engine writes for `name` streamed as `riposte start` analyses it
 * (live `ignore` semantics, one session, a clock that stays inside every window as the
 * reference's did), without the daemon around it.
 */
export function liveAlertsInProcess(ruleset: Ruleset, name: string): Array<Record<string, unknown>> {
  const loc = utf8ToBin(liveLocation(name));
  const session = new AnalysisSession(ruleset, () => 1_700_000_000, { ignoreMode: 'live' });
  const out: Array<Record<string, unknown>> = [];
  let seq = 0;
  for (const line of liveInput(name)) {
    const p = session.process(loc, line);
    const a = alertJson(p, { agentName: 'riposte', managerName: 'riposte', id: `1700000000.${++seq}` }, 1_700_000_000_000);
    if (a) out.push(a);
  }
  return out;
}
