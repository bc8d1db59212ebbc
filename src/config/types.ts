/**
 * The validated, frozen configuration: what `ossec.conf` (plus Riposte's own elements) says.
 * Built once by the config loader; everything downstream reads only this shape.
 * @module
 */

/** `<command>`: a response program. */
export interface CommandConfig {
  readonly name: string;
  /** File name inside a response directory (never a path: no `/`, no `..`). */
  readonly executable: string;
  readonly timeoutAllowed: boolean;
  /** `<extra_args>` split on spaces, as Wazuh does. */
  readonly extraArgs: readonly string[];
  /** `<expect>`: accepted for compatibility (ignored by Wazuh since 4.2); e.g. ['srcip'] or ['user']. */
  readonly expect: readonly string[];
  /** Per-run timeout that kills the program (Riposte: `<run_timeout>` seconds, default 60). */
  readonly runTimeoutSec: number;
  readonly source: { readonly file: string; readonly line: number };
}

export type ArLocation = 'local' | 'server' | 'defined-agent' | 'all';

/** Riposte's mode per response: enforce, or only record what would have happened. */
export type ResponseMode = 'enforce' | 'simulate';

/** `<active-response>` bound to rules. */
export interface ActiveResponseConfig {
  /** Stable name: `<command><timeout>` as Wazuh names ARs (e.g. "firewall-drop600"). */
  readonly name: string;
  readonly disabled: boolean;
  readonly command: string;
  readonly location: ArLocation;
  readonly agentId: string | null;
  /** Minimum rule level, or null when not set. */
  readonly level: number | null;
  /** `<rules_group>`: an OS_Regex (as Wazuh's Rule_AddAR uses), matched against the rule's group string. */
  readonly rulesGroup: string | null;
  readonly rulesId: readonly number[];
  /** Line of the `<rules_id>` element (post-load checks report unknown rules there). */
  readonly rulesIdLine?: number;
  /** Seconds; 0 = no automatic revert (also forced to 0 when the command has timeout_allowed=no). */
  readonly timeoutSec: number;
  /** Escalated timeouts for repeat offenders, in minutes (Wazuh's `<repeated_offenders>`). */
  readonly repeatedOffendersMin: readonly number[];
  /** Riposte: forget an offender after this many seconds without a new offence (0 = never, as Wazuh). */
  readonly offenderResetSec: number;
  readonly mode: ResponseMode;
  readonly source: { readonly file: string; readonly line: number };
}

/** One allowlist entry (`<white_list>` or Riposte's `<allowlist>`), IP/CIDR or account. */
export interface AllowEntry {
  readonly kind: 'ip' | 'account';
  /** As written (e.g. "192.0.2.0/24", "2001:db8::/32", "root"). */
  readonly value: string;
  readonly reason: string;
}

export interface LocalFileConfig {
  readonly location: string;
  readonly logFormat: string;
  /**
   * journald only: Wazuh 4.14's `<filter field="F" ignore_if_missing="yes|no">PCRE2</filter>`.
   * All filters of one block must match (AND); the journald blocks of a configuration add up (OR).
   * Absent when the block has none.
   */
  readonly filters?: readonly JournalFilterConfig[];
  /** journald only: `<only-future-events>no</only-future-events>` (read the journal from its start on a first start). */
  readonly onlyFutureEvents?: false;
  /** Riposte's `<skip_if_journald>yes</skip_if_journald>` on a file: not read when the configuration's journal source is active. */
  readonly skipIfJournald?: true;
  /** journald only: where the block is, for messages about it at run time. */
  readonly origin?: { readonly file: string; readonly line: number };
}

/** One `<filter>` of a journald `<localfile>`. */
export interface JournalFilterConfig {
  /** The journal field, e.g. `_SYSTEMD_UNIT`. */
  readonly field: string;
  /** A PCRE2 pattern (byte string), checked at load. */
  readonly expression: string;
  /** An entry without the field passes this filter (default: it fails it). */
  readonly ignoreIfMissing: boolean;
}

export interface RulesetConfig {
  readonly decoderDirs: readonly string[];
  readonly ruleDirs: readonly string[];
  readonly decoderFiles: readonly string[];
  readonly ruleFiles: readonly string[];
  /** Configured list paths as rules name them (e.g. "etc/lists/audit-keys"). */
  readonly lists: readonly string[];
  readonly ruleExclude: readonly string[];
  readonly decoderExclude: readonly string[];
  /** OS_Regex each file path ("dir/name") of `decoderDirs[i]` must match (`pattern` attribute; default ".xml$"). */
  readonly decoderDirPatterns?: readonly string[];
  /** Same as `decoderDirPatterns`, for `ruleDirs`. */
  readonly ruleDirPatterns?: readonly string[];
  /** Line of the first `<ruleset>` section of the configuration file. */
  readonly line?: number;
}

/** A finding that does not stop the load (e.g. a value adjusted as Wazuh adjusts it). */
export interface ConfigWarning {
  readonly file: string;
  readonly line: number;
  readonly element: string;
  readonly message: string;
}

/**
 * The agent-side `<active-response>` form (no `<command>` nor `<location>`): host-wide settings.
 * Its values apply to every ActiveResponseConfig that does not set its own.
 */
export interface ResponseDefaults {
  /** `<disabled>yes</disabled>` here turns off every response on this host (Wazuh's execd off). */
  readonly disabled: boolean;
  readonly repeatedOffendersMin: readonly number[];
  /** Riposte: default `<offender_reset>` (null when not set). */
  readonly offenderResetSec: number | null;
  /** Riposte: default `<mode>` (null when not set). */
  readonly mode: ResponseMode | null;
  readonly source: { readonly file: string; readonly line: number };
}

export interface RiposteConfig {
  readonly file: string;
  readonly allowlist: readonly AllowEntry[];
  /** CDB list files whose keys are allowlisted accounts (Riposte's `<allowlist><account_list>`). */
  readonly accountAllowlistFiles: readonly string[];
  readonly commands: ReadonlyMap<string, CommandConfig>;
  readonly activeResponses: readonly ActiveResponseConfig[];
  readonly localfiles: readonly LocalFileConfig[];
  readonly ruleset: RulesetConfig | null;
  /** `<global><logall>` etc. are accepted and ignored; `log_alert_level` from `<alerts>`. */
  readonly logAlertLevel: number;
  /** `<global><memory_size>`: events kept for correlation; absent: analysisd's default (8192). */
  readonly memorySize?: number;
  /** Line of the first `<ossec_config>` root, where file-wide findings are reported. */
  readonly rootLine?: number;
  /** Non-fatal findings of the load, in file order. */
  readonly warnings?: readonly ConfigWarning[];
  /** Present when the file has an agent-side `<active-response>` block. */
  readonly responseDefaults?: ResponseDefaults;
}
