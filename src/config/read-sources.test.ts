import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RiposteAggregateError } from '../errors.ts';
import { parseConfig } from './load.ts';

const conf = (body: string): string => `<ossec_config>\n${body}\n</ossec_config>\n`;

/** The errors of a load as "line <element>: message". */
function errorsOf(text: string): string[] {
  try {
    parseConfig(text, 't.conf');
  } catch (e) {
    assert.ok(e instanceof RiposteAggregateError, String(e));
    return e.errors.map((x) => `${x.location?.line} <${x.location?.element}>: ${x.message.replace(/^t\.conf:\d+ <[^>]+>: /, "")}`);
  }
  return [];
}

test('readLocalfile() reads Wazuh 4.14\'s journald block: filters, ignore_if_missing, only-future-events', () => {
  const cfg = parseConfig(
    conf(`<localfile>
  <log_format>journald</log_format>
  <location>journald</location>
  <filter field="_SYSTEMD_UNIT">^ssh.service$</filter>
  <filter field="PRIORITY" ignore_if_missing="yes">[0-5]</filter>
  <only-future-events>no</only-future-events>
</localfile>
<localfile><log_format>journald</log_format><location>journald</location></localfile>`),
    't.conf',
  );
  assert.deepEqual(cfg.localfiles, [
    {
      location: 'journald',
      logFormat: 'journald',
      filters: [
        { field: '_SYSTEMD_UNIT', expression: '^ssh.service$', ignoreIfMissing: false },
        { field: 'PRIORITY', expression: '[0-5]', ignoreIfMissing: true },
      ],
      onlyFutureEvents: false,
      origin: { file: 't.conf', line: 2 },
    },
    { location: 'journald', logFormat: 'journald', origin: { file: 't.conf', line: 9 } },
  ]);
  assert.deepEqual(cfg.warnings, []);
});

test('readLocalfile() rejects what a journald block cannot do, naming file and line', () => {
  assert.deepEqual(errorsOf(conf('<localfile><log_format>journald</log_format><location>/var/log/journal</location></localfile>')), [
    '2 <localfile>: Log format journald reads the journal: <location> must be "journald", not "/var/log/journal"',
  ]);
  const errs = errorsOf(
    conf(`<localfile><log_format>journald</log_format><location>journald</location>
<filter>^ssh.service$</filter>
<filter field="_systemd_unit">x</filter>
<filter field="_SYSTEMD_UNIT" ignore_if_missing="maybe">x</filter>
<filter field="_SYSTEMD_UNIT">(unclosed</filter>
<filter field="_SYSTEMD_UNIT" color="red">x</filter>
<skip_if_journald>yes</skip_if_journald>
<only-future-events>later</only-future-events>
</localfile>`),
  );
  assert.equal(errs.length, 7, errs.join('\n'));
  assert.match(errs[0] ?? '', /^3 <filter>: Missing attribute "field"/);
  assert.match(errs[1] ?? '', /^4 <filter>: Invalid journal field "_systemd_unit"/);
  assert.match(errs[2] ?? '', /^5 <filter>: Invalid value "maybe" of attribute "ignore_if_missing"/);
  assert.match(errs[3] ?? '', /^6 <filter>: Invalid PCRE2 expression "\(unclosed"/);
  assert.match(errs[4] ?? '', /^7 <filter>: Unknown attribute "color"/);
  assert.match(errs.join('\n'), /8 <skip_if_journald>: <skip_if_journald> belongs in a file <localfile>/);
  assert.match(errs.join('\n'), /9 <only-future-events>: Invalid value "later"/);
});

test('readLocalfile(): <skip_if_journald> on a file block; a <filter> there is a warning, not silently ignored', () => {
  const cfg = parseConfig(
    conf(`<localfile><log_format>syslog</log_format><location>/var/log/auth.log</location><skip_if_journald>yes</skip_if_journald></localfile>
<localfile><log_format>syslog</log_format><location>/var/log/syslog</location>
<filter field="X">y</filter></localfile>`),
    't.conf',
  );
  assert.deepEqual(cfg.localfiles, [
    { location: '/var/log/auth.log', logFormat: 'syslog', skipIfJournald: true },
    { location: '/var/log/syslog', logFormat: 'syslog' },
  ]);
  assert.deepEqual(cfg.warnings?.map((w) => `${w.line} <${w.element}>: ${w.message}`), ['4 <filter>: <filter> applies to log format journald only: ignored for log format syslog']);
});
