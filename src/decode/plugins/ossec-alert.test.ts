import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventInfo } from '../event.ts';
import { decodeOssecAlert } from './ossec-alert.ts';

// The classic csyslogd format ("Location: %s;%s%s  %s": two spaces before the original log), as
// `log` holds it once the syslog header is gone.
const ALERT = 'Alert Level: 3; Rule: 5715 - SSHD authentication success.; Location: (jul) 192.168.2.0->/var/log/messages; srcip: 192.168.2.190; user: root;  Jul 25 13:26:24 slacker sshd[20440]: Accepted password for root from 192.168.2.190 port 49737 ssh2';
const ORIGINAL = 'Jul 25 13:26:24 slacker sshd[20440]: Accepted password for root from 192.168.2.190 port 49737 ssh2';

function event(log: string): EventInfo {
  const ev = new EventInfo();
  ev.location = 'enigma->10.0.0.1';
  ev.hostname = 'enigma';
  ev.fullLog = `Jul 25 12:17:41 enigma ossec: ${log}`;
  ev.log = log;
  return ev;
}

test('decodeOssecAlert() extracts srcip and user and rewrites location, hostname and log', () => {
  const ev = event(ALERT);
  assert.equal(decodeOssecAlert(ev, ev.log, null), '5715');
  assert.equal(ev.srcip, '192.168.2.190');
  assert.equal(ev.dstuser, 'root');
  assert.equal(ev.location, 'enigma->10.0.0.1|(jul) 192.168.2.0->/var/log/messages');
  assert.equal(ev.hostname, ev.location);
  assert.equal(ev.fullLog, ORIGINAL);
  assert.equal(ev.log, ORIGINAL);
});

test('decodeOssecAlert() accepts the "ossec: Alert Level" prefix (no syslog header)', () => {
  const ev = event(`ossec: ${ALERT}`);
  assert.equal(decodeOssecAlert(ev, ev.log, null), '5715');
  assert.equal(ev.srcip, '192.168.2.190');
  assert.equal(ev.log, ORIGINAL);
  // The reference compares only 18 bytes: the colon after "Level" is not checked.
  const odd = event('ossec: Alert Levelx 3; Rule: 1 - x; Location: l;  y');
  assert.equal(decodeOssecAlert(odd, odd.log, null), '1');
});

test('decodeOssecAlert() without optional fields; two spaces end the field list', () => {
  const plain = event('Alert Level: 2; Rule: 1002 - Unknown problem somewhere in the system.; Location: (sso) 10.0.1.7->/var/log/messages;  Feb 17 13:50:19 sso syslog-ng[8332]: Connection failed; x');
  assert.equal(decodeOssecAlert(plain, plain.log, null), '1002');
  assert.equal(plain.log, 'Feb 17 13:50:19 sso syslog-ng[8332]: Connection failed; x');
  assert.equal(plain.srcip, null);

  const skipped = event('Alert Level: 3; Rule: 5715 - d; Location: loc;  srcip: 1.1.1.1; orig');
  assert.equal(decodeOssecAlert(skipped, skipped.log, null), '5715');
  assert.equal(skipped.srcip, null);
  assert.equal(skipped.log, 'srcip: 1.1.1.1; orig');
});

test('decodeOssecAlert() reads a one-space original log as one more field (newer csyslogd)', () => {
  // Newer csyslogd writes " %s": the original log then looks like a field. Without a ';' in it
  // the alert is left incomplete (no generated rule), with fields and location already set.
  const noSemi = event('Alert Level: 5; Rule: 5710 - Attempt to login using a non-existent user; Location: localhost->/var/log/secure; srcip: 10.0.0.3; Aug 17 11:13:38 localhost sshd[3029]: Failed none for invalid user vic from 10.0.0.3 port 8400 ssh2');
  const before = noSemi.log;
  assert.equal(decodeOssecAlert(noSemi, noSemi.log, null), null);
  assert.equal(noSemi.srcip, '10.0.0.3');
  assert.equal(noSemi.location, 'enigma->10.0.0.1|localhost->/var/log/secure');
  assert.equal(noSemi.log, before);
  // With ';' in it, the text up to the ';' is consumed as a field and the rest becomes the log.
  const semi = event("Alert Level: 2; Rule: 1002 - Unknown problem somewhere in the system.; Location: (sso) 10.0.1.7->/var/log/messages; Feb 17 13:50:19 sso syslog-ng[8332]: Connection failed;  server='AF_INET(10.0.1.4:2514)'");
  assert.equal(decodeOssecAlert(semi, semi.log, null), '1002');
  assert.equal(semi.log, "server='AF_INET(10.0.1.4:2514)'");
});

test('decodeOssecAlert() with a rule table: unknown ids change nothing', () => {
  const ev = event(ALERT);
  assert.equal(decodeOssecAlert(ev, ev.log, (id) => id === '1'), null);
  assert.equal(ev.srcip, null);
  assert.equal(ev.location, 'enigma->10.0.0.1');
  assert.equal(ev.log, ALERT);
  const ok = event(ALERT);
  assert.equal(decodeOssecAlert(ok, ok.log, (id) => id === '5715'), '5715');
});

test('decodeOssecAlert() rejects malformed alerts, keeping what was set before the break', () => {
  for (const bad of [
    'Alert level: 3; Rule: 5715 - d; Location: l; x',
    'Alert Level: 3 Rule: 5715 - d; Location: l; x',
    'Alert Level: 3; Rule:5715 - d; Location: l; x',
    'Alert Level: 3; Rule: 5715; Location: l; x',
    'Alert Level: 3; Rule: 5715 - d;Location: l; x',
    'Alert Level: 3; Rule: 5715 - d; Location: l',
  ]) {
    const ev = event(bad);
    assert.equal(decodeOssecAlert(ev, ev.log, null), null, bad);
    assert.equal(ev.location, 'enigma->10.0.0.1', bad);
  }
  // An unterminated field: location and the earlier fields stay, the log does not change.
  const cut = event('Alert Level: 3; Rule: 5715 - d; Location: l; srcip: 1.2.3.4; user: root');
  assert.equal(decodeOssecAlert(cut, cut.log, null), null);
  assert.equal(cut.location, 'enigma->10.0.0.1|l');
  assert.equal(cut.srcip, '1.2.3.4');
  assert.equal(cut.dstuser, null);
  assert.equal(cut.log, 'Alert Level: 3; Rule: 5715 - d; Location: l; srcip: 1.2.3.4; user: root');
});

test('decodeOssecAlert() cuts the location at 254 bytes and the log at 4094', () => {
  const ev = event(`Alert Level: 3; Rule: 1 - d; Location: ${'L'.repeat(300)};  ${'x'.repeat(5000)}`);
  assert.equal(decodeOssecAlert(ev, ev.log, null), '1');
  assert.equal(ev.location, `enigma->10.0.0.1|${'L'.repeat(254 - 17)}`);
  assert.equal(ev.location.length, 254);
  assert.equal(ev.log, 'x'.repeat(4094));
});
