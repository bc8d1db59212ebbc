/**
 * Names Wazuh 4.14 accepts in `ossec.conf` that Riposte reads but does not use. They are accepted
 * so that a stock Wazuh configuration loads; anything else is an error.
 * @module
 */

/**
 * Top-level sections of `<ossec_config>` that Wazuh's `read_main_elements` accepts and Riposte
 * ignores entirely (content not checked). Wodles such as osquery or syscollector are
 * `<wodle name="...">`, so they are covered by `wodle`.
 */
export const IGNORED_SECTIONS: ReadonlySet<string> = new Set([
  'agent-upgrade',
  'agentless',
  'anti_tampering',
  'auth',
  'client',
  'client_buffer',
  'cluster',
  'database_output',
  'email_alerts',
  'fluent-forward',
  'gcp-bucket',
  'gcp-pubsub',
  'github',
  'indexer',
  'integration',
  'labels',
  'logging',
  'ms-graph',
  'office365',
  'remote',
  'reports',
  'rootcheck',
  'rule_test',
  'sca',
  'socket',
  'syscheck',
  'syslog_output',
  'task-manager',
  'vulnerability-detection',
  'vulnerability-detector',
  'wdb',
  'wodle',
]);

/** `<global>` elements Wazuh reads as yes/no: the value is checked, then ignored. */
export const GLOBAL_YES_NO: ReadonlySet<string> = new Set([
  'alerts_log',
  'email_notification',
  'jsonout_output',
  'logall',
  'logall_json',
  'picviz_output',
  'prelude_output',
  'update_check',
  'zeromq_output',
]);

/** Other `<global>` elements of Wazuh 4.x (mail, outputs, limits, ...): accepted, not checked. */
export const GLOBAL_IGNORED: ReadonlySet<string> = new Set([
  'agents_disconnection_alert_time',
  'agents_disconnection_time',
  'compress_alerts',
  'cti-url',
  'custom_alert_output',
  'email_from',
  'email_idsname',
  'email_log_source',
  'email_maxperhour',
  'email_reply_to',
  'email_to',
  'forward_to',
  'geoip6_db_path',
  'geoip_db_path',
  'geoipdb',
  'helo_server',
  'host_information',
  'integrity_checking',
  'limits',
  'max_output_size',
  'picviz_socket',
  'prelude_log_level',
  'prelude_profile',
  'queue_size',
  'rootkit_detection',
  'rotate_interval',
  'smtp_server',
  'stats',
  'zeromq_client_cert',
  'zeromq_server_cert',
  'zeromq_uri',
]);

/** `<localfile>` children of Wazuh 4.x that Riposte accepts and ignores. */
export const LOCALFILE_IGNORED: ReadonlySet<string> = new Set([
  'age',
  'alias',
  'command',
  'exclude',
  'filter',
  'frequency',
  'ignore',
  'ignore_binaries',
  'label',
  'multiline_regex',
  'only-future-events',
  'out_format',
  'query',
  'reconnect_time',
  'restrict',
  'target',
]);

/** `log_format` values of Wazuh 4.x logcollector (plus `multi-line: N`, checked apart). */
export const LOG_FORMATS: ReadonlySet<string> = new Set([
  'apache',
  'audit',
  'command',
  'djb-multilog',
  'eventchannel',
  'eventlog',
  'full_command',
  'generic',
  'iis',
  'journald',
  'json',
  'macos',
  'multi-line-regex',
  'mssql_log',
  'mysql_log',
  'nmapg',
  'ossecalert',
  'postgresql_log',
  'snort-fast',
  'snort-full',
  'squid',
  'syslog',
  'syslog-pipe',
]);

/** Formats whose input is a command's output rather than a file. */
export const COMMAND_LOG_FORMATS: ReadonlySet<string> = new Set(['command', 'full_command']);

/** Formats that default their location to the format name when `<location>` is absent. */
export const SELF_LOCATED_LOG_FORMATS: ReadonlySet<string> = new Set(['journald', 'macos']);
