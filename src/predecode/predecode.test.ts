import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isValidLocation, predecode, type Predecoded } from './predecode.ts';
import { outputHostname, predecoderJson } from './output.ts';

type Fields = Partial<Pick<Predecoded, 'log' | 'programName' | 'hostname' | 'timestamp'>>;

/** Pre-decode a local event and compare the header fields (all four unless noted). */
function check(message: string, want: Fields & { log: string }): void {
  const p = predecode('/var/log/syslog', message);
  assert.deepEqual(
    { log: p.log, programName: p.programName, hostname: p.hostname, timestamp: p.timestamp },
    { programName: null, hostname: null, timestamp: null, ...want },
    message,
  );
  assert.equal(p.fullLog, message);
  assert.equal(p.agentId, '000');
  assert.equal(p.agentName, null);
  assert.equal(p.location, '/var/log/syslog');
}

test('predecode() leaves a message without header untouched', () => {
  check('payload test', { log: 'payload test' });
  check('', { log: '' });
  check('Nov 4 18:30:40 localhost asterisk[1]: x', { log: 'Nov 4 18:30:40 localhost asterisk[1]: x' });
});

test('predecode() parses "Mmm dd hh:mm:ss host name[pid]: "', () => {
  check('Dec  4 21:47:57 srv18 sshd[6697]: Invalid user oracle', {
    log: 'Invalid user oracle', programName: 'sshd', hostname: 'srv18', timestamp: 'Dec  4 21:47:57',
  });
  // The space after "]:" is optional.
  check('Dec 29 10:00:01 h p[1]:x', { log: 'x', programName: 'p', hostname: 'h', timestamp: 'Dec 29 10:00:01' });
  // "name[pid] " without the colon.
  check('Dec 29 10:00:01 h p[12] msg', { log: 'msg', programName: 'p', hostname: 'h', timestamp: 'Dec 29 10:00:01' });
  // Host and program name charset: A-Za-z0-9 ( ) - . / @ _
  check('Dec 29 10:00:01 a-b.c_d@(e)/f post/fix-x_y.z@(1): m', {
    log: 'm', programName: 'post/fix-x_y.z@(1)', hostname: 'a-b.c_d@(e)/f', timestamp: 'Dec 29 10:00:01',
  });
});

test('predecode() parses "name:" with an optional space, and an empty name', () => {
  check('Dec 29 10:00:01 host sshd: msg', { log: 'msg', programName: 'sshd', hostname: 'host', timestamp: 'Dec 29 10:00:01' });
  check('Dec 29 10:00:01 host CEF:0|Vendor', { log: '0|Vendor', programName: 'CEF', hostname: 'host', timestamp: 'Dec 29 10:00:01' });
  check('Dec 29 10:00:01 host :x', { log: 'x', programName: '', hostname: 'host', timestamp: 'Dec 29 10:00:01' });
});

test('predecode() skips one extra space after the timestamp only', () => {
  check('Dec 29 10:00:01  host p: m', { log: 'm', programName: 'p', hostname: 'host', timestamp: 'Dec 29 10:00:01' });
  // A second extra space leaves an empty host.
  check('Dec 29 10:00:01   host p: m', { log: 'host p: m', hostname: '', timestamp: 'Dec 29 10:00:01' });
});

test('predecode() reads "word: " right after the timestamp as the program (no host)', () => {
  check('Dec 29 10:00:01 sshd: msg', { log: 'msg', programName: 'sshd', timestamp: 'Dec 29 10:00:01' });
  // Without the space it is not a program name, and ':' ends the host run: invalid header.
  check('Dec 29 10:00:01 sshd:msg', { log: 'sshd:msg', timestamp: 'Dec 29 10:00:01' });
});

test('predecode() falls back when the host or program name is invalid', () => {
  // Host run ended by a char other than ' ' or ": ": no host, no program, log after the timestamp.
  check('Feb 20 17:23:32 cyrus/pop3[4297]: badlogin', { log: 'cyrus/pop3[4297]: badlogin', timestamp: 'Feb 20 17:23:32' });
  check('Mar 19 23:48:18 <auth.info> pancake sshd[1]: x', { log: '<auth.info> pancake sshd[1]: x', timestamp: 'Mar 19 23:48:18' });
  // Host ok, program name not followed by ':' / '[digits]' / '|': log starts after the host.
  check('Nov 11 18:57:57 HORDE [error] [horde] FAILED', { log: '[error] [horde] FAILED', hostname: 'HORDE', timestamp: 'Nov 11 18:57:57' });
  check('Nov 11 18:57:57 host name rest', { log: 'name rest', hostname: 'host', timestamp: 'Nov 11 18:57:57' });
  // "name[digits" not closed by "]:" or "] ": no program, the '[' is kept.
  check('Nov 11 18:57:57 host nginx[12x]: m', { log: 'nginx[12x]: m', hostname: 'host', timestamp: 'Nov 11 18:57:57' });
  check('Nov 11 18:57:57 host p[a]: m', { log: 'p[a]: m', hostname: 'host', timestamp: 'Nov 11 18:57:57' });
});

