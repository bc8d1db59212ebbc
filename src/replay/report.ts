/**
 * Aggregates what a replay saw into its report: alerts by rule, the responses that would have
 * fired (by command and target), allowlist hits, refusals, escalations and what would still be
 * active at the end. Pure.
 * @module
 */
import type { AlertV1, DecideOutcome } from '../decide/types.ts';

export interface RuleCount {
  id: number;
  level: number;
  description: string;
  count: number;
}

export interface ResponseSummary {
  response: string;
  command: string;
  targetKind: string;
  target: string;
  /** Decisions that would have run the program (first offence and escalations). */
  decisions: number;
  /** Re-triggers while the action was still active (no new run). */
  duplicates: number;
  firstAt: number;
  lastAt: number;
  maxOffence: number;
  escalations: number;
  /** Longest timeout decided, seconds. */
  maxTimeoutSec: number;
  /** Some decision had no timeout (the action would stay until reverted by hand). */
  permanent: boolean;
  rules: number[];
}

export interface AllowlistHit {
  target: string;
  response: string;
  detail: string;
  count: number;
}

export interface ActiveAtEnd {
  response: string;
  target: string;
  /** Revert time (seconds since the epoch), or null for no timeout. */
  until: number | null;
}

export interface ReplayReportV1 {
  version: 1;
  files: string[];
  lines: number;
  truncatedLines: number;
  /** Event-time span covered (seconds since the epoch), null when no line had a readable stamp. */
  firstEventAt: number | null;
  lastEventAt: number | null;
  alerts: number;
  alertsByRule: RuleCount[];
  decisions: number;
  responses: ResponseSummary[];
  /** Targets that would have been acted on (e.g. the IPs that would have been blocked). */
  targets: string[];
  allowlistHits: AllowlistHit[];
  refusals: Record<string, number>;
  activeAtEnd: ActiveAtEnd[];
  elapsedMs: number;
  eventsPerSec: number;
}

/** Incremental builder; `finish()` sorts and freezes the figures. */
export class ReportBuilder {
  private lines = 0;
  private first: number | null = null;
  private last: number | null = null;
  private alerts = 0;
  private decisions = 0;
  private readonly byRule = new Map<number, RuleCount>();
  private readonly responses = new Map<string, ResponseSummary>();
  private readonly allow = new Map<string, AllowlistHit>();
  private readonly refusals: Record<string, number> = {};

  line(eventTime: number | null): void {
    this.lines++;
    if (eventTime !== null) {
      if (this.first === null || eventTime < this.first) this.first = eventTime;
      if (this.last === null || eventTime > this.last) this.last = eventTime;
    }
  }

  alert(a: AlertV1, description: string): void {
    this.alerts++;
    const r = this.byRule.get(a.rule.id);
    if (r) r.count++;
    else this.byRule.set(a.rule.id, { id: a.rule.id, level: a.rule.level, description, count: 1 });
  }

  outcome(o: DecideOutcome): void {
    if (o.kind === 'decision') {
      this.decisions++;
      const key = `${o.response}|${o.target.kind}:${o.target.value}`;
      let s = this.responses.get(key);
      if (!s) {
        s = {
          response: o.response, command: o.command, targetKind: o.target.kind, target: o.target.value,
          decisions: 0, duplicates: 0, firstAt: o.decidedAt, lastAt: o.decidedAt, maxOffence: 0, escalations: 0, maxTimeoutSec: 0, permanent: false, rules: [],
        };
        this.responses.set(key, s);
      }
      s.decisions++;
      s.lastAt = o.decidedAt;
      s.maxOffence = Math.max(s.maxOffence, o.offence);
      if (o.escalated) s.escalations++;
      s.maxTimeoutSec = Math.max(s.maxTimeoutSec, o.timeoutSec);
      if (o.timeoutSec === 0) s.permanent = true;
      if (!s.rules.includes(o.ruleId)) s.rules.push(o.ruleId);
      return;
    }
    this.refusals[o.reason] = (this.refusals[o.reason] ?? 0) + 1;
    if (o.reason === 'duplicate' && o.target) {
      const s = this.responses.get(`${o.response}|${o.target.kind}:${o.target.value}`);
      if (s) s.duplicates++;
    }
    if ((o.reason === 'allowlisted' || o.reason === 'own_address') && o.target) {
      const key = `${o.response}|${o.target.value}|${o.detail}`;
      const h = this.allow.get(key);
      if (h) h.count++;
      else this.allow.set(key, { target: o.target.value, response: o.response, detail: o.detail, count: 1 });
    }
  }

  finish(files: string[], active: ActiveAtEnd[], elapsedMs: number, truncatedLines: number): ReplayReportV1 {
    const responses = [...this.responses.values()].sort((a, b) => b.decisions - a.decisions || a.target.localeCompare(b.target));
    return {
      version: 1,
      files,
      lines: this.lines,
      truncatedLines,
      firstEventAt: this.first,
      lastEventAt: this.last,
      alerts: this.alerts,
      alertsByRule: [...this.byRule.values()].sort((a, b) => b.count - a.count || a.id - b.id),
      decisions: this.decisions,
      responses,
      targets: [...new Set(responses.map((r) => r.target))].sort(),
      allowlistHits: [...this.allow.values()].sort((a, b) => b.count - a.count),
      refusals: this.refusals,
      activeAtEnd: active.sort((a, b) => a.target.localeCompare(b.target)),
      elapsedMs: Math.round(elapsedMs),
      eventsPerSec: elapsedMs > 0 ? Math.round(this.lines / (elapsedMs / 1000)) : 0,
    };
  }
}
