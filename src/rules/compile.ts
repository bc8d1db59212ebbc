/**
 * Load-time compilation of `<group><rule>` elements and construction of the rule tree, with the
 * reference's quirks (sibling order by level, N−2 frequency, first definition wins, overwrite in
 * place). Errors are collected so one load reports them all.
 * @module
 */
import { DECODER_TYPES, type DecoderType } from '../decode/types.ts';
import { RiposteError } from '../errors.ts';
import { compileOsMatch } from '../regex/os-match.ts';
import { compilePattern, parsePatternKind } from '../regex/index.ts';
import type { CompiledPattern, PatternKind } from '../regex/types.ts';
import { attr, type XmlNode } from '../xml/types.ts';
import { compileListCheck, parseListLookup, type CdbList, type ListLookup } from '../lists/index.ts';
import { COMPILED_RULES } from './compiled-rules.ts';
import { parseIpNet } from './ip.ts';
import { parseTimeRange, parseWeekdays } from './time.ts';
import { CONTEXT_FIELDS, type ContextField, type Expr, type IpExpr, type ListCheck, type Rule, type RuleSet, type RuleWarning } from './types.ts';

const STATIC_RULE_FIELDS = new Set(['srcip', 'dstip', 'srcport', 'dstport', 'protocol', 'action', 'srcuser', 'dstuser', 'user', 'id', 'url', 'data', 'extra_data', 'status', 'system_name', 'location', 'hostname', 'program_name']);
const OPTIONS = new Set(['alert_by_email', 'no_email_alert', 'log_alert', 'no_log', 'no_ar', 'no_full_log', 'no_counter']);

/** `same_*`/`different_*` element names → context field. */
const CONTEXT_ALIASES: ReadonlyMap<string, ContextField> = (() => {
  const m = new Map<string, ContextField>();
  const add = (field: ContextField, ...names: string[]): void => {
    for (const n of names) m.set(n, field);
  };
  add('srcip', 'srcip', 'source_ip', 'src_ip');
  add('dstip', 'dstip', 'dst_ip', 'destination_ip');
  add('srcport', 'srcport', 'src_port', 'source_port');
  add('dstport', 'dstport', 'dst_port', 'destination_port');
  add('id', 'id');
  add('srcuser', 'srcuser');
  add('dstuser', 'user', 'dstuser');
  add('protocol', 'protocol');
  add('action', 'action');
  add('url', 'url');
  add('data', 'data');
  add('extra_data', 'extra_data');
  add('status', 'status');
  add('system_name', 'system_name', 'systemname');
  add('srcgeoip', 'srcgeoip');
  add('dstgeoip', 'dstgeoip');
  add('location', 'location');
  return m;
})();

/** Lists a ruleset makes available to `<list>`: the configured path string → parsed list. */
export type ListRegistry = ReadonlyMap<string, CdbList>;

interface PendingRule {
  rule: Rule;
  overwrite: boolean;
}

/** Mutable builder: feed rule files in load order, then `finish()`. */
export class RuleSetBuilder {
  private readonly roots: Rule[] = [];
  private readonly byId = new Map<number, Rule>();
  /** Every placed rule, in load order (for if_level / if_group / if_matched_group scans). */
  private readonly placed: Rule[] = [];
  private nextIndex = 0;
  /** How many nodes of the reference's rule tree each rule has (one per path from a root). */
  private readonly occurrences = new Map<Rule, number>();
  readonly errors: RiposteError[] = [];
  readonly warnings: RuleWarning[] = [];

  private readonly lists: ListRegistry;
  private readonly decoderNames: ReadonlySet<string>;

  constructor(lists: ListRegistry, decoderNames: ReadonlySet<string>) {
    this.lists = lists;
    this.decoderNames = decoderNames;
  }

