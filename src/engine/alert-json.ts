/**
 * Alerts in Wazuh's `alerts.json` shape (to_json.c / json_extended.c), so existing shippers and
 * dashboards read Riposte's alerts unchanged. MITRE tactic and technique names need Wazuh's
 * ATT&CK database, which Riposte does not ship: `rule.mitre` is written as analysisd writes it
 * when that database is unavailable (`tactic: ["unknown"]`, `technique: ["<id> (name
 * unavailable)"]`), so a mapping or playbook reading those arrays finds them, of the same type.
 * @module
 */
import { binToUtf8 } from '../bytes.ts';
import { predecoderJson } from '../predecode/output.ts';
import type { Rule } from '../rules/types.ts';
import type { Processed } from './engine.ts';
import { dataObject, decoderObject, ruleGroups } from './output.ts';

/** Group prefixes that move to their own arrays (json_extended.c), in the order it tries them. */
const COMPLIANCE: ReadonlyArray<readonly [string, string]> = [
  ['pci_dss_', 'pci_dss'], ['cis_', 'cis'], ['gdpr_', 'gdpr'], ['gpg13_', 'gpg13'], ['hipaa_', 'hipaa'],
  ['nist_800_53_', 'nist_800_53'], ['tsc_', 'tsc'],
];

/** analysisd's default `<email_alert_level>`: rules at or above it carry `mail: true`. */
export const DEFAULT_EMAIL_ALERT_LEVEL = 12;

export interface AlertIdentity {
  /** Name of the agent that produced the event (the manager's own name for agent 000). */
  readonly agentName: string;
  readonly managerName: string;
  /** Alert id: "<epoch>.<n>" (Wazuh uses the alerts.log offset as n). */
  readonly id: string;
  /** `<email_alert_level>`; default 12. */
  readonly emailAlertLevel?: number;
}

