/**
 * Load-time compilation of `<decoder>` elements into the reference's decoder lists
 * (decode-xml.c / decoders_list.c semantics). Errors are collected, not thrown one by one, so a
 * load reports every broken decoder at once.
 * @module
 */
import { RiposteError } from '../errors.ts';
import { compilePattern, parsePatternKind } from '../regex/index.ts';
import type { CompiledPattern, PatternKind } from '../regex/types.ts';
import { attr, type XmlNode } from '../xml/types.ts';
import { STATIC_FIELDS, type StaticField } from './event.ts';
import {
  DECODER_TYPES, type Decoder, type DecoderNode, type DecoderPlugin, type DecoderSet, type DecoderType, type RegexOffset,
} from './types.ts';

const PLUGINS: ReadonlySet<string> = new Set(['JSON_Decoder', 'PF_Decoder', 'SonicWall_Decoder', 'SymantecWS_Decoder', 'OSSECAlert_Decoder']);
const ORDER_MAX = 256;
/** Decoder names the reference registers internally (SetDecodeXML), so rules may name them. */
const BUILTIN_NAMES = [
  'rootcheck', 'syscheck_integrity_changed', 'syscheck_integrity_changed_2nd', 'syscheck_integrity_changed_3rd',
  'syscheck_new_entry', 'syscheck_deleted', 'hostinfo_modified', 'hostinfo_new', 'syscollector', 'ciscat',
  'sca', 'dbsync', 'upgrade', 'windows_eventchannel', 'winevt', 'agent-upgrade', 'syscheck',
];

function staticFor(word: string): StaticField | null {
  if (word === 'user') return 'dstuser';
  return (STATIC_FIELDS as readonly string[]).includes(word) ? (word as StaticField) : null;
}

/** Mutable builder: feed files in load order, then `finish()`. */
export class DecoderSetBuilder {
  private readonly withPn: DecoderNode[] = [];
  private readonly withoutPn: DecoderNode[] = [];
  private readonly topByName = new Map<string, DecoderNode[]>();
  private readonly names = new Set<string>(BUILTIN_NAMES);
  readonly errors: RiposteError[] = [];

  /** Add every `<decoder>` of one parsed file. */
  addFile(nodes: readonly XmlNode[], file: string): void {
    for (const node of nodes) {
      if (node.name !== 'decoder') {
        this.errors.push(new RiposteError('RIPOSTE_ERR_DECODER_INVALID', `Invalid root element "${node.name}" (expected <decoder>)`, { file, line: node.line, element: node.name }));
        continue;
      }
      try {
        this.add(compileDecoder(node, file));
      } catch (err) {
        this.errors.push(asDecoderError(err, file, node));
      }
    }
  }

  private add(dec: Decoder): void {
    if (dec.parent === null) {
      const node: DecoderNode = { decoder: dec, children: [] };
      (dec.programName ? this.withPn : this.withoutPn).push(node);
      const list = this.topByName.get(dec.ownName);
      if (list) list.push(node);
      else this.topByName.set(dec.ownName, [node]);
      this.names.add(dec.name);
      return;
    }
    const parents = this.topByName.get(dec.parent);
    if (!parents) {
      throw new RiposteError('RIPOSTE_ERR_DECODER_INVALID', `Parent decoder "${dec.parent}" of "${dec.ownName}" is not loaded (parents must come first)`, { file: dec.file, line: dec.line, element: 'parent' });
    }
    for (const p of parents) {
      for (const sibling of p.children) {
        if (sibling.ownName === dec.ownName) sibling.getNext = true;
      }
      p.children.push(dec);
    }
    this.names.add(dec.name);
  }

  finish(): DecoderSet {
    return { withProgramName: this.withPn, withoutProgramName: this.withoutPn, names: this.names };
  }
}

