/**
 * PF_Decoder: OpenBSD pf log lines (`rule 2/(match) pass in on xl0: 1.2.3.4.6667 > 5.6.7.8.80: …`).
 * Reads the whole `log` (the plugin ignores `plugin_offset`). Fields are set as they are found,
 * so a line that breaks off midway keeps what was set before the break.
 * @module
 */
import type { EventInfo } from '../event.ts';

const SP = 0x20;

/** Run PF_Decoder on `log`: sets action, srcip/srcport, dstip/dstport and protocol. */
export function decodePf(ev: EventInfo, log: string): void {
  // The action follows the first ')' (the one closing "(match)") and one space.
  let p = log.indexOf(')');
  if (p < 0 || log.charCodeAt(p + 1) !== SP) return;
  p += 2;
  const a = log.charCodeAt(p);
  if (a === 0x70 /* p */) ev.action = 'pass';
  else if (a === 0x62 /* b */) ev.action = 'block';
  else return;

  // The source address follows the next ": ".
  p = log.indexOf(':', p);
  if (p < 0 || log.charCodeAt(p + 1) !== SP) return;
  p += 2;
  const sp = log.indexOf(' ', p);
  if (sp < 0) return;
  const src = log.slice(p, sp);
  const srcDot = fourthDot(src);
  if (srcDot < 0) ev.srcip = src;
  else {
    ev.srcip = src.slice(0, srcDot);
    ev.srcport = src.slice(srcDot + 1);
  }

  p = sp + 1;
  if (log.charCodeAt(p) !== 0x3e /* > */ || log.charCodeAt(p + 1) !== SP) return;
  p += 2;
  const colon = log.indexOf(':', p);
  if (colon < 0) return;
  const dst = log.slice(p, colon);
  const dstDot = fourthDot(dst);
  if (dstDot < 0) ev.dstip = dst;
  else {
    ev.dstip = dst.slice(0, dstDot);
    ev.dstport = dst.slice(dstDot + 1);
  }

  // Protocol from the first non-space byte after the colon: only 'u' and 'i' are told apart.
  p = colon + 1;
  while (p < log.length && log.charCodeAt(p) === SP) p++;
  if (p >= log.length) return;
  const c = log.charCodeAt(p);
  ev.protocol = c === 0x75 /* u */ ? 'UDP' : c === 0x69 /* i */ ? 'ICMP' : 'TCP';
}

/** Offset of the fourth '.' (tcpdump appends the port as a fifth dotted part), or -1. */
function fourthDot(addr: string): number {
  let n = 0;
  for (let i = 0; i < addr.length; i++) {
    if (addr.charCodeAt(i) === 0x2e && ++n === 4) return i;
  }
  return -1;
}
