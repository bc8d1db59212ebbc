/**
 * Plugin decoders. JSON_Decoder maps flattened keys to static fields or dynamic fields; the other
 * four stock plugins live in `plugins/`.
 * @module
 */
import type { EventInfo, StaticField } from './event.ts';
import { decodeJsonPlugin } from './json-plugin.ts';
import type { Decoder } from './types.ts';

export { decodeOssecAlert } from './plugins/ossec-alert.ts';
export { decodePf } from './plugins/pf.ts';
export { decodeSonicWall } from './plugins/sonicwall.ts';
export { decodeSymantecWs } from './plugins/symantec-ws.ts';

const JSON_STATIC: ReadonlyMap<string, StaticField> = new Map<string, StaticField>([
  ['srcip', 'srcip'], ['dstip', 'dstip'], ['srcport', 'srcport'], ['dstport', 'dstport'],
  ['protocol', 'protocol'], ['action', 'action'], ['srcuser', 'srcuser'], ['dstuser', 'dstuser'],
  ['id', 'id'], ['status', 'status'], ['url', 'url'], ['data', 'data'], ['extra_data', 'extra_data'],
  ['systemname', 'system_name'],
]);

/** Run JSON_Decoder on `input`, filling `ev`. */
export function applyJsonPlugin(ev: EventInfo, input: string, dec: Decoder): void {
  const pairs = decodeJsonPlugin(input, { nullField: dec.jsonNullField, arrayStructure: dec.jsonArrayStructure });
  if (!pairs) return;
  for (const [key, value] of pairs) {
    const st = JSON_STATIC.get(key);
    if (st) ev[st] = value;
    else if (key === 'user') {
      if (!ev.dstuser) ev.dstuser = value;
      else ev.addDynamic(key, value);
    } else ev.addDynamic(key, value);
  }
}