test('predecode() skips "[ID n facility.severity] "', () => {
  check('Dec 29 10:00:01 host sshd[1]: [ID 800047 auth.info] Failed', {
    log: 'Failed', programName: 'sshd', hostname: 'host', timestamp: 'Dec 29 10:00:01',
  });
  // Unclosed: not skipped.
  check('Dec 29 10:00:01 host sshd: [ID 800047 auth.info', {
    log: '[ID 800047 auth.info', programName: 'sshd', hostname: 'host', timestamp: 'Dec 29 10:00:01',
  });
  // The C steps two bytes past the ']' whatever they are; past the end reads as empty.
  check('Dec 29 10:00:01 host sshd: [ID 1 a.b]', { log: '', programName: 'sshd', hostname: 'host', timestamp: 'Dec 29 10:00:01' });
  check('Dec 29 10:00:01 host sshd: [ID 1 a.b]xyz', { log: 'yz', programName: 'sshd', hostname: 'host', timestamp: 'Dec 29 10:00:01' });
  // Only after a program name.
  check('Dec 29 10:00:01 host [ID 1 a.b] x', { log: '[ID 1 a.b] x', hostname: 'host', timestamp: 'Dec 29 10:00:01' });
});

test('predecode() parses the AIX "facility|x:severity name: " form', () => {
  check('Dec 29 10:00:01 host auth|security:info sshd: msg', {
    log: 'msg', programName: 'sshd', hostname: 'host', timestamp: 'Dec 29 10:00:01',
  });
  check('Dec 29 10:00:01 host auth|security:info sshd[12]: msg', {
    log: 'msg', programName: 'sshd', hostname: 'host', timestamp: 'Dec 29 10:00:01',
  });
  // Bad pid form: the C cut at '[' stays, so both the name and the log end there.
  check('Dec 29 10:00:01 host auth|security:info sshd[12] msg', {
    log: 'auth|security:info sshd', programName: 'sshd', hostname: 'host', timestamp: 'Dec 29 10:00:01',
  });
  // Neither form: the name is left unterminated (runs to the end), log starts after the name.
  check('Dec 29 10:00:01 host auth|security:info sshd msg', {
    log: ' msg', programName: 'sshd msg', hostname: 'host', timestamp: 'Dec 29 10:00:01',
  });
  // Invalid AIX prefixes: no program, log after the host.
  check('Dec 29 10:00:01 host auth|security info', { log: 'auth|security info', hostname: 'host', timestamp: 'Dec 29 10:00:01' });
  check('Dec 29 10:00:01 host auth|security:info:x y', { log: 'auth|security:info:x y', hostname: 'host', timestamp: 'Dec 29 10:00:01' });
  check('Dec 29 10:00:01 host auth|Sec:info y: z', { log: 'auth|Sec:info y: z', hostname: 'host', timestamp: 'Dec 29 10:00:01' });
});

test('predecode() parses "YYYY-MM-DD hh:mm:ss,mmm " (proftpd)', () => {
  check('2015-04-16 21:51:02,805 wazuh-agent01 AUTH:INFO sshd[223468]: LOG BODY', {
    log: 'INFO sshd[223468]: LOG BODY', programName: 'AUTH', hostname: 'wazuh-agent01', timestamp: '2015-04-16 21:51:02,805',
  });
  // The comma is required.
  check('2013-08-11 03:56:40 auth-worker(default): Info', { log: '2013-08-11 03:56:40 auth-worker(default): Info' });
});

