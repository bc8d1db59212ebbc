/**
 * Rule evaluation (`OS_CheckIfRuleMatch`) and context search (`Search_Last*`), per session.
 * Pure: the clock is the event's own `time`.
 * @module
 */
import type { EventInfo } from '../decode/event.ts';
import { CorrelationMemory, type StoredEvent } from '../correlate/memory.ts';
import { ipListMatch } from './ip.ts';
import { inTimeRange } from './time.ts';
import { CONTEXT_FIELDS, type Expr, type IpExpr, type Rule, type RuleSet } from './types.ts';

/** Result of running the rules over one decoded event. */
export interface RuleOutcome {
  readonly rule: Rule | null;
  /** Counter of the fired rule in this session, after this event. */
  readonly firedtimes: number;
  /** Logged as an alert: level ≥ log_alert_level and not suppressed by `ignore`. */
  readonly alert: boolean;
  /** The rule fired inside its `ignore` window: no alert, nothing stored, no response. */
  readonly suppressed: boolean;
  readonly description: string;
  /**
   * `previous_output`: the full logs of the stored events the firing correlation rule counted,
   * newest first, joined with newlines (at most 11, as analysisd keeps); null when the rule is
   * not a correlation rule, or counted fewer than two.
   */
  readonly previousOutput: string | null;
}

/**
 * The first-time-seen keys of `<if_fts/>` rules (analysisd's fts store and `queue/fts/fts-queue`).
 * Injected so a daemon can keep them across restarts; a session keeps them in memory by default.
 */
export interface FtsStore {
  has(key: string): boolean;
  add(key: string): void;
}

const FTS_ID = 1;
const FTS_DSTUSER = 2;
const FTS_SRCUSER = 4;
const FTS_SRCIP = 8;
const FTS_DSTIP = 16;
const FTS_DATA = 32;
const FTS_SYSTEMNAME = 64;
const FTS_LOCATION = 128;
/** `<fts>` words that put a field in the key (decode-xml.c); `name` and dynamic fields do not. */
const FTS_FLAG: Readonly<Record<string, number>> = {
  id: FTS_ID, dstuser: FTS_DSTUSER, user: FTS_DSTUSER, srcuser: FTS_SRCUSER, srcip: FTS_SRCIP, dstip: FTS_DSTIP,
  data: FTS_DATA, extra_data: FTS_DATA, system_name: FTS_SYSTEMNAME, location: FTS_LOCATION,
};
/** The key is built in an OS_FLSIZE (256) buffer. */
const FTS_LINE_MAX = 255;
/** analysisd's internal options `fts_list_size` and `fts_min_size_for_str` (defaults). */
const FTS_LIST_SIZE = 32;
const FTS_MIN_SIZE_FOR_STR = 14;

/** `OS_StrHowClosedMatch`: how many leading bytes two strings share. */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Most `previous_output` entries analysisd keeps for one event (its `last_events` slots 0..10). */
const LAST_EVENTS_MAX = 11;

export interface SessionOptions {
  /** Minimum level written as an alert (`log_alert_level`, default 3). */
  readonly logAlertLevel?: number;
  readonly memorySize?: number;
  /** Local time offset source for `<time>`/`<weekday>` (minutes east of UTC); default: the host's. */
  readonly tzOffsetMin?: (epochSec: number) => number;
  /**
   * What a rule fired inside its `ignore` window yields: 'logtest' reports it suppressed (as
   * wazuh-logtest does, the golden data's semantics); 'live' alerts its parent rule instead, as
   * analysisd does in production.
   */
  readonly ignoreMode?: 'logtest' | 'live';
  /** Where first-time-seen keys live; default: in this session's memory. */
  readonly fts?: FtsStore;
}

const SRCIP_BIT = 1 << CONTEXT_FIELDS.indexOf('srcip');

function exprMatch(e: Expr, value: string): boolean {
  return e.pattern.test(value) !== e.negate;
}

function ipMatch(e: IpExpr, value: string): boolean {
  return ipListMatch(e, value) !== e.negate;
}

