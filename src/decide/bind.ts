/**
 * Step 1 of decide: which `<active-response>` blocks a fired rule is bound to, with Wazuh's
 * load-time binding semantics (`Rule_AddAR` in analysisd `rules.c`):
 * - disabled blocks never bind; rules of level 0 and rules with `no_ar` never bind;
 * - `level` and `rules_group` both set: the rule must satisfy both; otherwise either one set;
 * - `rules_id` is always OR'ed in, so `level 10 + rules_id 100101` fires for every alert of
 *   level ≥ 10 too (#34453, kept for compatibility);
 * - a `level` of 0 counts as unset (the C tests the int for truth).
 *
 * `rules_group` is matched with OS_Regex (the C calls `OS_Regex`, not `OS_Match`) against the
 * rule's comma-terminated group string. For the usual `a|b` word patterns the two dialects agree;
 * they differ only for regex tokens such as `\w` or `+`, where we follow the reference.
 * @module
 */
import { RiposteError } from '../errors.ts';
import { compileOsRegex } from '../regex/os-regex.ts';
import type { CompiledPattern } from '../regex/types.ts';
import type { ActiveResponseConfig, AlertV1 } from './types.ts';

/** The responses bound to a rule, in configuration order (the same array for the same rule). */
export type BindingFn = (rule: AlertV1['rule']) => readonly ActiveResponseConfig[];

interface CompiledBinding {
  readonly response: ActiveResponseConfig;
  /** 0 when unset. */
  readonly level: number;
  readonly group: CompiledPattern | null;
  readonly ids: ReadonlySet<number>;
}

interface CacheEntry {
  readonly level: number;
  readonly groups: string;
  readonly noAr: boolean;
  readonly bound: readonly ActiveResponseConfig[];
}

const NONE: readonly ActiveResponseConfig[] = Object.freeze([]);

/**
 * Compile the responses' binding conditions once (regexes compiled at load).
 * @param responses every `<active-response>` block, in configuration order
 * @returns a function giving the responses bound to a rule; results are cached per rule id (and
 *   re-checked against the rule's level, groups and no_ar), so the hot path allocates nothing
 * @throws RiposteError(RIPOSTE_ERR_REGEX_SYNTAX) when a `rules_group` is not a valid OS_Regex
 * @example
 * const bind = compileBindings(config.activeResponses);
 * bind({ id: 5716, level: 5, groups: 'syslog,sshd,authentication_failed,', noAr: false });
 */
export function compileBindings(responses: readonly ActiveResponseConfig[]): BindingFn {
  const compiled: CompiledBinding[] = [];
  for (const response of responses) {
    if (response.disabled) continue;
    compiled.push({
      response,
      level: response.level ?? 0,
      group: response.rulesGroup === null ? null : compileGroup(response),
      ids: new Set(response.rulesId),
    });
  }
  const cache = new Map<number, CacheEntry>();
  return (rule) => {
    const hit = cache.get(rule.id);
    if (hit && hit.level === rule.level && hit.groups === rule.groups && hit.noAr === rule.noAr) return hit.bound;
    const bound = bindRule(compiled, rule);
    cache.set(rule.id, { level: rule.level, groups: rule.groups, noAr: rule.noAr, bound });
    return bound;
  };
}

function compileGroup(response: ActiveResponseConfig): CompiledPattern {
  try {
    return compileOsRegex(response.rulesGroup as string, { substrings: false });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new RiposteError('RIPOSTE_ERR_REGEX_SYNTAX', `Invalid <rules_group> of active response "${response.name}": ${message}`, { ...response.source, element: 'rules_group' }, { cause: err });
  }
}

function bindRule(compiled: readonly CompiledBinding[], rule: AlertV1['rule']): readonly ActiveResponseConfig[] {
  if (rule.level <= 0 || rule.noAr) return NONE;
  let out: ActiveResponseConfig[] | null = null;
  for (const b of compiled) {
    if (matches(b, rule)) (out ??= []).push(b.response);
  }
  return out === null ? NONE : Object.freeze(out);
}

function matches(b: CompiledBinding, rule: AlertV1['rule']): boolean {
  if (b.ids.has(rule.id)) return true;
  const levelOk = b.level > 0 && rule.level >= b.level;
  if (b.level > 0 && b.group) return levelOk && b.group.test(rule.groups);
  return levelOk || (b.group !== null && b.group.test(rule.groups));
}
