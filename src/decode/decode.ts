/**
 * Runtime decoding (`DecodeEvent`): choose the parent and child decoder, then extract fields.
 * Pure: works on the event in place.
 * @module
 */
import type { EventInfo } from './event.ts';
import { applyJsonPlugin, decodeOssecAlert, decodePf, decodeSonicWall, decodeSymantecWs } from './plugins.ts';
import type { Decoder, DecoderNode, DecoderSet } from './types.ts';

const PN_CACHE_MAX = 4096;
const pnCaches = new WeakMap<DecoderSet, Map<string, readonly DecoderNode[]>>();

/**
 * The top-level decoders whose `program_name` matches `pn`, in order. The answer depends only on
 * the name, so it is cached per set (bounded, so hostile names cannot grow it without limit).
 */
function nodesForProgram(set: DecoderSet, pn: string): readonly DecoderNode[] {
  let cache = pnCaches.get(set);
  if (!cache) {
    cache = new Map();
    pnCaches.set(set, cache);
  }
  let nodes = cache.get(pn);
  if (nodes) return nodes;
  nodes = set.withProgramName.filter((n) => (n.decoder.programName as NonNullable<Decoder['programName']>).test(pn));
  if (cache.size >= PN_CACHE_MAX) cache.clear();
  cache.set(pn, nodes);
  return nodes;
}

/** Decode `ev` with `set`; sets `ev.decoder` and the decoded fields. */
export function decodeEvent(set: DecoderSet, ev: EventInfo): void {
  const log = ev.log;
  const nodes = ev.programName !== null ? nodesForProgram(set, ev.programName) : set.withoutProgramName;
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n] as DecoderNode;
    const top = node.decoder;
    let pmatch = 0;
    if (top.prematch) {
      const m = top.prematch.exec(log);
      if (!m) continue;
      pmatch = m.end < log.length ? m.end + 1 : m.end;
    }
    ev.decoder = top;
    runChildren(node, ev, pmatch);
    return;
  }
}

function runChildren(node: DecoderNode, ev: EventInfo, pmatch: number): void {
  const log = ev.log;
  const children = node.children;
  let idx = 0;
  let cmatch = pmatch;
  let chosen: Decoder | null = null;
  let list: readonly Decoder[];
  if (children.length === 0) {
    list = [node.decoder];
    chosen = node.decoder;
  } else {
    list = children;
    while (idx < children.length) {
      const child = children[idx] as Decoder;
      if (child.prematch) {
        const subject = child.prematchAfterParent ? log.slice(pmatch) : log;
        const m = child.prematch.exec(subject);
        if (m) {
          const base = child.prematchAfterParent ? pmatch : 0;
          cmatch = base + (m.end < subject.length ? m.end + 1 : m.end);
          ev.decoder = child;
          chosen = child;
          break;
        }
      } else {
        cmatch = pmatch;
        chosen = child;
        break;
      }
      // A failed chain head skips its whole chain.
      if (child.getNext) {
        do idx++;
        while (idx < children.length && (children[idx] as Decoder).getNext);
        if (idx >= children.length) return;
        idx++;
      } else {
        idx++;
      }
    }
  }
  if (!chosen) return;

  let regexPrev = -1;
  let cur: Decoder = chosen;
  for (;;) {
    if (cur.plugin) {
      applyPlugin(cur, ev, pmatch, cmatch);
    } else if (cur.regex) {
      let start: number;
      switch (cur.regexOffset) {
        case 'after_parent': start = pmatch; break;
        case 'after_prematch': start = cmatch; break;
        case 'after_regex': start = regexPrev < 0 ? cmatch : regexPrev; break;
        default: start = 0;
      }
      const subject = start === 0 ? log : log.slice(start);
      const m = cur.regex.exec(subject);
      if (!m) {
        if (cur.getNext && idx + 1 < list.length) {
          cur = list[++idx] as Decoder;
          continue;
        }
        return;
      }
      regexPrev = start + (m.end < subject.length ? m.end + 1 : m.end);
      const caps = m.captures;
      const orderStatic = cur.orderStatic;
      const orderNames = cur.orderNames;
      for (let i = 0; i < caps.length; i++) {
        if (i >= orderNames.length) break;
        const st = orderStatic[i];
        const value = caps[i] as string;
        if (st) ev[st] = value;
        else ev.addDynamic(orderNames[i] as string, value);
      }
    } else {
      return;
    }
    if (cur.getNext && idx + 1 < list.length) {
      cur = list[++idx] as Decoder;
    } else {
      return;
    }
  }
}

function applyPlugin(dec: Decoder, ev: EventInfo, pmatch: number, cmatch: number): void {
  switch (dec.plugin) {
    case 'JSON_Decoder': {
      // The reference reads the offset of `decoder_info`, which may be the parent.
      const info = ev.decoder ?? dec;
      let input = ev.log;
      if (info.pluginOffset === 'after_parent') input = ev.log.slice(pmatch);
      else if (info.pluginOffset === 'after_prematch') input = ev.log.slice(cmatch);
      applyJsonPlugin(ev, input, dec);
      return;
    }
    // The other plugins ignore plugin_offset and read the whole log. Their per-event decoder type
    // (SonicWall) and generated rule (OSSECAlert, checked against no rule table here) are not kept.
    case 'PF_Decoder': decodePf(ev, ev.log); return;
    case 'SonicWall_Decoder': decodeSonicWall(ev, ev.log); return;
    case 'SymantecWS_Decoder': decodeSymantecWs(ev, ev.log); return;
    case 'OSSECAlert_Decoder': decodeOssecAlert(ev, ev.log, null); return;
    default: return;
  }
}