  addFile(nodes: readonly XmlNode[], file: string): void {
    for (const group of nodes) {
      if (group.name !== 'group') {
        this.errors.push(new RiposteError('RIPOSTE_ERR_RULE_INVALID', `Invalid root element <${group.name}> (expected <group>)`, { file, line: group.line, element: group.name }));
        continue;
      }
      const groupName = attr(group, 'name') ?? '';
      for (const el of group.children) {
        if (el.name !== 'rule') {
          this.errors.push(new RiposteError('RIPOSTE_ERR_RULE_INVALID', `Invalid element <${el.name}> in <group> (expected <rule>)`, { file, line: el.line, element: el.name }));
          continue;
        }
        try {
          const pending = this.compile(el, groupName, file);
          if (pending) this.place(pending, file);
        } catch (err) {
          this.errors.push(err instanceof RiposteError ? err : new RiposteError('RIPOSTE_ERR_RULE_INVALID', String(err), { file, line: el.line, element: 'rule' }));
        }
      }
    }
  }

  finish(): RuleSet {
    const srcipBit = 1 << CONTEXT_FIELDS.indexOf('srcip');
    const indexedLists = new Set<number>();
    for (const r of this.placed) {
      if (r.context !== null && (r.sameFields & srcipBit) !== 0) indexedLists.add(r.context === 'events' ? -1 : r.searchListOwner);
    }
    return { roots: this.roots, byId: this.byId, count: this.nextIndex, warnings: this.warnings, indexedLists };
  }

  private warn(file: string, line: number, msg: string): void {
    this.warnings.push({ file, line, message: msg });
  }