function contextValue(ev: EventInfo, bit: number): string | null {
  switch (CONTEXT_FIELDS[bit]) {
    case 'srcip': return ev.srcip;
    case 'id': return ev.id;
    case 'dstip': return ev.dstip;
    case 'srcport': return ev.srcport;
    case 'dstport': return ev.dstport;
    case 'srcuser': return ev.srcuser;
    case 'dstuser': return ev.dstuser;
    case 'protocol': return ev.protocol;
    case 'action': return ev.action;
    case 'url': return ev.url;
    case 'data': return ev.data;
    case 'extra_data': return ev.extra_data;
    case 'status': return ev.status;
    case 'system_name': return ev.system_name;
    case 'location': return ev.location;
    default: return null;
  }
}

function listFieldValue(ev: EventInfo, field: string, dynamic: boolean): string | null {
  if (dynamic) return ev.findDynamic(field);
  switch (field) {
    case 'user': return ev.srcuser ?? ev.dstuser;
    case 'program_name': return ev.programName;
    case 'hostname': return ev.hostname;
    case 'location': return ev.location;
    case 'srcip': case 'dstip': case 'srcport': case 'dstport': case 'protocol': case 'action': case 'srcuser':
    case 'dstuser': case 'id': case 'url': case 'data': case 'extra_data': case 'status': case 'system_name':
      return ev[field];
    default: return ev.findDynamic(field);
  }
}

/** One analysis session: rule counters and correlation memory (a logtest session). */
export class RuleSession {
  private readonly firedtimes: Int32Array;
  private readonly timeIgnored: Float64Array;
  private readonly memory: CorrelationMemory;
  private readonly diffs = new Map<number, string>();
  private readonly ftsSeen: FtsStore;
  /** The last fts keys of IDS decoders (analysisd's `fts_list`), oldest first. */
  private readonly ftsRecent: string[] = [];
  /** Events counted by the last successful context search, for `previous_output`. */
  private readonly lastEvents: StoredEvent[] = [];
  private lastEventsCount = 0;
  /** The event whose context search filled `lastEvents` (its outcome carries them). */
  private lastEventsOf: EventInfo | null = null;
  /** False once the clock went backwards (then context searches walk whole lists). */
  private monotonic = true;
  private lastTime = -Infinity;
  /** `prev_rule`: the parent through which each rule first fired. */
  private readonly prevRule: Array<Rule | undefined> = [];
  private readonly liveIgnore: boolean;
  private readonly logAlertLevel: number;
  private readonly tzOffsetMin: (epochSec: number) => number;

  private readonly rules: RuleSet;

  constructor(rules: RuleSet, opts: SessionOptions = {}) {
    this.rules = rules;
    this.firedtimes = new Int32Array(rules.count);
    this.timeIgnored = new Float64Array(rules.count);
    this.memory = new CorrelationMemory(opts.memorySize, rules.indexedLists);
    this.logAlertLevel = opts.logAlertLevel ?? 3;
    this.liveIgnore = opts.ignoreMode === 'live';
    this.ftsSeen = opts.fts ?? new Set<string>();
    this.tzOffsetMin = opts.tzOffsetMin ?? ((t) => -new Date(t * 1000).getTimezoneOffset());
  }

  /** Run the rule tree over `ev` (already decoded), update the session, report the outcome. */
  process(ev: EventInfo): RuleOutcome {
    if (ev.time < this.lastTime) this.monotonic = false;
    this.lastTime = ev.time;
    const type = ev.decoder?.type ?? 'syslog';
    for (const root of this.rules.roots) {
      if (root.category !== type) continue;
      this.lastEventsOf = null;
      let rule = this.check(ev, root);
      if (!rule) continue;
      const firedtimes = this.firedtimes[rule.index] as number;
      if (rule.level === 0) return { rule, firedtimes, alert: false, suppressed: false, description: substituteDescription(rule.description, ev), previousOutput: null };
      if (rule.ignoreTime) {
        const since = this.timeIgnored[rule.index] as number;
        if (since === 0) this.timeIgnored[rule.index] = ev.time;
        else if (ev.time - since < rule.ignoreTime) {
          const parent = this.prevRule[rule.index];
          if (!this.liveIgnore || !parent) {
            return { rule, firedtimes, alert: false, suppressed: true, description: substituteDescription(rule.description, ev), previousOutput: null };
          }
          // The parent alerts without the correlation's previous events (as analysisd writes it).
          this.lastEventsOf = null;
          rule = parent;
        } else this.timeIgnored[rule.index] = 0;
      }
      this.memory.add(ev, rule);
      const previousOutput = this.lastEventsOf === ev ? this.previousOutput() : null;
      return { rule, firedtimes, alert: rule.level >= this.logAlertLevel, suppressed: false, description: substituteDescription(rule.description, ev), previousOutput };
    }
    return { rule: null, firedtimes: 0, alert: false, suppressed: false, description: '', previousOutput: null };
  }