test('predecode() parses ISO 8601 "YYYY-MM-DDThh:mm:ss±hh:mm "', () => {
  check('2007-06-14T15:48:55-04:00 wazuh-agent01 AUTH:INFO sshd[223468]: LOG BODY', {
    log: 'INFO sshd[223468]: LOG BODY', programName: 'AUTH', hostname: 'wazuh-agent01', timestamp: '2007-06-14T15:48:55-04:00',
  });
  // "…ssZ" and offsets without a fraction but other spacing are not recognised.
  check('2014-01-13T05:02:22Z host prog: message text', { log: '2014-01-13T05:02:22Z host prog: message text' });
  check('2019-09-06T01:45:18 srv mysqld: 2019-09-06  1:45:18 x', { log: '2019-09-06T01:45:18 srv mysqld: 2019-09-06  1:45:18 x' });
});

test('predecode() cuts fractional ISO 8601 times at 30, 33 or 32 bytes', () => {
  check('2009-05-22T09:36:46.214994-07:00 wazuh-agent01 AUTH:INFO sshd[223468]: LOG BODY', {
    log: 'INFO sshd[223468]: LOG BODY', programName: 'AUTH', hostname: 'wazuh-agent01', timestamp: '2009-05-22T09:36:46.214994-07:00',
  });
  check('2022-12-19T15:02:53.288+00:00 wazuh-agent01 AUTH:INFO sshd[223468]: LOG BODY', {
    log: 'INFO sshd[223468]: LOG BODY', programName: 'AUTH', hostname: 'wazuh-agent01', timestamp: '2022-12-19T15:02:53.288+00:00',
  });
  // No ':' at 26 or 29: a fixed 32-byte skip, whatever is there (here into the host).
  check('2016-09-25T18:57:58.150982 www.srv.tld freeswitch[122921]: 2016 [WARNING]', {
    log: '2016 [WARNING]', programName: 'freeswitch', hostname: 'rv.tld', timestamp: '2016-09-25T18:57:58.150982 www.',
  });
  check('2016-02-24T15:26:18.237955 6 [Note] Access denied for user', {
    log: 'te] Access denied for user', timestamp: '2016-02-24T15:26:18.237955 6 [N',
  });
  // "…Z" with a fraction is cut mid-word: "og: " then reads as a host-less program name.
  check('2020-01-01T00:00:00.123Z host prog: a message here', {
    log: 'a message here', programName: 'og', timestamp: '2020-01-01T00:00:00.123Z host p',
  });
});

test('predecode() parses "YYYY Mmm dd hh:mm:ss "', () => {
  check('2015 Dec 29 10:00:01 wazuh-agent01 AUTH:INFO sshd[223468]: LOG BODY', {
    log: 'INFO sshd[223468]: LOG BODY', programName: 'AUTH', hostname: 'wazuh-agent01', timestamp: '2015 Dec 29 10:00:01',
  });
});

test('predecode() parses the macOS ULS "YYYY-MM-DD hh:mm:ss.ffffff±zzzz "', () => {
  check('2021-04-21 10:16:09.404756-0700 wazuh-agent01 AUTH:INFO sshd[223468]: LOG BODY', {
    log: 'INFO sshd[223468]: LOG BODY', programName: 'AUTH', hostname: 'wazuh-agent01', timestamp: '2021-04-21 10:16:09.404756-0700',
  });
  check('2021-04-21 10:16:09.404756+0200 h p: m', { log: 'm', programName: 'p', hostname: 'h', timestamp: '2021-04-21 10:16:09.404756+0200' });
  // Without an offset it is not a header.
  check('2013-12-31 17:39:54.767815 [WARNING] sofia_reg.c:1533 SIP auth', { log: '2013-12-31 17:39:54.767815 [WARNING] sofia_reg.c:1533 SIP auth' });
});

test('predecode() strips the xferlog timestamp only', () => {
  check('Mon Apr 17 18:27:14 2006 1 64.160.42.130 5 /f b _ o r u ftp 0 * c', {
    log: '1 64.160.42.130 5 /f b _ o r u ftp 0 * c', timestamp: 'Mon Apr 17 18:27:14 2006',
  });
  check('Fri Jan 19 12:20:33 2007 [pid 27202] [anonymous] FAIL LOGIN', { log: 'Fri Jan 19 12:20:33 2007 [pid 27202] [anonymous] FAIL LOGIN' });
});

