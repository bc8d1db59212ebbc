/**
 * What a response program receives, in Wazuh 4.x's two dialects:
 * - the JSON line execd writes on the program's stdin (reference §1.4): analysisd's message with
 *   `command` set to `add`/`delete`, `origin.module` to `wazuh-execd`, and `parameters.program`
 *   added after `extra_args` and `alert`;
 * - the legacy positional arguments of agents before 4.2 (§1.3):
 *   `<add|delete> <user|-> <ip|-> <alertid> <ruleid> <location> <file|-> [extra_args…]`.
 *
 * The target in the message is the Decision's validated target, not the raw log field: the field
 * the stock programs read first (`win.eventdata.ipAddress`, `win.eventdata.destinationIp`, then
 * `srcip`; `dstuser` for users) is set to the canonical value, so a program can only act on what
 * decide validated and allowlisted. Legacy arguments carry only the target (the other of user/ip
 * is `-`), and `location` is one argument (Wazuh's old execd split it on spaces).
 *
 * Size: the stock programs read one line of at most 64 KiB; Wazuh truncates a larger alert into
 * invalid JSON. Here `full_log` is shortened first, then the alert is cut down to its identifying
 * fields and the target; a message that still does not fit is an error.
 * @module
 */
import type { CommandConfig } from '../config/types.ts';
import { IP_FIELDS, USER_FIELD } from '../decide/target.ts';
import type { AlertV1, DecisionV1, Target } from '../decide/types.ts';
import { ruleGroups } from '../engine/output.ts';
import { RiposteError } from '../errors.ts';

/** What the program is asked to do. */
export type ArAction = 'add' | 'delete';

/** The answer to a `check_keys` reply. */
export type KeysAnswer = 'continue' | 'abort';

/** An alert in the `alerts.json` layout (`timestamp`, `rule`, `agent`, `id`, `full_log`, `data`, `location`…). */
export type AlertJson = Readonly<Record<string, unknown>>;

/** The JSON message of Wazuh 4.x (one line on the program's stdin). */
export interface ArMessageV1 {
  readonly version: 1;
  readonly origin: { readonly name: string; readonly module: string };
  /** `add` or `delete`; in the handshake answer, `continue` or `abort`. */
  readonly command: ArAction | KeysAnswer;
  readonly parameters: {
    readonly extra_args: readonly string[];
    readonly alert: AlertJson;
    /** `active-response/bin/<executable>`, as execd adds it. */
    readonly program: string;
  };
}

/** Longest JSON line (without its newline) the stock programs read whole (`fgets` into OS_MAXSTR). */
export const MAX_MESSAGE_BYTES = 65_534;

/** Longest handshake key execd keeps (4 KiB buffer with its terminator). */
const MAX_RKEY = 4095;

/** Fields of an alert kept when the message must be cut down. */
const ESSENTIAL = ['timestamp', 'rule', 'agent', 'manager', 'id', 'location'] as const;

/**
 * The `program` value execd writes: `active-response/bin/<executable>`.
 * @example programField('firewall-drop') // 'active-response/bin/firewall-drop'
 */
export function programField(executable: string): string {
  return `active-response/bin/${executable}`;
}

/** What `toAlertJson` cannot take from an `AlertV1`. */
export interface AlertJsonContext {
  readonly agentName?: string;
  readonly ruleDescription?: string;
  readonly managerName?: string;
  readonly decoderName?: string;
}

/**
 * The `alerts.json` form of a decide-stage alert (dotted data keys nest, as in alerts.json).
 * @example toAlertJson(alert, { agentName: 'web01', ruleDescription: 'sshd: brute force' })
 */
export function toAlertJson(alert: AlertV1, ctx: AlertJsonContext = {}): AlertJson {
  const out: Record<string, unknown> = {
    timestamp: formatAlertTimestamp(new Date(alert.time * 1000)),
    rule: {
      level: alert.rule.level,
      description: ctx.ruleDescription ?? '',
      id: String(alert.rule.id),
      groups: ruleGroups(alert.rule.groups),
    },
    agent: { id: alert.agentId, name: ctx.agentName ?? '' },
  };
  if (ctx.managerName !== undefined) out['manager'] = { name: ctx.managerName };
  out['id'] = alert.id;
  out['full_log'] = alert.fullLog;
  if (ctx.decoderName !== undefined) out['decoder'] = { name: ctx.decoderName };
  out['data'] = nestData(alert.data);
  out['location'] = alert.location;
  return out;
}

/**
 * An alerts.json timestamp: local time, milliseconds and the UTC offset (`%Y-%m-%dT%H:%M:%S.mmm%z`).
 * @example formatAlertTimestamp(new Date(2024, 0, 2, 3, 4, 5, 6)) // '2024-01-02T03:04:05.006+0000' in UTC
 */