  private compile(node: XmlNode, groupName: string, file: string): PendingRule | null {
    const fail = (msg: string, el: XmlNode = node): never => {
      throw new RiposteError('RIPOSTE_ERR_RULE_INVALID', msg, { file, line: el.line, element: el.name });
    };
    const idText = attr(node, 'id');
    if (idText === undefined || !/^\d{1,6}$/.test(idText)) fail(`Invalid or missing rule id "${idText ?? ''}"`);
    const id = Number(idText);
    const levelText = attr(node, 'level');
    if (levelText === undefined || !/^\d+$/.test(levelText) || Number(levelText) > 16) fail(`Rule ${id}: invalid or missing level "${levelText ?? ''}"`);
    const level = Number(levelText);
    let frequency = 0;
    let frequencyAttr: number | null = null;
    const freqText = attr(node, 'frequency');
    if (freqText !== undefined) {
      const f = Number(freqText);
      if (!/^\d+$/.test(freqText) || f < 2 || f > 9999) fail(`Rule ${id}: invalid frequency "${freqText}"`);
      frequencyAttr = f;
      frequency = f - 2;
    }
    const tfText = attr(node, 'timeframe');
    let timeframe = 360;
    if (tfText !== undefined) {
      if (!/^\d+$/.test(tfText)) fail(`Rule ${id}: invalid timeframe "${tfText}"`);
      timeframe = Number(tfText);
    }
    const ignoreText = attr(node, 'ignore');
    const ignoreTime = ignoreText !== undefined && /^\d+$/.test(ignoreText) ? Number(ignoreText) : 0;
    const maxsizeText = attr(node, 'maxsize');
    const maxsize = maxsizeText !== undefined && /^\d+$/.test(maxsizeText) ? Number(maxsizeText) : 0;
    const noalertText = attr(node, 'noalert');
    const noalert = noalertText !== undefined && noalertText === '1';
    const overwriteText = attr(node, 'overwrite');
    if (overwriteText !== undefined && overwriteText !== 'yes' && overwriteText !== 'no') fail(`Rule ${id}: invalid overwrite "${overwriteText}"`);
    const overwrite = overwriteText === 'yes';
    const accuracyZero = attr(node, 'accuracy') === '0';

    // Text accumulators for repeated elements (concatenated with no separator).
    const texts = new Map<string, { text: string; el: XmlNode; kind: PatternKind | 'string' | null; negate: boolean }>();
    const acc = (key: string, el: XmlNode, dflt: PatternKind | 'string'): void => {
      const prev = texts.get(key);
      const t = attr(el, 'type');
      let kind: PatternKind | 'string' | null = prev?.kind ?? null;
      if (t !== undefined) {
        const k = parsePatternKind(t);
        if (!k) fail(`Rule ${id}: invalid type "${t}"`, el);
        kind = k as PatternKind;
      }
      const neg = attr(el, 'negate');
      if (neg !== undefined && neg !== 'yes' && neg !== 'no') fail(`Rule ${id}: invalid negate "${neg}"`, el);
      const negate = neg !== undefined ? neg === 'yes' : (prev?.negate ?? false);
      texts.set(key, { text: (prev?.text ?? '') + el.text, el: prev?.el ?? el, kind: kind ?? (prev?.kind ?? null), negate });
      void dflt;
    };
    let description = '';
    let groups = groupName;
    let category: DecoderType | null = null;
    let decodedAs: string | null = null;
    const ifSid: number[] = [];
    let ifSidText: string | null = null;
    let ifGroup: string | null = null;
    let ifLevel: number | null = null;
    let ifMatchedSid: number | null = null;
    let ifMatchedGroup: string | null = null;
    let ifMatchedRegexText: string | null = null;
    let sameFields = 0;
    let differentFields = 0;
    const sameDynamic: string[] = [];
    const differentDynamic: string[] = [];
    let globalFrequency = false;
    let checkDiff = false;
    let ifFts = false;
    let compiledRule: Rule['compiledRule'] = null;
    const options = new Set<string>();
    const mitre: string[] = [];
    const info: string[] = [];
    const cve: string[] = [];
    const fields: Array<{ name: string; text: string; el: XmlNode; kind: PatternKind; negate: boolean }> = [];
    const listEls: XmlNode[] = [];
    const srcipEls: XmlNode[] = [];
    const dstipEls: XmlNode[] = [];
    let timeEl: XmlNode | null = null;
    let weekdayEl: XmlNode | null = null;
    let hasContextOpt = false;

    for (const el of node.children) {
      const n = el.name;
      switch (n) {
        case 'description': description += el.text; break;
        case 'group': groups += el.text; break;
        case 'match': acc('match', el, 'osmatch'); break;
        case 'regex': acc('regex', el, 'osregex'); break;
        case 'program_name': case 'hostname': case 'id': case 'url': case 'status': case 'data': case 'extra_data':
        case 'location': case 'user': case 'srcport': case 'dstport': case 'protocol': case 'system_name':
        case 'srcgeoip': case 'dstgeoip': case 'action':
          acc(n, el, 'osmatch');
          break;
        case 'srcip': srcipEls.push(el); break;
        case 'dstip': dstipEls.push(el); break;
        case 'field': {
          const name = attr(el, 'name');
          if (!name) fail(`Rule ${id}: <field> without a "name" attribute`, el);
          if (STATIC_RULE_FIELDS.has(name as string)) fail(`Rule ${id}: <field name="${name}"> names a static field; use <${name}>`, el);
          const t = attr(el, 'type');
          const kind = t === undefined ? 'osregex' : parsePatternKind(t);
          if (!kind) fail(`Rule ${id}: invalid type "${t}"`, el);
          const neg = attr(el, 'negate');
          fields.push({ name: name as string, text: el.text, el, kind: kind as PatternKind, negate: neg === 'yes' });
          break;
        }
        case 'decoded_as': decodedAs = el.text; break;
        case 'category': {
          if (!(DECODER_TYPES as readonly string[]).includes(el.text)) fail(`Rule ${id}: invalid category "${el.text}"`, el);
          category = el.text as DecoderType;
          break;
        }
        case 'if_sid': ifSidText = el.text; break;
        case 'if_group': ifGroup = el.text; break;
        case 'if_level': {
          if (!/^\d+$/.test(el.text.trim())) fail(`Rule ${id}: invalid if_level "${el.text}"`, el);
          ifLevel = Number(el.text.trim());
          break;
        }
        case 'if_matched_sid': {
          if (!/^\s*\d+\s*$/.test(el.text)) fail(`Rule ${id}: invalid if_matched_sid "${el.text}"`, el);
          ifMatchedSid = Number(el.text.trim());
          break;
        }
        case 'if_matched_group': ifMatchedGroup = el.text; break;
        case 'if_matched_regex': ifMatchedRegexText = (ifMatchedRegexText ?? '') + el.text; break;
        case 'same_field':
          sameDynamic.push(el.text);
          hasContextOpt = true;
          break;
        case 'different_field': case 'not_same_field':
          differentDynamic.push(el.text);
          hasContextOpt = true;
          break;
        case 'global_frequency': globalFrequency = true; break;
        case 'check_diff': checkDiff = true; break;
        case 'check_if_ignored': case 'ignore': break;
        case 'if_fts': ifFts = true; break;
        case 'compiled_rule': {
          const fn = COMPILED_RULES.get(el.text);
          if (!fn) fail(`Rule ${id}: unknown compiled rule "${el.text}"`, el);
          compiledRule = fn ?? null;
          break;
        }
        case 'list': listEls.push(el); break;
        case 'time': timeEl = el; break;
        case 'weekday': weekdayEl = el; break;
        case 'options': {
          if (!OPTIONS.has(el.text)) fail(`Rule ${id}: invalid option "${el.text}"`, el);
          options.add(el.text);
          break;
        }
        case 'mitre':
          for (const m of el.children) {
            if (m.name === 'id') mitre.push(m.text);
            else if (m.name === 'tactic' || m.name === 'technique' || m.name === 'tacticID' || m.name === 'techniqueID') {
              if (m.name === 'techniqueID') mitre.push(m.text);
            } else fail(`Rule ${id}: invalid element <${m.name}> in <mitre>`, m);
          }
          break;
        case 'info': info.push(el.text); break;
        case 'cve': cve.push(el.text); break;
        case 'var': break;
        default: {
          const ctx = /^(same|different|not_same)_(.+)$/.exec(n);
          const field = ctx ? CONTEXT_ALIASES.get(ctx[2] as string) : undefined;
          if (ctx && field) {
            const bit = 1 << CONTEXT_FIELDS.indexOf(field);
            if (ctx[1] === 'same') sameFields |= bit;
            else differentFields |= bit;
            hasContextOpt = true;
            break;
          }
          fail(`Rule ${id}: invalid element <${n}>`, el);
        }
      }
    }

    if (ifSidText !== null) {
      if (!/^[\d, ]+$/.test(ifSidText)) {
        this.warn(file, node.line, `Rule ${id}: invalid if_sid "${ifSidText}"; rule skipped`);
        return null;
      }
      for (const s of ifSidText.split(/[, ]+/)) if (s !== '') ifSid.push(Number(s));
    }
    if (ifMatchedSid !== null && ifSid.length === 0 && ifGroup === null) ifSid.push(ifMatchedSid);
    if (ifMatchedGroup !== null && ifSid.length === 0 && ifGroup === null) ifGroup = ifMatchedGroup;
    const context: Rule['context'] = ifMatchedSid !== null ? 'sid' : ifMatchedGroup !== null ? 'group' : ifMatchedRegexText !== null ? 'events' : null;
    if (!context && (frequencyAttr !== null || hasContextOpt)) {
      fail(`Rule ${id}: frequency, same_* and different_* options need if_matched_sid, if_matched_group or if_matched_regex`);
    }
    if (decodedAs !== null && !this.decoderNames.has(decodedAs)) {
      this.warn(file, node.line, `Rule ${id}: unknown decoder "${decodedAs}" in <decoded_as>`);
    }

    const expr = (key: string, dflt: PatternKind | 'string'): Expr | null => {
      const t = texts.get(key);
      if (!t) return null;
      const kind = t.kind ?? dflt;
      return { pattern: compileAt(kind, t.text, file, t.el), negate: t.negate };
    };
    const ipExpr = (els: XmlNode[]): IpExpr | null => {
      if (els.length === 0) return null;
      const nets = [];
      let negate = false;
      for (const el of els) {
        if (attr(el, 'negate') === 'yes') negate = true;
        for (const part of el.text.split(',')) {
          const net = parseIpNet(part);
          if (!net) fail(`Rule ${id}: invalid IP address "${part.trim()}"`, el);
          else nets.push(net);
        }
      }
      return { nets, negate };
    };

    const listChecks: ListCheck[] = [];
    for (const el of listEls) {
      const lookupText = attr(el, 'lookup') ?? 'match_key';
      const lookup: ListLookup | undefined = parseListLookup(lookupText);
      if (!lookup) return fail(`Rule ${id}: invalid list lookup "${lookupText}"`, el);
      const field = attr(el, 'field');
      if (!field) fail(`Rule ${id}: <list> without a "field" attribute`, el);
      const list = this.lists.get(el.text);
      if (!list) {
        this.warn(file, el.line, `Rule ${id}: list "${el.text}" is not configured; rule skipped`);
        return null;
      }
      const cv = attr(el, 'check_value');
      let test: (v: string) => boolean;
      try {
        test = compileListCheck(list, lookup, cv !== undefined ? compileAt('osmatch', cv, file, el) : null);
      } catch (err) {
        return fail(`Rule ${id}: ${err instanceof Error ? err.message : String(err)}`, el);
      }
      const f = field as string;
      listChecks.push({ field: f, dynamic: !STATIC_RULE_FIELDS.has(f), test });
    }

    const rule: Rule = {
      id,
      index: -1,
      level,
      description,
      groups,
      category: category ?? 'syslog',
      frequency,
      frequencyAttr,
      timeframe,
      ignoreTime,
      maxsize,
      noalert,
      accuracyZero,
      options,
      mitre,
      info,
      cve,
      decodedAs,
      programName: expr('program_name', 'osmatch'),
      idExpr: expr('id', 'osmatch'),
      systemName: expr('system_name', 'osmatch'),
      protocol: expr('protocol', 'osmatch'),
      match: expr('match', 'osmatch'),
      regex: expr('regex', 'osregex'),
      action: expr('action', 'string'),
      url: expr('url', 'osmatch'),
      location: expr('location', 'osmatch'),
      fields: fields.map((f) => ({ name: f.name, expr: { pattern: compileAt(f.kind, f.text, file, f.el), negate: f.negate } })),
      srcip: ipExpr(srcipEls),
      dstip: ipExpr(dstipEls),
      srcport: expr('srcport', 'osmatch'),
      dstport: expr('dstport', 'osmatch'),
      user: expr('user', 'osmatch'),
      srcgeoip: expr('srcgeoip', 'osmatch'),
      dstgeoip: expr('dstgeoip', 'osmatch'),
      time: timeEl ? (parseTimeRange(timeEl.text) ?? fail(`Rule ${id}: invalid time "${timeEl.text}"`, timeEl)) : null,
      weekdays: weekdayEl ? (parseWeekdays(weekdayEl.text) ?? fail(`Rule ${id}: invalid weekday "${weekdayEl.text}"`, weekdayEl)) : null,
      data: expr('data', 'osmatch'),
      extraData: expr('extra_data', 'osmatch'),
      hostname: expr('hostname', 'osmatch'),
      status: expr('status', 'osmatch'),
      compiledRule,
      checkDiff,
      ifFts,
      lists: listChecks,
      context,
      searchListOwner: -1,
      ifMatchedRegex: ifMatchedRegexText !== null ? compileAt('osregex', ifMatchedRegexText, file, node) : null,
      sameFields,
      differentFields,
      sameDynamic,
      differentDynamic,
      globalFrequency,
      children: [],
      childrenByDecoder: null,
      sidPrevMatched: false,
      ownList: [],
      groupPrevMatched: [],
      file,
      line: node.line,
      ifSid,
      ifGroup,
      ifLevel,
      ifMatchedSid,
      ifMatchedGroup,
    };
    return { rule, overwrite };
  }

