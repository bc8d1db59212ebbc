/**
 * Readers for `<command>` and `<active-response>` (Wazuh's `ReadActiveCommands` and
 * `ReadActiveResponses`, plus the agent-side form read by execd), with Riposte's
 * `<run_timeout>`, `<mode>` and `<offender_reset>`.
 * @module
 */
import { RiposteError } from '../errors.ts';
import { compileOsRegex } from '../regex/os-regex.ts';
import type { XmlNode } from '../xml/types.ts';
import type { ArDraft, Draft } from './draft.ts';
import type { Issues } from './issues.ts';
import type { ArLocation, ResponseMode } from './types.ts';
import { checkAttributes, INT_MAX, leafText, parseIntValue, readInt, readYesNo, SingleValued, splitList } from './values.ts';

/** Default of Riposte's `<run_timeout>`: seconds a response program may run before it is killed. */
export const DEFAULT_RUN_TIMEOUT_SEC = 60;
/** execd keeps at most 5 `repeated_offenders` values. */
const MAX_REPEATED_OFFENDERS = 5;
/** Minutes whose seconds still fit a C int. */
const MAX_OFFENDER_MINUTES = Math.floor(INT_MAX / 60);

/** Read a `<command>` block. */
export function readCommand(section: XmlNode, issues: Issues, draft: Draft): void {
  checkAttributes(section, issues);
  const once = new SingleValued(issues);
  let name: string | null = null;
  let nameNode: XmlNode | null = null;
  let executable: string | null = null;
  let timeoutAllowed = false;
  let extraArgs: string[] = [];
  let expect: string[] = [];
  let runTimeoutSec = DEFAULT_RUN_TIMEOUT_SEC;
  for (const child of section.children) {
    if (!once.first(child)) continue;
    switch (child.name) {
      case 'name': {
        const v = leafText(child, issues);
        if (v !== null && v.startsWith('!')) issues.error(child, `Invalid command name "${v}": must not start with "!"`);
        else if (v !== null) {
          name = v;
          nameNode = child;
          draft.commandNames.add(v);
        }
        break;
      }
      case 'executable': {
        const v = leafText(child, issues);
        if (v !== null && /[/\\\0]|\.\./.test(v)) {
          issues.error(child, `Invalid executable "${v}": must be a file name in the response directory (no "/", "\\" or "..")`);
        } else if (v !== null) executable = v;
        break;
      }
      case 'timeout_allowed': {
        const v = readYesNo(child, issues);
        if (v !== null) timeoutAllowed = v;
        break;
      }
      case 'extra_args': {
        const v = leafText(child, issues, { allowEmpty: true });
        // Split on spaces with no quoting, as Wazuh builds the `extra_args` array.
        if (v !== null) extraArgs = splitList(v, ' ');
        break;
      }
      case 'expect': {
        // Ignored by Wazuh since 4.2; kept for information.
        const v = leafText(child, issues, { allowEmpty: true });
        if (v !== null) expect = splitList(v);
        break;
      }
      case 'run_timeout': {
        const v = readInt(child, issues, 1, 86400, 'a number of seconds');
        if (v !== null) runTimeoutSec = v;
        break;
      }
      default:
        issues.error(child, 'Unknown element in <command>');
    }
  }
  // A present but invalid element was already reported.
  if (!section.children.some((c) => c.name === 'name')) issues.error(section, 'Missing <name>');
  if (!section.children.some((c) => c.name === 'executable')) issues.error(section, 'Missing <executable>');
  if (name === null || nameNode === null || executable === null) return;
  draft.commands.push({
    config: { name, executable, timeoutAllowed, extraArgs, expect, runTimeoutSec, source: { file: issues.file, line: section.line } },
    nameNode,
  });
}

// Wazuh tests the location text with these OS_Regex patterns (case-insensitive substrings).
const LOC_SERVER = compileOsRegex('AS|analysisd|analysis-server|server', { substrings: false });
const LOC_LOCAL = compileOsRegex('local', { substrings: false });
const LOC_DEFINED = compileOsRegex('defined-agent', { substrings: false });
const LOC_ALL = compileOsRegex('all|any', { substrings: false });

/**
 * Map a `<location>` text to one location, with Wazuh's substring semantics. When several keywords
 * match, the branch analysisd and remoted take first wins: server, then all, local, defined-agent.
 */
function parseLocation(value: string, node: XmlNode, issues: Issues): ArLocation | null {
  const found: ArLocation[] = [];
  if (LOC_SERVER.test(value)) found.push('server');
  if (LOC_ALL.test(value)) found.push('all');
  if (LOC_LOCAL.test(value)) found.push('local');
  if (LOC_DEFINED.test(value)) found.push('defined-agent');
  const first = found[0];
  if (first === undefined) {
    issues.error(node, `Invalid location "${value}": expected local, server, defined-agent or all`);
    return null;
  }
  if (found.length > 1) issues.warn(node, `Location "${value}" names several targets (${found.join(', ')}): "${first}" is used, as in Wazuh`);
  return first;
}