export function formatAlertTimestamp(d: Date): string {
  const off = -d.getTimezoneOffset();
  const abs = Math.abs(off);
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}${off < 0 ? '-' : '+'}${p2(Math.floor(abs / 60))}${p2(abs % 60)}`;
}

/**
 * The JSON message for a Decision, as Wazuh's execd writes it to the program.
 * @param decision the Decision (its target replaces the raw field in `alert.data`)
 * @param alert the alert in alerts.json layout (e.g. from `toAlertJson`)
 * @param command the response's `<command>` (executable, extra_args)
 * @param action `add` to apply, `delete` to revert
 * @param opts.originName `origin.name` (the cluster node name; Wazuh leaves it empty otherwise)
 * @throws RiposteError `RIPOSTE_ERR_EXEC_MESSAGE` when even the cut-down message is over 64 KiB
 * @example JSON.stringify(buildArMessage(decision, toAlertJson(alert), cmd, 'add'))
 */
export function buildArMessage(decision: DecisionV1, alert: AlertJson, command: CommandConfig, action: ArAction, opts: { readonly originName?: string } = {}): ArMessageV1 {
  const origin = { name: opts.originName ?? '', module: 'wazuh-execd' };
  const program = programField(command.executable);
  const make = (a: AlertJson): ArMessageV1 => ({ version: 1, origin, command: action, parameters: { extra_args: [...command.extraArgs], alert: a, program } });
  const full = withTarget(alert, decision.target);
  let msg = make(full);
  let size = jsonBytes(msg);
  if (size <= MAX_MESSAGE_BYTES) return msg;

  const log = full['full_log'];
  if (typeof log === 'string') {
    // Shorten full_log until it fits (JSON escapes make the byte cost of a cut approximate).
    let keep = Buffer.byteLength(log, 'utf8') - (size - MAX_MESSAGE_BYTES);
    while (keep > 0) {
      msg = make({ ...full, full_log: cutUtf8(log, keep) });
      size = jsonBytes(msg);
      if (size <= MAX_MESSAGE_BYTES) return msg;
      keep -= Math.max(size - MAX_MESSAGE_BYTES, 1);
    }
  }
  const small: Record<string, unknown> = {};
  for (const k of ESSENTIAL) if (Object.hasOwn(full, k)) small[k] = full[k];
  small['full_log'] = '';
  msg = make(withTarget({ ...small, data: {} }, decision.target));
  if (jsonBytes(msg) <= MAX_MESSAGE_BYTES) return msg;
  throw new RiposteError('RIPOSTE_ERR_EXEC_MESSAGE', `The message for ${command.executable} (decision ${decision.decisionId}) is over ${MAX_MESSAGE_BYTES} bytes even without the log line and optional alert fields`);
}

/**
 * The positional arguments of the legacy protocol (agents < 4.2), after the program name.
 * @example legacyArgs(decision, alert, cmd, 'add') // ['add', '-', '203.0.113.7', '1700000000.1', '5712', '/var/log/auth.log', '-']
 */
export function legacyArgs(decision: DecisionV1, alert: AlertJson, command: CommandConfig, action: ArAction): string[] {
  const t = decision.target;
  const location = typeof alert['location'] === 'string' && alert['location'] !== '' ? alert['location'] : '-';
  const syscheck = alert['syscheck'];
  const path = isObject(syscheck) && typeof syscheck['path'] === 'string' && syscheck['path'] !== '' ? syscheck['path'] : '-';
  return [
    action,
    t.kind === 'user' ? t.value : '-',
    t.kind === 'ip' ? t.value : '-',
    decision.alertId,
    String(decision.ruleId),
    location,
    path,
    ...command.extraArgs,
  ];
}

/**
 * The key execd files a run under after `check_keys` (`rkey`): the program's base name, then
 * `-<key>` for each key, at most 4095 bytes.
 * @example handshakeKey('active-response/bin/firewall-drop', ['1.2.3.4']) // 'firewall-drop-1.2.3.4'
 */
export function handshakeKey(program: string, keys: readonly string[]): string {
  const base = program.slice(program.lastIndexOf('/') + 1);
  const key = base + keys.map((k) => `-${k}`).join('');
  return key.length > MAX_RKEY ? cutUtf8(key, MAX_RKEY) : key;
}

/** A copy of `alert` whose target field holds the Decision's target (see the module comment). */
function withTarget(alert: AlertJson, target: Target): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(alert)) as Record<string, unknown>;
  const found = own(copy, 'data');
  const data = isObject(found) ? found : (copy['data'] = {});
  if (target.kind === 'user') {
    data[USER_FIELD] = target.value;
    return copy;
  }
  for (const field of IP_FIELDS) {
    const parts = field.split('.');
    let node: Record<string, unknown> = data;
    for (let i = 0; i < parts.length - 1 && isObject(node); i++) node = own(node, parts[i] as string) as Record<string, unknown>;
    const leaf = parts[parts.length - 1] as string;
    // The first field present is the one the programs read, whatever its value.
    if (isObject(node) && Object.hasOwn(node, leaf)) {
      node[leaf] = target.value;
      return copy;
    }
  }
  data['srcip'] = target.value;
  return copy;
}

/**
 * Flat dotted keys → nested objects; on a clash the first key wins (as alerts.json does). Keys
 * come from logs: objects have no prototype, so `__proto__.x` is plain data, not pollution.
 */
function nestData(flat: Readonly<Record<string, string>>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = out;
    let ok = true;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] as string;
      const next = own(node, part);
      if (next === undefined) node = node[part] = Object.create(null) as Record<string, unknown>;
      else if (isObject(next)) node = next;
      else {
        ok = false;
        break;
      }
    }
    const leaf = parts[parts.length - 1] as string;
    if (ok && !Object.hasOwn(node, leaf)) node[leaf] = value;
  }
  return out;
}

function own(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v), 'utf8');
}

/** The longest prefix of `s` of at most `bytes` UTF-8 bytes that does not split a character. */
function cutUtf8(s: string, bytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= bytes) return s;
  let end = Math.max(0, bytes);
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

function p2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