test('predecode() strips the snort and suricata timestamps', () => {
  check('01/28-09:13:16.240702  [**] [1:2:3] x', { log: '[**] [1:2:3] x', timestamp: '01/28-09:13:16.240702' });
  check('01/28/1979-09:13:16.240702  [**] [1:2:3] x', { log: '[**] [1:2:3] x', timestamp: '01/28/1979-09:13:16.240702' });
  // The suricata skip can step past the end: empty log.
  check('01/28/1979-09:13:16.240702 ', { log: '', timestamp: '01/28/1979-09:13:16.240702' });
});

test('predecode() strips the apache "[Fri Feb 11 18:06:35 2004] " timestamp', () => {
  check('[Sat Jun 01 11:23:08 2013] [error] [client 1.2.3.4] File does not exist', {
    log: '[error] [client 1.2.3.4] File does not exist', timestamp: 'Sat Jun 01 11:23:08 2013',
  });
  check('[Thu Jun 27 11:55:44.569531 2013] [core:info] x', { log: '[Thu Jun 27 11:55:44.569531 2013] [core:info] x' });
});

test('predecode() reads the macOS ASL fields', () => {
  check(
    '[Time 2006.12.28 15:53:55 UTC] [Facility auth] [Sender sshd] [PID 483] [Message error: PAM: Authentication failure] [Level 3] [UID -2] [GID -2] [Host Hostname]',
    { log: 'error: PAM: Authentication failure', programName: 'sshd', hostname: 'Hostname' },
  );
  // No Message entry: log starts inside the header and ends at the Sender's ']'.
  check('[Time 2006.12.28 15:53:55 UTC] [Facility auth] [Sender sshd] [PID 483]', {
    log: ' UTC] [Facility auth] [Sender sshd', programName: 'sshd',
  });
  // Host ends the scan; a second Message entry is ignored; an unclosed Message runs to the end.
  check('[Time 2006.12.28 15:53:55 UTC] [Host h] [Sender s]', { log: ' UTC] [Host h', hostname: 'h' });
  check('[Time 2006.12.28 15:53:55 UTC] [Message a] [Message b] [Sender s]', { log: 'a', programName: 's' });
  check('[Time 2006.12.28 15:53:55 UTC] [Message a [Sender s]', { log: 'a [Sender s' });
  check('[Time 2006.12.28 15:53:55 UTC] [Sender s', { log: ' UTC] [Sender s' });
});

test('predecode() strips the squid epoch, keeping all but one space in the timestamp', () => {
  check('1386543323.000      4 91.188.124.227 TCP_DENIED/403 4099 GET http://x/', {
    log: '4 91.188.124.227 TCP_DENIED/403 4099 GET http://x/', timestamp: '1386543323.000     ',
  });
  check('1140804070.368 116230 10.0.0.1 TCP_MISS/200 123 GET http://y', {
    log: '116230 10.0.0.1 TCP_MISS/200 123 GET http://y', timestamp: '1140804070.368',
  });
});

test('predecode() repairs "Mär" for the test but cuts the original bytes', () => {
  // The header is tested on "Mar 02 …" shifted by one byte; log and timestamp come from the
  // unshifted message, which is one byte longer: the timestamp loses its last digit and the
  // space after it is taken as the extra space.
  check('M\xc3\xa4r 02 17:30:52 host sshd[1]: hello', {
    log: 'hello', programName: 'sshd', hostname: 'host', timestamp: 'M\xc3\xa4r 02 17:30:5',
  });
  check('M\xc3\xa4r 02 17:30:52  host sshd[1]: hello', {
    log: 'host sshd[1]: hello', hostname: '', timestamp: 'M\xc3\xa4r 02 17:30:5',
  });
  // The JSON host regex sees the raw bytes and does not match.
  assert.equal(outputHostname('M\xc3\xa4r 02 17:30:52 host sshd[1]: hello'), null);
});

test('predecode() stops at a NUL byte, as the C string does', () => {
  const p = predecode('x', 'Dec 29 10:00:01 host p: a\0b');
  assert.equal(p.fullLog, 'Dec 29 10:00:01 host p: a');
  assert.equal(p.log, 'a');
});

test('predecode() handles agent locations', () => {
  const p = predecode('[001] (web01) 10.0.0.5->/var/log/auth.log', 'Dec 29 10:00:01 srv p[1]: m');
  assert.equal(p.agentId, '001');
  assert.equal(p.agentName, 'web01');
  assert.equal(p.location, '(web01) 10.0.0.5->/var/log/auth.log');
  // The agent name replaces the syslog host.
  assert.equal(p.hostname, 'web01');
  assert.equal(p.programName, 'p');
  assert.equal(p.log, 'm');

  const q = predecode('[015] any->fim_registry', 'payload');
  assert.deepEqual([q.agentId, q.agentName, q.location, q.hostname], ['015', '', 'any->fim_registry', '']);
  const r = predecode('[002] (noclose ip->x', 'payload');
  assert.deepEqual([r.agentId, r.agentName, r.hostname], ['002', '', '']);
  const t = predecode('[003]', 'payload');
  assert.deepEqual([t.agentId, t.location], ['003', '']);
});