/** `%FT%T.mmm%z` in local time, as Wazuh writes `timestamp`. */
export function wazuhTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}${sign}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)}`;
}

/** The alert's `rule` object, in analysisd's field order. */
function ruleObject(r: Rule, description: string, firedtimes: number, emailAlertLevel = DEFAULT_EMAIL_ALERT_LEVEL): Record<string, unknown> {
  const groups = binToUtf8(r.groups);
  const rule: Record<string, unknown> = {};
  if (r.level !== 0) rule['level'] = r.level;
  rule['description'] = description;
  rule['id'] = String(r.id);
  if (r.mitre.length) {
    const ids = r.mitre.map(binToUtf8);
    rule['mitre'] = { id: ids, tactic: ['unknown'], technique: ids.map((id) => `${id} (name unavailable)`) };
  }
  if (r.cve.length) rule['cve'] = binToUtf8(r.cve.join(''));
  if (r.info.length) rule['info'] = binToUtf8(r.info.join(''));
  if (r.frequencyAttr !== null) rule['frequency'] = r.frequencyAttr;
  rule['firedtimes'] = firedtimes;
  rule['mail'] = r.options.has('alert_by_email') || (r.level >= emailAlertLevel && !r.options.has('no_email_alert'));
  rule['groups'] = ruleGroups(groups);
  // Each compliance array appears where its first group does.
  for (const g of groups.split(',')) {
    for (const [prefix, key] of COMPLIANCE) {
      if (!g.startsWith(prefix)) continue;
      const list = (rule[key] ??= []) as string[];
      list.push(g.slice(prefix.length));
      break;
    }
  }
  return rule;
}

/**
 * The alert object for one processed event, or null when it raised no alert or its rule says
 * `no_log` (the alert is not written; responses still run). Fields and their order follow
 * analysisd's alerts.json.
 */
export function alertJson(p: Processed, who: AlertIdentity, nowMs: number): Record<string, unknown> | null {
  const r = p.outcome.rule;
  if (!r || !p.outcome.alert || r.options.has('no_log')) return null;
  const ev = p.event;
  const rule = ruleObject(r, binToUtf8(p.outcome.description), p.outcome.firedtimes, who.emailAlertLevel);
  const out: Record<string, unknown> = {
    timestamp: wazuhTimestamp(nowMs),
    rule,
    agent: { id: ev.agentId, name: ev.agentName !== null ? binToUtf8(ev.agentName) : who.agentName },
    manager: { name: who.managerName },
    id: who.id,
  };
  if (p.outcome.previousOutput !== null) out['previous_output'] = binToUtf8(p.outcome.previousOutput);
  if (!r.options.has('no_full_log')) out['full_log'] = binToUtf8(ev.fullLog);
  const pre = predecoderJson(ev);
  if (pre) {
    out['predecoder'] = Object.fromEntries(Object.entries(pre).map(([k, v]) => [k, binToUtf8(v as string)]));
  }
  // An undecoded event still has decoder_info (analysisd's nameless NULL decoder): `{}`.
  out['decoder'] = decoderObject(ev) ?? {};
  const data = dataObject(ev);
  if (data) out['data'] = data;
  const loc = binToUtf8(ev.location);
  const arrow = loc.indexOf('->');
  out['location'] = arrow === -1 ? loc : loc.slice(arrow + 2);
  return out;
}

/**
 * The rule's part of an alert that does not change from one alert to the next, serialized once:
 * the fields before `firedtimes` and after it. Keyed by the rule and its (possibly dynamic)
 * description.
 */
interface RuleText {
  readonly description: string;
  readonly emailAlertLevel: number | undefined;
  readonly head: string;
  readonly tail: string;
}

const ruleTexts = new WeakMap<Rule, RuleText>();

function ruleText(r: Rule, description: string, emailAlertLevel: number | undefined): RuleText {
  const cached = ruleTexts.get(r);
  if (cached && cached.description === description && cached.emailAlertLevel === emailAlertLevel) return cached;
  // The same object as alertJson's, cut around firedtimes: `"firedtimes":0,` cannot occur inside
  // a string value, where the quotes are escaped.
  const whole = JSON.stringify(ruleObject(r, description, 0, emailAlertLevel));
  const at = whole.indexOf('"firedtimes":0,');
  const text = { description, emailAlertLevel, head: whole.slice(0, at + '"firedtimes":'.length), tail: whole.slice(at + '"firedtimes":0'.length) };
  ruleTexts.set(r, text);
  return text;
}

let lastStampMs = Number.NaN;
let lastStamp = '';

/**
 * One alerts.json line (without its newline): exactly `JSON.stringify(alertJson(p, who, nowMs))`,
 * built faster for the daemon's output path (the rule's constant part is serialized once per
 * rule, the timestamp once per millisecond).
 * @returns the line, or null when the event raised no alert
 * @example const line = alertLine(p, { agentName: 'srv1', managerName: 'srv1', id: '1700000000.1' }, Date.now());
 */
export function alertLine(p: Processed, who: AlertIdentity, nowMs: number): string | null {
  const r = p.outcome.rule;
  if (!r || !p.outcome.alert || r.options.has('no_log')) return null;
  const ev = p.event;
  const rt = ruleText(r, binToUtf8(p.outcome.description), who.emailAlertLevel);
  if (nowMs !== lastStampMs) {
    lastStamp = JSON.stringify(wazuhTimestamp(nowMs));
    lastStampMs = nowMs;
  }
  let out = `{"timestamp":${lastStamp},"rule":${rt.head}${p.outcome.firedtimes}${rt.tail},"agent":{"id":${quote(ev.agentId)},"name":${quote(ev.agentName !== null ? binToUtf8(ev.agentName) : who.agentName)}},"manager":{"name":${quote(who.managerName)}},"id":${quote(who.id)}`;
  if (p.outcome.previousOutput !== null) out += `,"previous_output":${quote(binToUtf8(p.outcome.previousOutput))}`;
  if (!r.options.has('no_full_log')) out += `,"full_log":${quote(binToUtf8(ev.fullLog))}`;
  const pre = predecoderJson(ev);
  if (pre) {
    let sep = '{';
    out += ',"predecoder":';
    for (const [k, v] of Object.entries(pre)) {
      out += `${sep}${quote(k)}:${quote(binToUtf8(v as string))}`;
      sep = ',';
    }
    out += '}';
  }
  out += `,"decoder":${JSON.stringify(decoderObject(ev) ?? {})}`;
  const data = dataObject(ev);
  if (data) out += `,"data":${JSON.stringify(data)}`;
  const loc = binToUtf8(ev.location);
  const arrow = loc.indexOf('->');
  return `${out},"location":${quote(arrow === -1 ? loc : loc.slice(arrow + 2))}}`;
}

/** Characters JSON.stringify writes as they are: no quote, backslash, control or non-ASCII. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `JSON.stringify(s)`, without its cost for the plain ASCII text most fields are. */
function quote(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}