/** `<rules_id>`: a comma list of rule ids (Wazuh also skips spaces and repeated commas). */
function parseRulesId(value: string, node: XmlNode, issues: Issues): number[] | null {
  const ids: number[] = [];
  for (const item of splitList(value)) {
    const id = parseIntValue(item, node, issues, 0, INT_MAX, 'a comma-separated list of rule ids, each');
    if (id === null) return null;
    ids.push(id);
  }
  if (ids.length === 0) issues.error(node, 'Empty value');
  return ids.length > 0 ? ids : null;
}

/** `<repeated_offenders>`: up to 5 timeouts in minutes, separated by commas. */
function parseRepeatedOffenders(node: XmlNode, issues: Issues): number[] | null {
  const value = leafText(node, issues);
  if (value === null) return null;
  const items = value.split(',').map((s) => s.trim());
  if (items.length > MAX_REPEATED_OFFENDERS) {
    issues.error(node, `Invalid value "${value}": at most ${MAX_REPEATED_OFFENDERS} timeouts (minutes) are allowed`);
    return null;
  }
  const out: number[] = [];
  for (const item of items) {
    const n = parseIntValue(item, node, issues, 1, MAX_OFFENDER_MINUTES, 'a comma-separated list of minutes, each');
    if (n === null) return null;
    out.push(n);
  }
  return out;
}

function readMode(node: XmlNode, issues: Issues): ResponseMode | null {
  const v = leafText(node, issues);
  if (v === 'enforce' || v === 'simulate') return v;
  if (v !== null) issues.error(node, `Invalid value "${v}": expected enforce or simulate`);
  return null;
}

/** Elements that bind a response to rules or targets: never part of the agent-side form. */
const MANAGER_ONLY = ['agent_id', 'level', 'rules_group', 'rules_id', 'timeout'];

/**
 * Read an `<active-response>` block. A block with neither `<command>` nor `<location>` is the
 * agent-side form (only `disabled`, `repeated_offenders` and Riposte's defaults); its values apply
 * to every response that sets none. Disabled blocks are checked like the others.
 */
