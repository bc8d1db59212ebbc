/**
 * The event as it moves through predecode → decode → rules: Wazuh's `Eventinfo`, reduced to what
 * the analysis needs. All strings are byte strings. One plain class with every field always
 * present keeps property access monomorphic on the hot path.
 * @module
 */
import type { Predecoded } from '../predecode/predecode.ts';
import type { Decoder } from './types.ts';

/** Static field names as decoders' `order` and rules name them (`user` is an alias of dstuser). */
export const STATIC_FIELDS = [
  'srcip', 'dstip', 'srcport', 'dstport', 'protocol', 'action', 'srcuser', 'dstuser',
  'id', 'url', 'data', 'extra_data', 'status', 'system_name',
] as const;
export type StaticField = (typeof STATIC_FIELDS)[number];

const NONE: readonly string[] = [];

export class EventInfo {
  location = '';
  agentId = '000';
  agentName: string | null = null;
  fullLog = '';
  log = '';
  programName: string | null = null;
  hostname: string | null = null;
  timestamp: string | null = null;
  /** Processing time in whole seconds (correlation windows use it). */
  time = 0;

  /** The decoder that decoded the event (`decoder_info`), or null when none matched. */
  decoder: Decoder | null = null;

  srcip: string | null = null;
  dstip: string | null = null;
  srcport: string | null = null;
  dstport: string | null = null;
  protocol: string | null = null;
  action: string | null = null;
  srcuser: string | null = null;
  dstuser: string | null = null;
  id: string | null = null;
  url: string | null = null;
  data: string | null = null;
  extra_data: string | null = null;
  status: string | null = null;
  system_name: string | null = null;
  /** Dynamic fields in decode order (names and values); lookups are case-insensitive, first wins. */
  private keys: string[] | null = null;
  private values: string[] | null = null;

  /** Correlation mark (`matched`): level of the correlation rule this event last completed. */
  matched = 0;

  static fromPredecoded(p: Predecoded, time: number): EventInfo {
    const ev = new EventInfo();
    ev.location = p.location;
    ev.agentId = p.agentId;
    ev.agentName = p.agentName;
    ev.fullLog = p.fullLog;
    ev.log = p.log;
    ev.programName = p.programName;
    ev.hostname = p.hostname;
    ev.timestamp = p.timestamp;
    ev.time = time;
    return ev;
  }

  /** `FindField`: the first dynamic field whose name equals `name` case-insensitively. */
  findDynamic(name: string): string | null {
    const keys = this.keys;
    if (keys === null) return null;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      if (k === name || (k.length === name.length && k.toLowerCase() === name.toLowerCase())) {
        return (this.values as string[])[i] as string;
      }
    }
    return null;
  }

  addDynamic(name: string, value: string): void {
    if (this.keys === null) {
      this.keys = [name];
      this.values = [value];
      return;
    }
    this.keys.push(name);
    (this.values as string[]).push(value);
  }

  /** Number of dynamic fields (`nfields`). */
  get dynamicCount(): number {
    return this.keys === null ? 0 : this.keys.length;
  }

  /** Dynamic field names, in decode order. */
  get dynamicKeys(): readonly string[] {
    return this.keys ?? NONE;
  }

  /** Dynamic field values, parallel to `dynamicKeys`. */
  get dynamicValues(): readonly string[] {
    return this.values ?? NONE;
  }

  getStatic(name: StaticField): string | null {
    return this[name];
  }

  setStatic(name: StaticField, value: string | null): void {
    this[name] = value;
  }
}