function asDecoderError(err: unknown, file: string, node: XmlNode): RiposteError {
  if (err instanceof RiposteError) {
    if (err.location) return err;
    return new RiposteError(err.code, err.message, { file, line: node.line, element: 'decoder' });
  }
  return new RiposteError('RIPOSTE_ERR_DECODER_INVALID', String(err), { file, line: node.line, element: 'decoder' });
}

function parseOffset(value: string | undefined, file: string, el: XmlNode): RegexOffset {
  if (value === undefined) return 'none';
  if (value === 'after_parent' || value === 'after_prematch' || value === 'after_regex') return value;
  throw new RiposteError('RIPOSTE_ERR_DECODER_INVALID', `Invalid offset "${value}"`, { file, line: el.line, element: el.name });
}

function kindOf(el: XmlNode, dflt: PatternKind, file: string): PatternKind {
  const t = attr(el, 'type');
  if (t === undefined) return dflt;
  const k = parsePatternKind(t);
  if (!k) throw new RiposteError('RIPOSTE_ERR_DECODER_INVALID', `Invalid type "${t}"`, { file, line: el.line, element: el.name });
  return k;
}

function compileAt(kind: PatternKind, source: string, file: string, el: XmlNode, captures = false): CompiledPattern {
  try {
    return compilePattern(kind, source, { captures });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new RiposteError('RIPOSTE_ERR_REGEX_SYNTAX', `Invalid ${kind} pattern "${source}": ${msg}`, { file, line: el.line, element: el.name }, { cause: err });
  }
}

/** Split an `order`/`fts` list as the reference does: on ',', each word trimmed of spaces. */
function splitWords(text: string): string[] {
  return text.split(',').map((w) => {
    const s = w.replace(/^ +/, '');
    const sp = s.indexOf(' ');
    return sp === -1 ? s : s.slice(0, sp);
  });
}

