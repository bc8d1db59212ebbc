/**
 * SonicWall_Decoder: SonicWall `key=value` firewall logs (`… pri=6 c=262144 m=98 msg="…" n=1
 * src=2.2.2.2:36701:WAN dst=1.1.1.1:50000:WAN proto=tcp/50000`). Reads the whole `log` (the
 * plugin ignores `plugin_offset`). Fields are set step by step, so a line that stops matching
 * midway keeps what was set before.
 * @module
 */
import { compilePattern } from '../../regex/index.ts';
import type { EventInfo } from '../event.ts';
import type { DecoderType } from '../types.ts';

// The plugin's three OS_Regex patterns, compiled with substrings as the reference does.
const PRI_CAT_ID = compilePattern('osregex', 'pri=(\\d) c=(\\d+) m=(\\d+) ', { captures: true });
const SRC_DST = compilePattern('osregex', 'src=(\\d+.\\d+.\\d+.\\d+):(\\d+):\\S+ dst=(\\d+.\\d+.\\d+.\\d+):(\\d+):', { captures: true });
const PROXY = compilePattern('osregex', 'result=(\\d+) dstname=(\\S+) arg=(\\S+)$', { captures: true });

const PROTO_MAX = 6;

/**
 * Run SonicWall_Decoder on `log`: status (priority), id (message id), srcip/srcport, dstip/dstport,
 * protocol, then action or (proxy messages, id 97) the HTTP result code as id and the url.
 * Returns the decoder type the reference gives the event: it rewrites the decoder's `type` per
 * event (syslog by default, ids for category 32, firewall for connection events, squid for proxy
 * messages).
 */
export function decodeSonicWall(ev: EventInfo, log: string): DecoderType {
  const head = PRI_CAT_ID.exec(log);
  if (!head || head.captures.length < 3) return 'syslog';
  const caps = head.captures;
  ev.status = caps[0] as string;
  const id = caps[2] as string;
  ev.id = id;
  // The category is kept in an 8-byte buffer; only its comparison with "32" matters.
  const category = caps[1] as string;

  // The rest of the work continues where the reference matcher left its pointer.
  const rest = log.slice(head.end);
  const addr = SRC_DST.exec(rest);
  if (!addr || addr.captures.length < 4) return 'syslog';
  ev.srcip = addr.captures[0] as string;
  ev.srcport = addr.captures[1] as string;
  ev.dstip = addr.captures[2] as string;
  ev.dstport = addr.captures[3] as string;

  // `proto=` must start right after the next space; -1 mirrors the C's NULL cursor.
  let pos = rest.indexOf(' ', addr.end);
  if (pos >= 0) {
    pos++;
    if (rest.startsWith('proto=', pos)) {
      pos += 6;
      const start = pos;
      // isValidChar() is tested for truth here, and hostname_map is non-zero for every byte but
      // 0x00 and 0x01: so spaces are copied too ("proto=icmp note=…" gives "icmp n").
      while (pos < rest.length && pos - start < PROTO_MAX) {
        const c = rest.charCodeAt(pos);
        if (c <= 0x01 || c === 0x2f /* / */) break;
        pos++;
      }
      ev.protocol = rest.slice(start, pos);
    }
  }

  if (category === '32') return 'ids';
  switch (id) {
    case '98': case '597': case '598':
      ev.action = 'pass';
      return 'firewall';
    case '38': case '36': case '173': case '174': case '37':
      ev.action = 'drop';
      return 'firewall';
    case '537':
      ev.action = 'close';
      return 'firewall';
    case '97': {
      if (pos < 0) return 'squid';
      const proxy = PROXY.exec(rest.slice(pos));
      if (!proxy || proxy.captures.length < 1) return 'squid';
      ev.id = proxy.captures[0] as string;
      if (proxy.captures.length >= 3) ev.url = (proxy.captures[1] as string) + (proxy.captures[2] as string);
      return 'squid';
    }
    default:
      return 'syslog';
  }
}
