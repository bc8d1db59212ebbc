/**
 * Compiled decoders: what `decode-xml.c` builds from `<decoder>` elements.
 * @module
 */
import type { CompiledPattern } from '../regex/types.ts';
import type { StaticField } from './event.ts';

export const DECODER_TYPES = ['syslog', 'firewall', 'ids', 'web-log', 'squid', 'windows', 'host-information', 'ossec'] as const;
export type DecoderType = (typeof DECODER_TYPES)[number];

export type RegexOffset = 'none' | 'after_parent' | 'after_prematch' | 'after_regex';

export type DecoderPlugin = 'JSON_Decoder' | 'PF_Decoder' | 'SonicWall_Decoder' | 'SymantecWS_Decoder' | 'OSSECAlert_Decoder';

export interface Decoder {
  /** Name as reported and as rules' `decoded_as` see it: the parent's unless `use_own_name`. */
  readonly name: string;
  /** The decoder's own `name` attribute. */
  readonly ownName: string;
  /** Name of the parent decoder, or null for a top-level decoder. */
  readonly parent: string | null;
  readonly type: DecoderType;
  readonly programName: CompiledPattern | null;
  readonly prematch: CompiledPattern | null;
  readonly prematchAfterParent: boolean;
  readonly regex: CompiledPattern | null;
  readonly regexOffset: RegexOffset;
  /** Per capture index: the static field it sets, or null for a dynamic field (name in `orderNames`). */
  readonly orderStatic: ReadonlyArray<StaticField | null>;
  readonly orderNames: readonly string[];
  readonly plugin: DecoderPlugin | null;
  readonly pluginOffset: RegexOffset;
  readonly jsonNullField: 'discard' | 'string';
  readonly jsonArrayStructure: 'array' | 'csv';
  readonly accumulate: boolean;
  readonly fts: readonly string[] | null;
  /** `<ftscomment>`: printed in the alert's `decoder` object whenever this decoder is `decoder_info`. */
  readonly ftscomment: string | null;
  /** Set when a later sibling has the same name: extraction continues with the next sibling. */
  getNext: boolean;
  readonly file: string;
  readonly line: number;
}

/** A top-level decoder with its children in load order. */
export interface DecoderNode {
  readonly decoder: Decoder;
  readonly children: Decoder[];
}

/** The two top-level lists of the reference: events with a program name only see the first. */
export interface DecoderSet {
  readonly withProgramName: readonly DecoderNode[];
  readonly withoutProgramName: readonly DecoderNode[];
  /** Every distinct reported decoder name (for `decoded_as` validation). */
  readonly names: ReadonlySet<string>;
}
