/**
 * The reference's built-in `<compiled_rule>` functions (analysisd's compiled rules registry).
 * Each returns whether the rule may continue matching.
 * @module
 */
import type { EventInfo } from '../decode/event.ts';

const CRAWLER_PREFIXES = ['66.249.', '72.14.', '209.85.', '65.55.', '207.46.', '74.6.', '72.30.', '67.195.'];

/** Field value up to the end of a "Name: value" run (tab or double space ends it). */
function sameAccount(log: string): boolean | null {
  const t = log.indexOf('Target Account Name');
  const c = log.indexOf('Caller User Name');
  if (t === -1 || c === -1) return null;
  let ti = log.indexOf(':', t);
  let ci = log.indexOf(':', c);
  if (ti === -1 || ci === -1) return null;
  ti++;
  ci++;
  while (ti < log.length) {
    if (log[ti] !== log[ci]) return false;
    if (log[ti] === '\t' || (log[ti] === ' ' && log[ti + 1] === ' ')) break;
    ti++;
    ci++;
  }
  return true;
}

export const COMPILED_RULES: ReadonlyMap<string, (ev: EventInfo) => boolean> = new Map<string, (ev: EventInfo) => boolean>([
  ['comp_srcuser_dstuser', (ev) => !ev.srcuser || !ev.dstuser || ev.srcuser === ev.dstuser],
  ['check_id_size', (ev) => ev.id !== null && ev.id.length >= 10],
  ['comp_mswin_targetuser_calleruser_diff', (ev) => sameAccount(ev.log) === false],
  ['is_simple_http_request', (ev) => ev.url !== null && (ev.url === '/' || ev.url.indexOf('?') === -1)],
  ['is_valid_crawler', (ev) => CRAWLER_PREFIXES.some((p) => ev.log.startsWith(p))],
]);