  /** analysisd prints `previous_output` only when at least two events were counted. */
  private previousOutput(): string | null {
    const n = this.lastEventsCount;
    if (n < 2 || (this.lastEvents[1] as StoredEvent).ev.fullLog === '') return null;
    let out = (this.lastEvents[0] as StoredEvent).ev.fullLog;
    for (let i = 1; i < n; i++) out += `\n${(this.lastEvents[i] as StoredEvent).ev.fullLog}`;
    return out;
  }

  private check(ev: EventInfo, rule: Rule): Rule | null {
    if (rule.decodedAs !== null && (ev.decoder === null || ev.decoder.name !== rule.decodedAs)) return null;
    if (rule.programName && (ev.programName === null || !exprMatch(rule.programName, ev.programName))) return null;
    if (rule.idExpr && (ev.id === null || !exprMatch(rule.idExpr, ev.id))) return null;
    if (rule.systemName && (ev.system_name === null || !exprMatch(rule.systemName, ev.system_name))) return null;
    if (rule.protocol && (ev.protocol === null || !exprMatch(rule.protocol, ev.protocol))) return null;
    if (rule.match && !exprMatch(rule.match, ev.log)) return null;
    if (rule.regex && !exprMatch(rule.regex, ev.log)) return null;
    if (rule.action && (ev.action === null || !exprMatch(rule.action, ev.action))) return null;
    if (rule.url && (ev.url === null || !exprMatch(rule.url, ev.url))) return null;
    if (rule.location && !exprMatch(rule.location, ev.location)) return null;
    for (const f of rule.fields) {
      const v = ev.findDynamic(f.name);
      if (v === null || !exprMatch(f.expr, v)) return null;
    }
    if (rule.srcip && (ev.srcip === null || !ipMatch(rule.srcip, ev.srcip))) return null;
    if (rule.dstip && (ev.dstip === null || !ipMatch(rule.dstip, ev.dstip))) return null;
    if (rule.srcport && (ev.srcport === null || !exprMatch(rule.srcport, ev.srcport))) return null;
    if (rule.dstport && (ev.dstport === null || !exprMatch(rule.dstport, ev.dstport))) return null;
    if (rule.compiledRule && !rule.compiledRule(ev)) return null;
    if (rule.user) {
      const u = ev.dstuser ?? ev.srcuser;
      if (u === null || !exprMatch(rule.user, u)) return null;
    }
    if (rule.srcgeoip || rule.dstgeoip) return null;
    if (rule.maxsize && ev.log.length < rule.maxsize) return null;
    if (rule.time || rule.weekdays !== null) {
      const local = ev.time + this.tzOffsetMin(ev.time) * 60;
      if (rule.time && !inTimeRange(rule.time, Math.floor((((local % 86400) + 86400) % 86400) / 60))) return null;
      if (rule.weekdays !== null) {
        const day = (Math.floor(local / 86400) + 4) % 7; // 1970-01-01 was a Thursday
        if (!(rule.weekdays & (1 << ((day + 7) % 7)))) return null;
      }
    }
    if (rule.data && (ev.data === null || !exprMatch(rule.data, ev.data))) return null;
    if (rule.extraData && (ev.extra_data === null || !exprMatch(rule.extraData, ev.extra_data))) return null;
    if (rule.hostname && (ev.hostname === null || !exprMatch(rule.hostname, ev.hostname))) return null;
    if (rule.status && (ev.status === null || !exprMatch(rule.status, ev.status))) return null;
    if (rule.checkDiff && !this.doDiff(rule, ev)) return null;
    if (rule.ifFts && !this.fts(ev)) return null;
    for (const l of rule.lists) {
      const v = listFieldValue(ev, l.field, l.dynamic);
      if (v === null || !l.test(v)) return null;
    }
    if (rule.context !== null && !rule.checkDiff && !this.searchContext(ev, rule)) return null;

    const children = rule.children.length > 4 ? childrenFor(rule, ev.decoder?.name ?? '') : rule.children;
    for (let i = 0; i < children.length; i++) {
      const r = this.check(ev, children[i] as Rule);
      if (r) {
        if (this.prevRule[r.index] === undefined) this.prevRule[r.index] = rule;
        return r;
      }
    }
    if (rule.noalert) return null;
    this.firedtimes[rule.index] = (this.firedtimes[rule.index] as number) + 1;
    return rule;
  }

