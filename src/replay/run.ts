/**
 * `riposte replay`: logs through the configured ruleset and response bindings, in simulation,
 * on the events' own timestamps. Nothing is executed: every decision is only reported.
 * @module
 */
import { createReadStream, statSync } from 'node:fs';
import { binToUtf8 } from '../bytes.ts';
import type { RiposteConfig } from '../config/types.ts';
import { loadAllowlist } from '../daemon/allowlist.ts';
import { compileBindings, decide, pruneActive, type DecideContext } from '../decide/index.ts';
import type { DecideState } from '../decide/types.ts';
import { toAlert } from '../engine/alert.ts';
import { AnalysisSession, type Ruleset } from '../engine/engine.ts';
import { readByteLines } from '../io/lines.ts';
import { EventClock } from './timestamp.ts';
import { ReportBuilder, type ActiveAtEnd, type ReplayReportV1 } from './report.ts';

export interface ReplayOptions {
  readonly config: RiposteConfig;
  readonly ruleset: Ruleset;
  /** Year of year-less syslog stamps; default: the first file's modification year. */
  readonly yearHint?: number;
  /** Addresses of this host (always refused as targets); default: the host's interfaces. */
  readonly ownAddresses?: readonly string[];
  /** Called as input is consumed: bytes read so far, lines so far. */
  readonly onProgress?: (bytes: number, lines: number) => void;
}

/** Total size of the inputs, for progress. */
export function totalBytes(files: readonly string[]): number {
  return files.reduce((n, f) => n + statSync(f).size, 0);
}

/** Replay `files` in order through ONE session (correlation spans files, as a week of rotated logs). */
export async function replayFiles(files: readonly string[], opts: ReplayOptions): Promise<ReplayReportV1> {
  const started = performance.now();
  const year = opts.yearHint ?? (files[0] ? statSync(files[0]).mtime.getFullYear() : new Date().getFullYear());
  const clock = new EventClock(year);
  let eventTime = Math.floor(Date.now() / 1000);
  let lastStamp: number | null = null;
  const session = new AnalysisSession(opts.ruleset, () => eventTime, {
    ignoreMode: 'live',
    logAlertLevel: opts.config.logAlertLevel,
    ...(opts.config.memorySize !== undefined ? { memorySize: opts.config.memorySize } : {}),
    timeOf: (p) => {
      const t = p.timestamp !== null ? clock.parse(p.timestamp) : null;
      lastStamp = t;
      if (t !== null) eventTime = t;
      return eventTime;
    },
  });
  const state: DecideState = { active: new Map(), offenders: new Map() };
  const ctx: DecideContext = {
    bindings: compileBindings(opts.config.activeResponses),
    commands: opts.config.commands,
    allowlist: opts.ownAddresses ? loadAllowlist(opts.config, [], opts.ownAddresses) : loadAllowlist(opts.config),
    state,
    now: () => eventTime,
  };
  const report = new ReportBuilder();
  let seq = 0;
  let bytes = 0;
  let lines = 0;
  for (const file of files) {
    const location = file;
    for await (const line of readByteLines(createReadStream(file))) {
      bytes += line.length + 1;
      lines++;
      const p = session.process(location, line);
      report.line(lastStamp);
      const alert = toAlert(p, ++seq);
      if (alert) {
        report.alert(alert, binToUtf8(p.outcome.description));
        for (const o of decide(alert, ctx)) report.outcome(o);
      }
      if ((lines & 0x3fff) === 0) {
        pruneActive(state.active, eventTime);
        opts.onProgress?.(bytes, lines);
      }
    }
  }
  opts.onProgress?.(bytes, lines);
  const active: ActiveAtEnd[] = [];
  for (const [key, until] of state.active) {
    if (until <= eventTime) continue;
    const bar = key.indexOf('|');
    active.push({ response: key.slice(0, bar), target: key.slice(bar + 1).replace(/^[a-z]+:/, ''), until: until === Infinity ? null : until });
  }
  return report.finish([...files], active, performance.now() - started, session.stats.truncated);
}
