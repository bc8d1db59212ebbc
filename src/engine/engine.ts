/**
 * The analysis engine: predecode → decode → rules, one session at a time. Pure; the clock is
 * injected (seconds), so a replay can run on event time and tests on a fake clock.
 * @module
 */
import { Accumulator } from '../correlate/accumulator.ts';
import { decodeEvent } from '../decode/decode.ts';
import { EventInfo } from '../decode/event.ts';
import type { DecoderSet } from '../decode/types.ts';
import { predecode, type Predecoded } from '../predecode/predecode.ts';
import { RuleSession, type RuleOutcome, type SessionOptions } from '../rules/match.ts';
import type { RuleSet } from '../rules/types.ts';

export interface Ruleset {
  readonly decoders: DecoderSet;
  readonly rules: RuleSet;
}

/**
 * Longest message analysed, in bytes: Wazuh's logcollector cuts lines at OS_MAXSTR (65536) minus
 * its 256-byte header, so nothing longer ever reaches analysisd. Longer input is truncated and
 * counted, never rejected whole.
 */
export const MAX_MESSAGE_BYTES = 65536 - 256;

export interface SessionStats {
  events: number;
  truncated: number;
}

export interface Processed {
  readonly event: EventInfo;
  readonly outcome: RuleOutcome;
}

/** A stream of events sharing correlation state (one logtest session, one manager). */
export class AnalysisSession {
  private readonly rules: RuleSession;
  private readonly accumulator = new Accumulator();
  readonly stats: SessionStats = { events: 0, truncated: 0 };
  private readonly ruleset: Ruleset;
  private readonly clock: () => number;

  private readonly timeOf: ((p: Predecoded) => number) | null;

  /**
   * @param clock processing time in seconds (correlation windows use it, as analysisd does)
   * @param opts.timeOf replay: the event's own time from its header, used instead of the clock
   */
  constructor(
    ruleset: Ruleset,
    clock: () => number = () => Math.floor(Date.now() / 1000),
    opts: SessionOptions & { timeOf?: (p: Predecoded) => number } = {},
  ) {
    this.ruleset = ruleset;
    this.clock = clock;
    this.timeOf = opts.timeOf ?? null;
    this.rules = new RuleSession(ruleset.rules, opts);
  }

  /** Analyse one message (a byte string) received from `location`. */
  process(location: string, message: string): Processed {
    this.stats.events++;
    if (message.length > MAX_MESSAGE_BYTES) {
      message = message.slice(0, MAX_MESSAGE_BYTES);
      this.stats.truncated++;
    }
    const pre = predecode(location, message);
    const now = this.timeOf ? this.timeOf(pre) : this.clock();
    const ev = EventInfo.fromPredecoded(pre, now);
    decodeEvent(this.ruleset.decoders, ev);
    if (ev.decoder?.accumulate) this.accumulator.accumulate(ev, now);
    const outcome = this.rules.process(ev);
    return { event: ev, outcome };
  }
}