  private doDiff(rule: Rule, ev: EventInfo): boolean {
    const prev = this.diffs.get(rule.index);
    this.diffs.set(rule.index, ev.log);
    return prev !== undefined && prev !== ev.log;
  }

  /**
   * `FTS()`: is this the first time the decoder's fts key is seen? The key is analysisd's: the
   * decoder name, then id, dstuser, srcuser, srcip, dstip, data, system_name and location (each
   * only when the decoder's `<fts>` names it, `user` meaning dstuser and `extra_data` meaning
   * data), space-joined and cut at OS_FLSIZE. For IDS decoders, a key close to more than two of
   * the last `fts_list_size` keys (sharing more than `fts_min_size_for_str` leading bytes) is
   * cut to that prefix first, so a flood of near-identical keys raises one first time, not many.
   */
  private fts(ev: EventInfo): boolean {
    const dec = ev.decoder;
    if (!dec?.fts) return false;
    let flags = 0;
    for (const f of dec.fts) flags |= FTS_FLAG[f] ?? 0;
    const part = (bit: number, v: string | null): string => (v !== null && flags & bit ? v : '');
    let key = `${dec.name} ${part(FTS_ID, ev.id)} ${part(FTS_DSTUSER, ev.dstuser)} ${part(FTS_SRCUSER, ev.srcuser)} ${part(FTS_SRCIP, ev.srcip)} ${part(FTS_DSTIP, ev.dstip)} ${part(FTS_DATA, ev.data)} ${part(FTS_SYSTEMNAME, ev.system_name)} ${flags & FTS_LOCATION ? ev.location : ''}`;
    if (key.length > FTS_LINE_MAX) key = key.slice(0, FTS_LINE_MAX);
    if (this.ftsSeen.has(key)) return false;
    if (dec.type === 'ids') {
      let close = 0;
      for (let i = this.ftsRecent.length - 1; i >= 0; i--) {
        if (commonPrefix(this.ftsRecent[i] as string, key) > FTS_MIN_SIZE_FOR_STR && ++close > 2) {
          key = key.slice(0, FTS_MIN_SIZE_FOR_STR);
          break;
        }
      }
      this.ftsRecent.push(key);
      if (this.ftsRecent.length > FTS_LIST_SIZE) this.ftsRecent.shift();
      if (this.ftsSeen.has(key)) return false;
    }
    this.ftsSeen.add(key);
    return true;
  }

  /** Search_LastSids / Search_LastGroups / Search_LastEvents. */
  private searchContext(my: EventInfo, rule: Rule): boolean {
    if (!canEverMatch(rule, my)) return false;
    const isEvents = rule.context === 'events';
    const list = isEvents ? this.memory.events : this.memory.list(rule.searchListOwner);
    if (!list) return false;
    const all = list.all;
    // Search_LastEvents starts one past the newest stored event (reference quirk).
    const skip = isEvents && all.length > 0 ? all.items[all.items.length - 1] : undefined;
    // With a non-decreasing clock, the walk's timeframe cut-off is a time bound, so a same-srcip
    // search may visit only that address's events and still decide exactly as the full walk.
    const bySrcip = list.indexed && (rule.sameFields & SRCIP_BIT) !== 0 && my.srcip !== null && this.monotonic;
    const queue = bySrcip ? list.withSrcip(my.srcip as string) : all;
    const items = queue.items;
    const head = queue.head;
    const now = my.time;
    let count = 0;
    let firstMatched: StoredEvent | null = null;
    for (let i = items.length - 1; i >= head; i--) {
      const s = items[i] as StoredEvent;
      if (s === skip) continue;
      const lf = s.ev;
      if (now - lf.time > rule.timeframe) return false;
      if (!rule.globalFrequency && lf.agentId !== my.agentId) continue;
      if (isEvents) {
        if ((lf.decoder?.type ?? 'syslog') !== (my.decoder?.type ?? 'syslog')) continue;
        if (rule.ifMatchedRegex && !rule.ifMatchedRegex.test(lf.log)) continue;
      }
      if (!sameAndDifferent(rule, lf, my)) continue;
      if (lf.matched >= rule.level) return false;
      if (count < LAST_EVENTS_MAX) this.lastEvents[count] = s;
      if (count < rule.frequency) {
        count++;
        if (!firstMatched) firstMatched = s;
        continue;
      }
      my.matched = rule.level;
      if (firstMatched) firstMatched.ev.matched = rule.level;
      this.lastEventsCount = Math.min(count + 1, LAST_EVENTS_MAX);
      this.lastEventsOf = my;
      return true;
    }
    return false;
  }
}