function compileDecoder(node: XmlNode, file: string): Decoder {
  const ownName = attr(node, 'name');
  const fail = (msg: string, el: XmlNode = node): never => {
    throw new RiposteError('RIPOSTE_ERR_DECODER_INVALID', msg, { file, line: el.line, element: el.name });
  };
  if (ownName === undefined || ownName === '') return fail('Decoder without a "name" attribute');
  let parent: string | null = null;
  let pn: { text: string; el: XmlNode } | null = null;
  let pre: { text: string; el: XmlNode; offset: RegexOffset } | null = null;
  let rx: { text: string; el: XmlNode; offset: RegexOffset } | null = null;
  let order: string[] | null = null;
  let orderEl: XmlNode | null = null;
  let type: DecoderType = 'syslog';
  let plugin: DecoderPlugin | null = null;
  let pluginOffset: RegexOffset = 'none';
  let useOwnName = false;
  let accumulate = false;
  let fts: string[] | null = null;
  let ftscomment: string | null = null;
  let jsonNullField: 'discard' | 'string' = 'string';
  let jsonArrayStructure: 'array' | 'csv' = 'array';
  let pnKind: PatternKind = 'osmatch';
  let preKind: PatternKind = 'osregex';
  let rxKind: PatternKind = 'osregex';

  for (const el of node.children) {
    switch (el.name) {
      case 'parent':
        parent = el.text;
        break;
      case 'program_name':
        if (pn) pn.text += el.text;
        else pn = { text: el.text, el };
        pnKind = kindOf(el, pnKind, file);
        break;
      case 'prematch': {
        if (pre) pre.text += el.text;
        else pre = { text: el.text, el, offset: parseOffset(attr(el, 'offset'), file, el) };
        preKind = kindOf(el, preKind, file);
        break;
      }
      case 'regex': {
        if (rx) rx.text += el.text;
        else rx = { text: el.text, el, offset: parseOffset(attr(el, 'offset'), file, el) };
        rxKind = kindOf(el, rxKind, file);
        break;
      }
      case 'order': {
        const words = splitWords(el.text);
        if (words.length > ORDER_MAX) fail('Order has too many fields', el);
        for (const w of words) if (w === '') fail(`Wrong field "" in the order of decoder "${ownName}"`, el);
        order = words;
        orderEl = el;
        break;
      }
      case 'type': {
        if (!(DECODER_TYPES as readonly string[]).includes(el.text)) fail(`Invalid decoder type "${el.text}"`, el);
        type = el.text as DecoderType;
        break;
      }
      case 'plugin_decoder': {
        if (!PLUGINS.has(el.text)) fail(`Unknown plugin decoder "${el.text}"`, el);
        plugin = el.text as DecoderPlugin;
        pluginOffset = parseOffset(attr(el, 'offset'), file, el);
        break;
      }
      case 'use_own_name':
        useOwnName = el.text === 'true';
        break;
      case 'accumulate':
        accumulate = true;
        break;
      case 'fts':
        fts = splitWords(el.text);
        break;
      case 'ftscomment':
        // Repeated elements append, as the reference's _loadmemory does.
        ftscomment = ftscomment === null ? el.text : ftscomment + el.text;
        break;
      case 'json_null_field':
        if (el.text === 'discard') jsonNullField = 'discard';
        else if (el.text === 'string') jsonNullField = 'string';
        else fail(`Invalid json_null_field "${el.text}"`, el);
        break;
      case 'json_array_structure':
        if (el.text === 'csv') jsonArrayStructure = 'csv';
        else if (el.text === 'array') jsonArrayStructure = 'array';
        else fail(`Invalid json_array_structure "${el.text}"`, el);
        break;
      case 'var':
        break;
      default:
        fail(`Invalid element <${el.name}> in decoder "${ownName}"`, el);
    }
  }

  if (!pre && parent === null && !pn) fail(`Decoder "${ownName}" needs a <prematch> or <program_name> (it has no parent)`);
  if ((!rx && (fts || order)) || (rx && !order)) fail(`Decoder "${ownName}": <regex> and <order> require each other`, rx?.el ?? orderEl ?? node);
  let regexOffset: RegexOffset = rx ? rx.offset : 'none';
  if (regexOffset === 'after_parent' && parent === null) fail('Invalid offset "after_parent" on a decoder without parent', rx?.el);
  if (regexOffset === 'after_prematch') {
    if (parent === null) regexOffset = 'after_parent';
    else if (!pre) fail('Invalid offset "after_prematch": the decoder has no prematch', rx?.el);
  }
  if (regexOffset === 'after_regex' && (parent === null || !rx)) fail('Invalid offset "after_regex"', rx?.el);
  if (pre && pre.offset !== 'none') {
    if (pre.offset !== 'after_parent') fail(`Invalid prematch offset "${pre.offset}" (only after_parent is allowed)`, pre.el);
    if (parent === null) fail('Invalid offset "after_parent" on a decoder without parent', pre.el);
  }
  if (plugin && (rx || order)) fail(`Decoder "${ownName}": a plugin decoder cannot have <regex> or <order>`);

  const orderStatic: Array<StaticField | null> = [];
  const orderNames: string[] = [];
  for (const w of order ?? []) {
    orderStatic.push(staticFor(w));
    orderNames.push(w);
  }
  if (fts) {
    for (const w of fts) {
      if (w === '') fail(`Wrong field "" in the fts of decoder "${ownName}"`);
    }
  }

  return {
    name: parent !== null && !useOwnName ? parent : ownName,
    ownName,
    parent,
    type,
    programName: pn ? compileAt(pnKind, pn.text, file, pn.el) : null,
    prematch: pre ? compileAt(preKind, pre.text, file, pre.el) : null,
    prematchAfterParent: pre?.offset === 'after_parent',
    regex: rx ? compileAt(rxKind, rx.text, file, rx.el, true) : null,
    regexOffset,
    orderStatic,
    orderNames,
    plugin,
    pluginOffset,
    jsonNullField,
    jsonArrayStructure,
    accumulate,
    fts,
    ftscomment,
    getNext: false,
    file,
    line: node.line,
  };
}
