/**
 * Output shapes: the per-line logtest record (the golden files' shape) and the decoded `data`
 * object as Wazuh prints it.
 * @module
 */
import { binToUtf8 } from '../bytes.ts';
import type { EventInfo } from '../decode/event.ts';
import type { Processed } from './engine.ts';
import { predecoderJson } from '../predecode/output.ts';

/** Static fields in the order `to_json.c` adds them (alerts.json shows them in this order). */
const STATIC_OUT: ReadonlyArray<readonly [keyof EventInfo, string]> = [
  ['protocol', 'protocol'], ['action', 'action'], ['srcip', 'srcip'], ['srcport', 'srcport'], ['srcuser', 'srcuser'],
  ['dstip', 'dstip'], ['dstport', 'dstport'], ['dstuser', 'dstuser'], ['id', 'id'], ['status', 'status'], ['url', 'url'],
  ['data', 'data'], ['extra_data', 'extra_data'], ['system_name', 'system_name'],
];

/** A decoded value as printed: strings, except inside arrays, which keep their JSON types. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

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
      } else if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
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

/**
 * A value that reads as a JSON array is printed as that array (W_JSON_AddField parses it back),
 * so its members keep their types: numbers stay numbers, objects objects, arrays nest.
 */
function parseArray(text: string): JsonValue {
  try {
    const v = JSON.parse(text) as JsonValue;
    if (Array.isArray(v)) return v;
  } catch {
    // Not JSON: keep the text.
  }
  return text;
}

/** The `decoder` object of logtest and alert JSON (`to_json.c` order), or null when none matched. */
export function decoderObject(ev: EventInfo): Record<string, string | number> | null {
  const dec = ev.decoder;
  if (!dec) return null;
  const out: Record<string, string | number> = {};
  if (dec.accumulate) out['accumulate'] = 1;
  if (dec.parent !== null) out['parent'] = binToUtf8(dec.parent);
  out['name'] = binToUtf8(dec.name);
  if (dec.ftscomment !== null) out['ftscomment'] = binToUtf8(dec.ftscomment);
  return out;
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
    decoder: decoderObject(ev),
    predecoder: pre ? { ...(pre.program_name !== undefined ? { program_name: binToUtf8(pre.program_name) } : {}), ...(pre.timestamp !== undefined ? { timestamp: binToUtf8(pre.timestamp) } : {}), ...(pre.hostname !== undefined ? { hostname: binToUtf8(pre.hostname) } : {}) } : null,
    data: dataObject(ev),
    // The reference's record carries `full_log: null` when the rule hides it (`no_full_log`).
    ...(r?.options.has('no_full_log') ? { full_log: null } : {}),
  };
}