/** The children of `rule` whose `decoded_as` allows decoder `name`, in order (cached on the rule). */
function childrenFor(rule: Rule, name: string): readonly Rule[] {
  let m = rule.childrenByDecoder;
  if (!m) {
    m = new Map();
    rule.childrenByDecoder = m;
  }
  let l = m.get(name);
  if (!l) {
    l = rule.children.filter((c) => c.decodedAs === null || c.decodedAs === name);
    m.set(name, l);
  }
  return l;
}

/**
 * False when no stored event could pass `sameAndDifferent` because the current event lacks a field
 * the rule requires to be equal: the walk could then only end without firing, so it is skipped.
 */
function canEverMatch(rule: Rule, my: EventInfo): boolean {
  let same = rule.sameFields;
  for (let bit = 0; same !== 0; bit++, same >>>= 1) {
    if (same & 1 && contextValue(my, bit) === null) return false;
  }
  for (const name of rule.sameDynamic) if (my.findDynamic(name) === null) return false;
  return true;
}

function sameAndDifferent(rule: Rule, lf: EventInfo, my: EventInfo): boolean {
  let same = rule.sameFields;
  for (let bit = 0; same !== 0; bit++, same >>>= 1) {
    if (!(same & 1)) continue;
    const a = contextValue(lf, bit);
    const b = contextValue(my, bit);
    if (a === null || b === null || a !== b) return false;
  }
  let diff = rule.differentFields;
  for (let bit = 0; diff !== 0; bit++, diff >>>= 1) {
    if (!(diff & 1)) continue;
    const a = contextValue(lf, bit);
    const b = contextValue(my, bit);
    if (a !== null && b !== null && a === b) return false;
  }
  if (rule.sameDynamic.length > 0) {
    if (my.dynamicCount === 0 || lf.dynamicCount === 0) return false;
    for (const name of rule.sameDynamic) {
      const a = my.findDynamic(name);
      const b = a === null ? null : lf.findDynamic(name);
      if (a === null || b === null || a !== b) return false;
    }
  }
  if (rule.differentDynamic.length > 0) {
    if (my.dynamicCount === 0 && lf.dynamicCount === 0) return false;
    for (const name of rule.differentDynamic) {
      const a = my.findDynamic(name);
      if (a === null) continue;
      const b = lf.findDynamic(name);
      if (b !== null && a === b) return false;
    }
  }
  return true;
}

const DESCRIPTION_MAX = 1024;

/** `$(field)` substitution in a rule description (ParseRuleComment). */
export function substituteDescription(text: string, ev: EventInfo): string {
  if (text.indexOf('$(') === -1) return text;
  let out = '';
  let rest = text;
  for (;;) {
    const at = rest.indexOf('$(');
    if (at === -1) break;
    out += rest.slice(0, at);
    if (out.length >= DESCRIPTION_MAX) return text;
    const close = rest.indexOf(')', at + 2);
    if (close === -1) {
      rest = rest.slice(at);
      break;
    }
    const name = rest.slice(at + 2, close);
    let v: string | null;
    switch (name) {
      case 'dstuser': case 'srcuser': case 'srcip': case 'dstip': case 'srcport': case 'dstport': case 'protocol':
      case 'action': case 'id': case 'url': case 'data': case 'status': case 'extra_data': case 'system_name':
        v = ev[name];
        break;
      case 'program_name': v = ev.programName; break;
      case 'hostname': v = ev.hostname; break;
      default: v = ev.findDynamic(name);
    }
    if (v !== null) {
      out += v;
      if (out.length >= DESCRIPTION_MAX) return text;
    }
    rest = rest.slice(close + 1);
  }
  out += rest;
  return out.length >= DESCRIPTION_MAX ? text : out;
}
