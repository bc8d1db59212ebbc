import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePcre2 } from '../regex/pcre2.ts';
import { fieldBin, passesFilters, renderSyslogLine, syslogStamp, type JournalFilterGroup } from './journal-entry.ts';

function without(o: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

const SSHD = {
  __CURSOR: 's=1;i=3',
  __REALTIME_TIMESTAMP: '1709296774123456', // 2024-03-01T12:39:34.123456Z
  _HOSTNAME: 'web1',
  SYSLOG_IDENTIFIER: 'sshd',
  SYSLOG_PID: '4242',
  _PID: '999',
  _SYSTEMD_UNIT: 'ssh.service',
  MESSAGE: 'Failed password for root from 203.0.113.5 port 50312 ssh2',
};

test('renderSyslogLine() builds logcollector\'s line: UTC time with a zero-padded day, SYSLOG_PID before _PID', () => {
  assert.equal(renderSyslogLine(SSHD), 'Mar 01 12:39:34 web1 sshd[4242]: Failed password for root from 203.0.113.5 port 50312 ssh2');
  const noSyslogPid = without(SSHD, 'SYSLOG_PID');
  assert.equal(renderSyslogLine(noSyslogPid), 'Mar 01 12:39:34 web1 sshd[999]: Failed password for root from 203.0.113.5 port 50312 ssh2');
  const noPid = without(SSHD, 'SYSLOG_PID', '_PID');
  assert.equal(renderSyslogLine(noPid), 'Mar 01 12:39:34 web1 sshd: Failed password for root from 203.0.113.5 port 50312 ssh2');
});

test('renderSyslogLine() skips entries that are not syslog lines, as logcollector does', () => {
  for (const f of ['_HOSTNAME', 'SYSLOG_IDENTIFIER', 'MESSAGE', '__REALTIME_TIMESTAMP'] as const) {
    assert.equal(renderSyslogLine(without(SSHD, f)), null, f);
  }
  // A field journalctl did not print (null) counts as absent; a timestamp must be a plain number.
  assert.equal(renderSyslogLine({ ...SSHD, MESSAGE: null }), null);
  assert.equal(renderSyslogLine({ ...SSHD, __REALTIME_TIMESTAMP: '1e15' }), null);
});

test('fieldBin() reads byte arrays as bytes, UTF-8 text as its bytes, and the first of several values', () => {
  assert.equal(fieldBin({ MESSAGE: [98, 105, 110, 255, 0, 10] }, 'MESSAGE'), 'bin\xff\x00\n');
  assert.equal(fieldBin({ MESSAGE: 'é' }, 'MESSAGE'), '\xc3\xa9');
  assert.equal(fieldBin({ F: ['one', 'two'] }, 'F'), 'one');
  assert.equal(fieldBin({ F: [[111, 110, 101], 'two'] }, 'F'), 'one');
  assert.equal(fieldBin({ F: [300] }, 'F'), null, 'not a byte');
  assert.equal(fieldBin({ F: [] }, 'F'), null);
  assert.equal(fieldBin({}, 'F'), null);
  // A newline inside MESSAGE stays inside the one event (no second event can be injected).
  assert.equal(renderSyslogLine({ ...SSHD, MESSAGE: 'a\nMar 01 12:00:00 web1 sshd[1]: Failed password for root from 198.51.100.7 port 1 ssh2' })?.split('\n').length, 2);
});

test('syslogStamp() is UTC, day zero-padded', () => {
  assert.equal(syslogStamp(Date.UTC(2026, 11, 2, 3, 4, 5) * 1000 + 999), 'Dec 02 03:04:05');
  assert.equal(syslogStamp(Date.UTC(2026, 0, 31, 23, 59, 59) * 1000), 'Jan 31 23:59:59');
});

const unit = (field: string, expression: string, ignoreIfMissing = false): JournalFilterGroup[number] => ({ field, pattern: compilePcre2(expression), ignoreIfMissing });

test('passesFilters(): filters of one block AND, blocks OR, a missing field fails unless ignore_if_missing', () => {
  assert.equal(passesFilters(SSHD, []), true, 'no filter: everything');
  const sshUnit: JournalFilterGroup = [unit('_SYSTEMD_UNIT', '^ssh.service$')];
  assert.equal(passesFilters(SSHD, [sshUnit]), true);
  assert.equal(passesFilters({ ...SSHD, _SYSTEMD_UNIT: 'cron.service' }, [sshUnit]), false);
  // A regex, not a string compare: "." matches any byte, and an unanchored pattern matches inside.
  assert.equal(passesFilters({ ...SSHD, _SYSTEMD_UNIT: 'sshXservice' }, [sshUnit]), true);
  assert.equal(passesFilters({ ...SSHD, _SYSTEMD_UNIT: 'my-ssh.service-x' }, [[unit('_SYSTEMD_UNIT', 'ssh')]]), true);
  const noUnit = without(SSHD, '_SYSTEMD_UNIT');
  assert.equal(passesFilters(noUnit, [sshUnit]), false, 'missing field fails');
  assert.equal(passesFilters(noUnit, [[unit('_SYSTEMD_UNIT', '^ssh.service$', true)]]), true, 'ignore_if_missing');
  const both: JournalFilterGroup = [unit('_SYSTEMD_UNIT', '^ssh.service$'), unit('SYSLOG_IDENTIFIER', '^sshd$')];
  assert.equal(passesFilters(SSHD, [both]), true);
  assert.equal(passesFilters({ ...SSHD, SYSLOG_IDENTIFIER: 'sshd-session' }, [both]), false, 'AND within a block');
  const cron: JournalFilterGroup = [unit('_SYSTEMD_UNIT', '^cron.service$')];
  assert.equal(passesFilters({ ...SSHD, _SYSTEMD_UNIT: 'cron.service', SYSLOG_IDENTIFIER: 'CRON' }, [both, cron]), true, 'OR across blocks');
  assert.equal(passesFilters({ ...SSHD, _SYSTEMD_UNIT: 'nginx.service' }, [both, cron]), false);
});
