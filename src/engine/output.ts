/**
 * Output shapes: the per-line logtest record (the golden files' shape) and the decoded `data`
 * object as Wazuh prints it.
 * @module
 */
import { binToUtf8 } from '../bytes.ts';
import type { EventInfo } from '../decode/event.ts';
import type { Processed } from './engine.ts';
import { predecoderJson } from '../predecode/output.ts';

const STATIC_OUT: ReadonlyArray<readonly [keyof EventInfo, string]> = [
  ['srcip', 'srcip'], ['dstip', 'dstip'], ['srcport', 'srcport'], ['dstport', 'dstport'], ['protocol', 'protocol'],
  ['action', 'action'], ['srcuser', 'srcuser'], ['dstuser', 'dstuser'], ['id', 'id'], ['url', 'url'],
  ['data', 'data'], ['extra_data', 'extra_data'], ['status', 'status'], ['system_name', 'system_name'],
];

type JsonValue = string | JsonValue[] | { [k: string]: JsonValue };

/** The decoded fields as the `data` object of an alert: static first, then dynamic (dotted keys nest). */
export function dataObject(ev: EventInfo): Record<string, JsonValue> | null {
  const out: Record<string, JsonValue> = {};
  let any = false;
  for (const [prop, key] of STATIC_OUT) {
    const v = ev[prop] as string | null;
    if (v !== null) {
      out[key] = binToUtf8(v);
      any = true;
    }
  }
  for (let i = 0; i < ev.dynamicKeys.length; i++) {
    const key = ev.dynamicKeys[i] as string;
    const value = ev.dynamicValues[i] as string;
    if (value === '') continue;
    const parts = binToUtf8(key).split('.');
    let node: Record<string, JsonValue> = out;
    let ok = true;
    for (let p = 0; p < parts.length - 1; p++) {
      const part = parts[p] as string;
      const next = node[part];
      if (next === undefined) {
        const created: Record<string, JsonValue> = {};
        node[part] = created;
        node = created;
      } else if (typeof next === 'object' && !Array.isArray(next)) {
        node = next;
      } else {
        ok = false;
        break;
      }
    }
    const leaf = parts[parts.length - 1] as string;
    if (!ok || leaf in node) continue; // the first duplicate wins
    const text = binToUtf8(value);
    node[leaf] = text.startsWith('[') ? parseArray(text) : text;
    any = true;
  }
  return any ? out : null;
}

function parseArray(text: string): JsonValue {
  try {
    const v = JSON.parse(text) as unknown;
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  } catch {
    // Not JSON: keep the text.
  }
  return text;
}

/** Group string → alert groups, without the compliance prefixes that move to their own arrays. */
export function ruleGroups(groups: string): string[] {
  const out: string[] = [];
  for (const g of groups.split(',')) {
    if (g === '') continue;
    if (/^(pci_dss_|gdpr_|gpg13_|hipaa_|nist_800_53_|tsc_|cis_)/.test(g)) continue;
    out.push(g);
  }
  return out;
}

/** One logtest output record (the shape of `../shared/conformance/wazuh-golden/*.golden.jsonl`). */
export function logtestRecord(n: number, location: string, p: Processed): Record<string, unknown> {
  const ev = p.event;
  const r = p.outcome.rule;
  const dec = ev.decoder;
  const pre = predecoderJson(ev);
  return {
    n,
    location: binToUtf8(location),
    log: binToUtf8(ev.fullLog),
    alert: p.outcome.alert,
    rule: r
      ? {
          id: String(r.id),
          level: r.level,
          description: binToUtf8(p.outcome.description),
          groups: ruleGroups(binToUtf8(r.groups)),
          firedtimes: p.outcome.firedtimes,
          ...(r.frequencyAttr !== null ? { frequency: r.frequencyAttr } : {}),
          mitre_ids: r.mitre.map(binToUtf8),
        }
      : null,
    decoder: dec ? { ...(dec.accumulate ? { accumulate: 1 } : {}), ...(dec.parent !== null ? { parent: binToUtf8(dec.parent) } : {}), name: binToUtf8(dec.name) } : null,
    predecoder: pre ? { ...(pre.program_name !== undefined ? { program_name: binToUtf8(pre.program_name) } : {}), ...(pre.timestamp !== undefined ? { timestamp: binToUtf8(pre.timestamp) } : {}), ...(pre.hostname !== undefined ? { hostname: binToUtf8(pre.hostname) } : {}) } : null,
    data: dataObject(ev),
  };
}