export function readActiveResponse(section: XmlNode, issues: Issues, draft: Draft): void {
  checkAttributes(section, issues);
  if (section.children.length === 0) {
    issues.warn(section, 'Empty <active-response> block: ignored');
    return;
  }
  const once = new SingleValued(issues);
  const errorsBefore = issues.errors.length;
  let command: string | null = null;
  let commandNode: XmlNode | null = null;
  let locationText: string | null = null;
  let locationNode: XmlNode | null = null;
  let agentId: string | null = null;
  let agentIdNode: XmlNode | null = null;
  let level: number | null = null;
  let rulesGroup: string | null = null;
  let rulesId: number[] = [];
  let rulesIdNode: XmlNode | null = null;
  let timeoutSec = 0;
  let timeoutNode: XmlNode | null = null;
  let disabled: boolean | null = null;
  let repeated: number[] | null = null;
  let offenderResetSec: number | null = null;
  let mode: ResponseMode | null = null;
  for (const child of section.children) {
    // `ca_store` may repeat (several CA files); it concerns agent upgrades, not responses.
    if (child.name === 'ca_store') continue;
    if (!once.first(child)) continue;
    switch (child.name) {
      case 'command':
        command = leafText(child, issues);
        commandNode = child;
        break;
      case 'location':
        locationText = leafText(child, issues);
        locationNode = child;
        break;
      case 'agent_id': {
        const v = leafText(child, issues);
        agentIdNode = child;
        // Wazuh reads a single id with atoi: 0 or a non-number drops the block (#22497).
        if (v !== null && (!/^\d+$/.test(v) || Number(v) === 0)) issues.error(child, `Invalid agent id "${v}": expected a single non-zero agent number`);
        else agentId = v;
        break;
      }
      case 'level': {
        const v = readInt(child, issues, 0, 20, 'a rule level');
        if (v === 0) issues.warn(child, 'Level 0 sets no level condition (as in Wazuh)');
        else if (v !== null && v > 16) issues.warn(child, `Level ${v} is above every rule level (16): it matches no rule by level`);
        if (v !== null && v > 0) level = v;
        break;
      }
      case 'rules_group': {
        const v = leafText(child, issues);
        if (v === null) break;
        try {
          compileOsRegex(v, { substrings: false });
          rulesGroup = v;
        } catch (err) {
          if (!(err instanceof RiposteError)) throw err;
          issues.error(child, `Invalid rules_group "${v}": ${err.message}`);
        }
        break;
      }
      case 'rules_id': {
        const v = leafText(child, issues);
        const ids = v === null ? null : parseRulesId(v, child, issues);
        if (ids !== null) rulesId = ids;
        rulesIdNode = child;
        break;
      }
      case 'timeout': {
        const v = readInt(child, issues, 0, INT_MAX, 'a number of seconds');
        if (v !== null) timeoutSec = v;
        timeoutNode = child;
        break;
      }
      case 'disabled':
        disabled = readYesNo(child, issues);
        break;
      case 'repeated_offenders':
        repeated = parseRepeatedOffenders(child, issues);
        break;
      case 'offender_reset':
        offenderResetSec = readInt(child, issues, 0, INT_MAX, 'a number of seconds');
        break;
      case 'mode':
        mode = readMode(child, issues);
        break;
      case 'ca_verification':
        readYesNo(child, issues);
        break;
      default:
        issues.error(child, 'Unknown element in <active-response>');
    }
  }

  const hasCommand = commandNode !== null;
  const hasLocation = locationNode !== null;
  if (!hasCommand && !hasLocation) {
    const bound = section.children.filter((c) => MANAGER_ONLY.includes(c.name));
    if (bound.length > 0) {
      issues.error(section, `Missing <command> and <location> (needed with <${bound.map((c) => c.name).join('>, <')}>)`);
      return;
    }
    mergeDefaults(section, issues, draft, { disabled, repeated, offenderResetSec, mode });
    return;
  }
  // The command is checked even if this block has other errors: every error of a load is reported.
  if (command !== null && commandNode !== null) draft.commandRefs.push({ name: command, node: commandNode });
  if (!hasCommand) issues.error(section, 'Missing <command>');
  if (!hasLocation) issues.error(section, 'Missing <location>');

  let location: ArLocation | null = null;
  if (locationText !== null && locationNode !== null) location = parseLocation(locationText, locationNode, issues);
  if (location === 'defined-agent' && agentId === null && agentIdNode === null) issues.error(locationNode ?? section, 'Location defined-agent needs an <agent_id>');
  if (location !== null && location !== 'defined-agent' && agentId !== null && agentIdNode !== null) {
    issues.warn(agentIdNode, `Ignored: <agent_id> is used only with location defined-agent, not "${location}"`);
  }
  if (level === null && rulesGroup === null && rulesId.length === 0 && issues.errors.length === errorsBefore) {
    issues.warn(section, 'No <level>, <rules_group> or <rules_id>: this response is bound to no rule');
  }
  if (repeated !== null && timeoutSec === 0 && issues.errors.length === errorsBefore) {
    issues.warn(section, 'repeated_offenders has no effect with a timeout of 0 (the action is never reverted)');
  }
  if (issues.errors.length > errorsBefore || command === null || commandNode === null || location === null) return;
  const ar: ArDraft = {
    node: section,
    disabled: disabled ?? false,
    command,
    commandNode,
    location,
    agentId: location === 'defined-agent' ? agentId : null,
    level,
    rulesGroup,
    rulesId,
    timeoutSec,
    timeoutNode,
    rulesIdNode,
    repeatedOffendersMin: repeated,
    offenderResetSec,
    mode,
  };
  draft.activeResponses.push(ar);
}

interface DefaultValues {
  readonly disabled: boolean | null;
  readonly repeated: number[] | null;
  readonly offenderResetSec: number | null;
  readonly mode: ResponseMode | null;
}

/**
 * Fold an agent-side block into the host-wide defaults. As execd does, the first value of each
 * setting wins; a later different value is reported.
 */
function mergeDefaults(section: XmlNode, issues: Issues, draft: Draft, v: DefaultValues): void {
  const d = (draft.defaults ??= { node: section, disabled: null, repeatedOffendersMin: null, offenderResetSec: null, mode: null });
  const keep = <T>(name: string, current: T | null, next: T | null): T | null => {
    if (next === null) return current;
    if (current === null) return next;
    if (JSON.stringify(current) !== JSON.stringify(next)) {
      issues.warn(section, `Ignored <${name}>: an earlier agent-side <active-response> (line ${d.node.line}) already sets it`);
    }
    return current;
  };
  d.disabled = keep('disabled', d.disabled, v.disabled);
  d.repeatedOffendersMin = keep('repeated_offenders', d.repeatedOffendersMin, v.repeated);
  d.offenderResetSec = keep('offender_reset', d.offenderResetSec, v.offenderResetSec);
  d.mode = keep('mode', d.mode, v.mode);
}