  private place(p: PendingRule, file: string): void {
    const rule = p.rule;
    const existing = this.byId.get(rule.id);
    if (existing) {
      if (!p.overwrite) {
        this.warn(file, rule.line, `Duplicate rule id ${rule.id} (first defined at ${existing.file}:${existing.line}); skipped`);
        return;
      }
      overwriteInPlace(existing, rule);
      return;
    }
    if (p.overwrite) {
      this.warn(file, rule.line, `Rule ${rule.id} has overwrite="yes" but no earlier definition`);
    }
    (rule as { index: number }).index = this.nextIndex++;
    (rule as { ownList: readonly number[] }).ownList = [rule.index];
    let occ = 0;
    if (rule.id < 10) {
      this.roots.push(rule);
      occ = 1;
    } else if (rule.ifSid.length > 0) {
      let found = false;
      for (const sid of rule.ifSid) {
        const parent = this.byId.get(sid);
        if (!parent) {
          this.warn(file, rule.line, `Rule ${rule.id}: if_sid ${sid} not found`);
          continue;
        }
        insertChild(parent, rule);
        rule.category = parent.category;
        occ += this.occurrences.get(parent) ?? 0;
        found = true;
      }
      if (!found) {
        this.warn(file, rule.line, `Rule ${rule.id}: no parent found; rule dropped`);
        this.nextIndex--;
        return;
      }
    } else if (rule.ifLevel !== null) {
      const min = rule.ifLevel * 100;
      let found = false;
      for (const other of this.placed) {
        if (internalLevel(other) >= min) {
          insertChild(other, rule);
          occ += this.occurrences.get(other) ?? 0;
          found = true;
        }
      }
      if (!found) this.warn(file, rule.line, `Rule ${rule.id}: no rule of level ≥ ${rule.ifLevel}`);
    } else if (rule.ifGroup !== null) {
      const m = compileOsMatch(rule.ifGroup);
      let found = false;
      for (const other of this.placed) {
        if (m.test(other.groups)) {
          insertChild(other, rule);
          occ += this.occurrences.get(other) ?? 0;
          found = true;
        }
      }
      if (!found) this.warn(file, rule.line, `Rule ${rule.id}: no rule in group "${rule.ifGroup}"`);
    } else {
      const root = this.roots.find((r) => r.category === rule.category);
      if (!root) {
        this.warn(file, rule.line, `Rule ${rule.id}: no top-level rule for category "${rule.category}"; rule dropped`);
        this.nextIndex--;
        return;
      }
      insertChild(root, rule);
      occ = 1;
    }
    this.occurrences.set(rule, occ);

    if (rule.context === 'sid' && rule.ifMatchedSid !== null) {
      const target = this.byId.get(rule.ifMatchedSid) ?? (rule.ifMatchedSid === rule.id ? rule : undefined);
      if (!target) {
        this.warn(file, rule.line, `Rule ${rule.id}: if_matched_sid ${rule.ifMatchedSid} not found`);
      } else {
        target.sidPrevMatched = true;
        rule.searchListOwner = target.index;
      }
    } else if (rule.context === 'group' && rule.ifMatchedGroup !== null) {
      rule.searchListOwner = rule.index;
      const m = compileOsMatch(rule.ifMatchedGroup);
      // The reference marks every node of the tree, so a rule reached by several paths feeds the
      // list once per path (its events then count several times).
      for (const other of this.placed) {
        if (!m.test(other.groups)) continue;
        const n = this.occurrences.get(other) ?? 0;
        for (let k = 0; k < n; k++) other.groupPrevMatched.push(rule.index);
      }
    }
    this.byId.set(rule.id, rule);
    this.placed.push(rule);
  }
}