test('predecode() uses managerHostname for local events without a parsed host', () => {
  assert.equal(predecode('stdin', 'no header', { managerHostname: 'mgr' }).hostname, 'mgr');
  assert.equal(predecode('stdin', 'Dec 29 10:00:01 h p: m', { managerHostname: 'mgr' }).hostname, 'h');
  assert.equal(predecode('stdin', 'Dec 29 10:00:01 sshd: m', { managerHostname: 'mgr' }).hostname, 'mgr');
  assert.equal(predecode('[001] (a) any->x', 'no header', { managerHostname: 'mgr' }).hostname, 'a');
  assert.equal(predecode('stdin', 'no header').hostname, null);
});

test('isValidLocation() rejects an agent location without "]"', () => {
  assert.equal(isValidLocation('/var/log/auth.log'), true);
  assert.equal(isValidLocation('[001] (a) any->x'), true);
  assert.equal(isValidLocation('[001 (a) any->x'), false);
});

test('outputHostname() follows the json_extended.c regex on the full log', () => {
  assert.equal(outputHostname('Dec  4 21:47:57 srv18 sshd[6697]: x'), 'srv18');
  assert.equal(outputHostname('Feb 20 17:23:32 cyrus/pop3[4297]: badlogin'), 'cyrus/pop3[4297]:');
  assert.equal(outputHostname('Dec 29 10:00:01 tail'), 'tail');
  assert.equal(outputHostname('Dec 29 10:00:01 '), null);
  assert.equal(outputHostname('Dec 29 10:00:01  two'), null);
  assert.equal(outputHostname('Dec 49 10:00:01 h x'), null);
  assert.equal(outputHostname('DEC 29 10:00:01 h x'), null);
  assert.equal(outputHostname('Dec 29 10:0x:01 h x'), null);
  assert.equal(outputHostname('2015 Dec 29 10:00:01 h x'), null);
});

test('predecoderJson() lists only the keys that are set', () => {
  assert.equal(predecoderJson(predecode('stdin', 'plain')), null);
  assert.deepEqual(predecoderJson(predecode('stdin', 'Dec 29 10:00:01 h p: m')), { program_name: 'p', timestamp: 'Dec 29 10:00:01', hostname: 'h' });
  assert.deepEqual(predecoderJson(predecode('stdin', '[Sat Jun 01 11:23:08 2013] [error] x')), { timestamp: 'Sat Jun 01 11:23:08 2013' });
  assert.deepEqual(predecoderJson(predecode('stdin', '2015 Dec 29 10:00:01 h p: m')), { program_name: 'p', timestamp: '2015 Dec 29 10:00:01' });
});

const TESTS_DIR = fileURLToPath(new URL('../../../shared/wazuh-ruleset/testing/tests/', import.meta.url));

test('predecode() accepts every event line of the ruleset tests', { skip: !existsSync(TESTS_DIR) && 'ruleset tests not found' }, () => {
  let count = 0;
  for (const file of readdirSync(TESTS_DIR).filter((f) => f.endsWith('.ini'))) {
    for (const line of readFileSync(TESTS_DIR + file).toString('latin1').split('\n')) {
      const m = /^log \d+ \w+ = (.*)$/.exec(line);
      if (!m) continue;
      const msg = (m[1] as string).replace(/\r$/, '');
      const p = predecode('stdin', msg);
      count++;
      // Whatever the header, every field is a piece of the message.
      assert.ok(msg.includes(p.log), `${file}: log not within message: ${msg}`);
      if (p.timestamp !== null) assert.ok(msg.includes(p.timestamp), `${file}: ${msg}`);
      if (p.programName !== null) assert.ok(msg.includes(p.programName), `${file}: ${msg}`);
      if (p.hostname !== null) assert.ok(msg.includes(p.hostname), `${file}: ${msg}`);
    }
  }
  assert.ok(count > 1000, `expected the ruleset test events, found ${count}`);
});
