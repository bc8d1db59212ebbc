/**
 * The mutable result of reading the sections, before cross-checks (command references,
 * timeouts, host-wide defaults) turn it into a RiposteConfig.
 * @module
 */
import type { XmlNode } from '../xml/types.ts';
import type { AllowEntry, ArLocation, CommandConfig, LocalFileConfig, ResponseMode } from './types.ts';

/** A `<command>` as read, with the node of its `<name>` for duplicate reports. */
export interface CommandDraft {
  readonly config: CommandConfig;
  readonly nameNode: XmlNode;
}

/** An `<active-response>` bound to rules, as read. */
export interface ArDraft {
  readonly node: XmlNode;
  disabled: boolean;
  command: string;
  commandNode: XmlNode;
  location: ArLocation;
  agentId: string | null;
  level: number | null;
  rulesGroup: string | null;
  rulesId: number[];
  timeoutSec: number;
  timeoutNode: XmlNode | null;
  /** The `<rules_id>` element, when present. */
  rulesIdNode: XmlNode | null;
  /** null when the block does not set it (host-wide defaults then apply). */
  repeatedOffendersMin: number[] | null;
  offenderResetSec: number | null;
  mode: ResponseMode | null;
}

/** The agent-side `<active-response>` settings, first value of each kept. */
export interface DefaultsDraft {
  readonly node: XmlNode;
  disabled: boolean | null;
  repeatedOffendersMin: number[] | null;
  offenderResetSec: number | null;
  mode: ResponseMode | null;
}

export interface RulesetDraft {
  decoderDirs: string[];
  decoderDirPatterns: string[];
  ruleDirs: string[];
  ruleDirPatterns: string[];
  decoderFiles: string[];
  ruleFiles: string[];
  lists: string[];
  ruleExclude: string[];
  decoderExclude: string[];
}

/** A `<command>` named by an `<active-response>`, checked even when its block has other errors. */
export interface CommandRef {
  readonly name: string;
  readonly node: XmlNode;
}

export interface Draft {
  allowlist: AllowEntry[];
  commandRefs: CommandRef[];
  /** Names of every `<command>` with a valid name, including those dropped for another error. */
  commandNames: Set<string>;
  accountAllowlistFiles: string[];
  commands: CommandDraft[];
  activeResponses: ArDraft[];
  defaults: DefaultsDraft | null;
  localfiles: LocalFileConfig[];
  ruleset: RulesetDraft | null;
  /** Line of the first `<ruleset>` section. */
  rulesetLine: number | null;
  logAlertLevel: number;
  /** `<global><memory_size>`: events kept for correlation (null: analysisd's default, 8192). */
  memorySize: number | null;
  /** Line of the first `<ossec_config>` root (where file-wide findings are reported). */
  rootLine: number | null;
}

/** Wazuh's analysisd default when `<alerts><log_alert_level>` is absent. */
export const DEFAULT_LOG_ALERT_LEVEL = 1;

export function emptyDraft(): Draft {
  return {
    allowlist: [],
    commandRefs: [],
    commandNames: new Set(),
    accountAllowlistFiles: [],
    commands: [],
    activeResponses: [],
    defaults: null,
    localfiles: [],
    ruleset: null,
    rulesetLine: null,
    logAlertLevel: DEFAULT_LOG_ALERT_LEVEL,
    memorySize: null,
    rootLine: null,
  };
}
