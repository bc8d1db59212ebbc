/**
 * Cross-section checks and defaults: command names, the responses' commands, Wazuh's timeout rule,
 * and the host-wide defaults of the agent-side `<active-response>` block.
 * @module
 */
import type { Draft } from './draft.ts';
import type { Issues } from './issues.ts';
import { finishRuleset } from './read-sources.ts';
import type { ActiveResponseConfig, CommandConfig, ResponseDefaults, RiposteConfig } from './types.ts';

/**
 * Build the configuration from what the sections gave. Commands may be defined after the responses
 * that use them (Wazuh needs them first; Riposte reads the whole file before binding).
 */
export function resolve(draft: Draft, issues: Issues): RiposteConfig {
  const file = issues.file;
  const commands = new Map<string, CommandConfig>();
  const firstLine = new Map<string, number>();
  for (const { config, nameNode } of draft.commands) {
    const prev = firstLine.get(config.name);
    if (prev !== undefined) {
      issues.error(nameNode, `Duplicate command name "${config.name}" (first defined at line ${prev})`);
      continue;
    }
    firstLine.set(config.name, config.source.line);
    commands.set(config.name, config);
  }

  // Every reference, including those of blocks dropped for another error; a command dropped for
  // its own error was reported already.
  for (const ref of draft.commandRefs) {
    if (!draft.commandNames.has(ref.name)) issues.error(ref.node, `Unknown command "${ref.name}": no <command> has this <name>`);
  }
  const d = draft.defaults;
  const activeResponses: ActiveResponseConfig[] = [];
  for (const ar of draft.activeResponses) {
    const cmd = commands.get(ar.command);
    if (cmd === undefined) continue;
    let timeoutSec = ar.timeoutSec;
    if (timeoutSec > 0 && !cmd.timeoutAllowed) {
      issues.warn(ar.timeoutNode ?? ar.node, `Timeout ${timeoutSec} set to 0: command "${cmd.name}" has timeout_allowed=no (as Wazuh does)`);
      timeoutSec = 0;
    }
    activeResponses.push({
      name: `${cmd.name}${timeoutSec}`,
      disabled: ar.disabled,
      command: cmd.name,
      location: ar.location,
      agentId: ar.agentId,
      level: ar.level,
      rulesGroup: ar.rulesGroup,
      rulesId: ar.rulesId,
      timeoutSec,
      ...(ar.rulesIdNode !== null ? { rulesIdLine: ar.rulesIdNode.line } : {}),
      repeatedOffendersMin: ar.repeatedOffendersMin ?? d?.repeatedOffendersMin ?? [],
      offenderResetSec: ar.offenderResetSec ?? d?.offenderResetSec ?? 0,
      mode: ar.mode ?? d?.mode ?? 'enforce',
      source: { file, line: ar.node.line },
    });
  }

  let ruleset: RiposteConfig['ruleset'] = null;
  if (draft.ruleset !== null) {
    finishRuleset(draft.ruleset);
    ruleset = { ...draft.ruleset, ...(draft.rulesetLine !== null ? { line: draft.rulesetLine } : {}) };
  }

  const base = {
    file,
    allowlist: draft.allowlist,
    accountAllowlistFiles: draft.accountAllowlistFiles,
    commands,
    activeResponses,
    localfiles: draft.localfiles,
    ruleset,
    logAlertLevel: draft.logAlertLevel,
    ...(draft.memorySize !== null ? { memorySize: draft.memorySize } : {}),
    rootLine: draft.rootLine ?? 1,
    warnings: [...issues.warnings].sort((a, b) => a.line - b.line),
  };
  if (d === null) return base;
  const responseDefaults: ResponseDefaults = {
    disabled: d.disabled ?? false,
    repeatedOffendersMin: d.repeatedOffendersMin ?? [],
    offenderResetSec: d.offenderResetSec,
    mode: d.mode,
    source: { file, line: d.node.line },
  };
  return { ...base, responseDefaults };
}
