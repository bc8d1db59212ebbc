/**
 * Compiled rules: what `rules.c` builds from `<rule>` elements, and the rule tree.
 * @module
 */
import type { EventInfo } from '../decode/event.ts';
import type { DecoderType } from '../decode/types.ts';
import type { CompiledPattern } from '../regex/types.ts';

/** A content test: a pattern plus the `negate` flag. */
export interface Expr {
  readonly pattern: CompiledPattern;
  readonly negate: boolean;
}

export interface IpNet {
  readonly negated: boolean;
  readonly v6: boolean;
  /** Address bytes (4 or 16) and prefix length. */
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

export interface IpExpr {
  readonly nets: readonly IpNet[];
  readonly negate: boolean;
}

export interface ListCheck {
  /** Static field name, 'user', 'program_name', 'hostname', or a dynamic field name. */
  readonly field: string;
  readonly dynamic: boolean;
  readonly test: (value: string) => boolean;
}

/** Fields that `same_*`/`different_*` compare (Wazuh's field_offset table order). */
export const CONTEXT_FIELDS = [
  'srcip', 'id', 'dstip', 'srcport', 'dstport', 'srcuser', 'dstuser', 'protocol', 'action', 'url',
  'data', 'extra_data', 'status', 'system_name', 'srcgeoip', 'dstgeoip', 'location',
] as const;
export type ContextField = (typeof CONTEXT_FIELDS)[number];

export interface TimeRange {
  /** Minutes since midnight, start inclusive, end exclusive; `negate` inverts. */
  readonly startMin: number;
  readonly endMin: number;
  readonly negate: boolean;
}

export interface Rule {
  readonly id: number;
  /** Dense index used for per-session state arrays. */
  readonly index: number;
  level: number;
  description: string;
  /** Group string as concatenated by the reference (e.g. "syslog,sshd,authentication_failed,"). */
  groups: string;
  category: DecoderType;
  /** Stored N−2 (the reference's internal value); `frequencyAttr` keeps N for output. */
  frequency: number;
  frequencyAttr: number | null;
  timeframe: number;
  ignoreTime: number;
  maxsize: number;
  noalert: boolean;
  accuracyZero: boolean;
  options: ReadonlySet<string>;
  mitre: readonly string[];
  info: readonly string[];
  cve: readonly string[];

  decodedAs: string | null;
  programName: Expr | null;
  idExpr: Expr | null;
  systemName: Expr | null;
  protocol: Expr | null;
  match: Expr | null;
  regex: Expr | null;
  action: Expr | null;
  url: Expr | null;
  location: Expr | null;
  fields: ReadonlyArray<{ readonly name: string; readonly expr: Expr }>;
  srcip: IpExpr | null;
  dstip: IpExpr | null;
  srcport: Expr | null;
  dstport: Expr | null;
  user: Expr | null;
  srcgeoip: Expr | null;
  dstgeoip: Expr | null;
  time: TimeRange | null;
  weekdays: number | null;
  data: Expr | null;
  extraData: Expr | null;
  hostname: Expr | null;
  status: Expr | null;
  compiledRule: ((ev: EventInfo) => boolean) | null;
  checkDiff: boolean;
  ifFts: boolean;
  lists: readonly ListCheck[];

  /** Correlation. */
  context: 'sid' | 'group' | 'events' | null;
  /** Index of the rule owning the stored list searched (if_matched_sid: that rule; group: this rule). */
  searchListOwner: number;
  ifMatchedRegex: CompiledPattern | null;
  sameFields: number;
  differentFields: number;
  sameDynamic: readonly string[];
  differentDynamic: readonly string[];
  globalFrequency: boolean;

  /** Tree. */
  readonly children: Rule[];
  /** Lazily built at run time: children that can match events of a given decoder name. */
  childrenByDecoder: Map<string, readonly Rule[]> | null;
  /** Stored-event lists this rule feeds when it fires (owner rule indexes). */
  sidPrevMatched: boolean;
  /** `[index]`, preallocated: the list an if_matched_sid target feeds. */
  readonly ownList: readonly number[];
  groupPrevMatched: number[];

  /** Source for error messages. */
  readonly file: string;
  readonly line: number;
  readonly ifSid: readonly number[];
  readonly ifGroup: string | null;
  readonly ifLevel: number | null;
  readonly ifMatchedSid: number | null;
  readonly ifMatchedGroup: string | null;
}

/** A finding of the rule compiler that does not stop the load (a rule skipped as Wazuh skips it). */
export interface RuleWarning {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface RuleSet {
  /** Top-level rules (ids below 10), in load order. */
  readonly roots: readonly Rule[];
  readonly byId: ReadonlyMap<number, Rule>;
  readonly count: number;
  readonly warnings: readonly RuleWarning[];
  /** Stored-event lists searched by a same-srcip rule (-1: the global event list). */
  readonly indexedLists: ReadonlySet<number>;
}
