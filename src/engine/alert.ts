/**
 * From an analysed event to the alert the decide stage consumes (`AlertV1`).
 * @module
 */
import { binToUtf8 } from '../bytes.ts';
import type { AlertV1 } from '../decide/types.ts';
import type { Processed } from './engine.ts';

const STATIC_KEYS = ['srcip', 'dstip', 'srcport', 'dstport', 'protocol', 'action', 'srcuser', 'dstuser', 'id', 'url', 'data', 'extra_data', 'status', 'system_name'] as const;

/**
 * The alert of a processed event, or null when it raised none that can trigger a response
 * (no rule, level 0, or suppressed by `ignore`). `seq` numbers alerts within the run.
 */
export function toAlert(p: Processed, seq: number): AlertV1 | null {
  const rule = p.outcome.rule;
  if (!rule || rule.level === 0 || p.outcome.suppressed) return null;
  const ev = p.event;
  const data: Record<string, string> = {};
  for (const k of STATIC_KEYS) {
    const v = ev[k];
    if (v !== null) data[k] = binToUtf8(v);
  }
  const keys = ev.dynamicKeys;
  const values = ev.dynamicValues;
  for (let i = 0; i < keys.length; i++) {
    const k = binToUtf8(keys[i] as string);
    if (!(k in data)) data[k] = binToUtf8(values[i] as string);
  }
  return {
    id: `${ev.time}.${seq}`,
    time: ev.time,
    agentId: ev.agentId,
    rule: { id: rule.id, level: rule.level, groups: binToUtf8(rule.groups), noAr: rule.options.has('no_ar') },
    data,
    location: binToUtf8(ev.location),
    fullLog: binToUtf8(ev.fullLog),
  };
}