/** Sort key of siblings: level × 100, level 0 counting as 9900 (so it sorts first). */
function internalLevel(r: Rule): number {
  return r.level === 0 ? 9900 : r.level * 100;
}

function insertChild(parent: Rule, child: Rule): void {
  if (parent.children.includes(child)) return;
  if (child.accuracyZero) {
    parent.children.push(child);
    return;
  }
  const key = internalLevel(child);
  const at = parent.children.findIndex((s) => internalLevel(s) < key);
  if (at === -1) parent.children.push(child);
  else parent.children.splice(at, 0, child);
}

/** `overwrite="yes"`: new content, same tree position, parents and correlation lists. */
function overwriteInPlace(target: Rule, src: Rule): void {
  const keep = new Set(['id', 'index', 'ownList', 'children', 'childrenByDecoder', 'sidPrevMatched', 'groupPrevMatched', 'ifSid', 'ifGroup', 'ifLevel', 'ifMatchedSid', 'ifMatchedGroup', 'context', 'searchListOwner', 'category', 'file', 'line']);
  for (const key of Object.keys(src) as Array<keyof Rule>) {
    if (keep.has(key)) continue;
    (target as unknown as Record<string, unknown>)[key] = src[key];
  }
}

function compileAt(kind: PatternKind | 'string', source: string, file: string, el: XmlNode): CompiledPattern {
  if (kind === 'string') return exactString(source);
  try {
    return compilePattern(kind, source);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new RiposteError('RIPOSTE_ERR_REGEX_SYNTAX', `Invalid ${kind} pattern "${source}": ${msg}`, { file, line: el.line, element: el.name }, { cause: err });
  }
}

/** Exact comparison (the reference's `strcmp` for `<action>` without a type). */
function exactString(source: string): CompiledPattern {
  return {
    kind: 'osmatch',
    source,
    test: (s) => s === source,
    exec: (s) => (s === source ? { end: s.length, captures: [] } : null),
  };
}
