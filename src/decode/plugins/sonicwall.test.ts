import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventInfo } from '../event.ts';
import { decodeSonicWall } from './sonicwall.ts';

const KEYS = ['status', 'id', 'srcip', 'srcport', 'dstip', 'dstport', 'protocol', 'action', 'url'] as const;
type Fields = Partial<Record<(typeof KEYS)[number] | 'type', string | null>>;

function decode(log: string): Fields {
  const ev = new EventInfo();
  const out: Fields = { type: decodeSonicWall(ev, log) };
  for (const k of KEYS) if (ev[k] !== null) out[k] = ev[k];
  return out;
}

// Lines from SonicWall.ini and the decoder file (after the syslog header, as `log` holds them).
const OPENED = 'id=firewall sn=000SERIAL time="2007-01-03 14:48:06" fw=1.1.1.1 pri=6 c=262144 m=98 msg="Connection Opened" n=23419 src=2.2.2.2:36701:WAN dst=1.1.1.1:50000:WAN proto=tcp/50000';
const LOGIN_DENIED = 'id=firewall sn=000SERIAL time="2007-01-03 14:48:07" fw=1.1.1.1 pri=1 c=32 m=30 msg="Administrator login denied due to bad credentials" n=7 src=2.2.2.2:36701:WAN dst=1.1.1.1:50000:WAN';
const DROPPED = 'id=firewall sn=00301E0526B1 time="2004-04-01 10:39:35" fw=67.32.44.2 pri=5 c=64 m=36 msg="TCP connection dropped" n=2686 src=67.101.200.27:4507:WAN dst=67.32.44.2:445:LAN rule=0';
const NAT = 'id=NSA3600  sn=C0EAE4599999 time="2019-02-27 12:55:40 UTC" fw=2.228.169.242 pri=5 c=0 m=1197 msg="NAT Mapping" n=4748427 src=10.12.14.9::X0-V500 dst=217.56.236.4::X3 proto=icmp note="Source: 2.228.169.242, 63130, Destination: 217.56.236.4, 8, Protocol: 1" rule="17 (LAN->WAN)"';
const WEB_DENIED = 'id=NSA2650GG sn=18B169D79980 time="2019-03-19 06:44:01 UTC" fw=83.211.91.146 pri=3 c=4 m=14 msg="Web site access denied" app=49177 appName="General HTTPS" n=856789 src=192.168.0.46:59668:X0:nb020.example.com dst=34.194.213.204:443:X1:example.com srcMac=a0:ce:c8:13:99:c5 dstMac=1a:b1:69:d7:99:80 proto=tcp/https dstname=example.com arg=/ code=49 Category="Freeware/Software Downloads"';

test('decodeSonicWall() decodes an opened connection as a firewall pass', () => {
  assert.deepEqual(decode(OPENED), {
    type: 'firewall', status: '6', id: '98', srcip: '2.2.2.2', srcport: '36701', dstip: '1.1.1.1', dstport: '50000', protocol: 'tcp', action: 'pass',
  });
});

test('decodeSonicWall() makes category 32 an IDS event with no action', () => {
  assert.deepEqual(decode(LOGIN_DENIED), {
    type: 'ids', status: '1', id: '30', srcip: '2.2.2.2', srcport: '36701', dstip: '1.1.1.1', dstport: '50000',
  });
});

test('decodeSonicWall() maps the dropped and closed message ids', () => {
  assert.deepEqual(decode(DROPPED), {
    type: 'firewall', status: '5', id: '36', srcip: '67.101.200.27', srcport: '4507', dstip: '67.32.44.2', dstport: '445', action: 'drop',
  });
  const closed = decode(OPENED.replace('m=98', 'm=537'));
  assert.equal(closed.action, 'close');
  assert.equal(closed.type, 'firewall');
  for (const id of ['597', '598']) assert.equal(decode(OPENED.replace('m=98', `m=${id}`)).action, 'pass');
  for (const id of ['36', '37', '38', '173', '174']) assert.equal(decode(OPENED.replace('m=98', `m=${id}`)).action, 'drop');
  assert.equal(decode(OPENED.replace('c=262144', 'c=32')).action, undefined, 'category 32 wins over the id');
});

test('decodeSonicWall() stops after status and id when an address has no port', () => {
  assert.deepEqual(decode(NAT), { type: 'syslog', status: '5', id: '1197' });
  assert.deepEqual(decode('id=firewall sn=1 time="x" fw=1.1.1.1 pri=10 c=1 m=2 '), { type: 'syslog' }, 'pri has one digit');
});

test('decodeSonicWall() only reads proto= right after the destination token', () => {
  assert.deepEqual(decode(WEB_DENIED), {
    type: 'syslog', status: '3', id: '14', srcip: '192.168.0.46', srcport: '59668', dstip: '34.194.213.204', dstport: '443',
  });
});

test('decodeSonicWall() copies up to 6 protocol bytes, spaces included', () => {
  const line = OPENED.replace('m=98', 'm=537').replace('proto=tcp/50000', 'proto=icmp note="x"');
  assert.equal(decode(line).protocol, 'icmp n');
  assert.equal(decode(OPENED.replace('proto=tcp/50000', 'proto=/50000')).protocol, '');
});

test('decodeSonicWall() takes the HTTP result as id and dstname+arg as url for proxy messages', () => {
  const proxy = 'id=firewall sn=0006B1234567 time="2005-05-05 12:12:12" fw=10.0.0.1 pri=6 c=1024 m=97 n=1 src=192.168.1.20:3456:LAN dst=64.233.187.99:80:WAN proto=tcp/http op=1 rcvd=512 result=200 dstname=www.google.com arg=/search?q=ossec';
  assert.deepEqual(decode(proxy), {
    type: 'squid', status: '6', id: '200', srcip: '192.168.1.20', srcport: '3456', dstip: '64.233.187.99', dstport: '80', protocol: 'tcp', url: 'www.google.com/search?q=ossec',
  });
  // Without the trailing proxy fields the message id stays.
  assert.equal(decode(proxy.replace(' arg=/search?q=ossec', '')).id, '97');
  // No space after the destination: no cursor left, so no proxy parsing either.
  const bare = 'pri=6 c=1 m=97 src=1.1.1.1:1:LAN dst=2.2.2.2:80:WAN';
  assert.deepEqual(decode(bare), { type: 'squid', status: '6', id: '97', srcip: '1.1.1.1', srcport: '1', dstip: '2.2.2.2', dstport: '80' });
});
