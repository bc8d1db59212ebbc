import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { predecode } from '../../predecode/predecode.ts';
import { parseWazuhXml } from '../../xml/parse.ts';
import { DecoderSetBuilder } from '../compile.ts';
import { decodeEvent } from '../decode.ts';
import { EventInfo } from '../event.ts';
import type { DecoderSet } from '../types.ts';

const DECODERS = fileURLToPath(new URL('../../../../shared/wazuh-ruleset/decoders/', import.meta.url));

function build(files: ReadonlyArray<readonly [string, string]>): DecoderSet {
  const b = new DecoderSetBuilder();
  for (const [name, text] of files) b.addFile(parseWazuhXml(text, name), name);
  assert.deepEqual(b.errors, []);
  return b.finish();
}

const stock = build(
  readdirSync(DECODERS).filter((f) => f.endsWith('.xml')).sort().map((f) => [f, readFileSync(DECODERS + f, 'latin1')] as const),
);

function run(set: DecoderSet, line: string): EventInfo {
  const ev = EventInfo.fromPredecoded(predecode('stdin', line), 0);
  decodeEvent(set, ev);
  return ev;
}

test('stock symantec-websecurity runs SymantecWS_Decoder', () => {
  const ev = run(stock, '20070717,73556,1=5,100=Logoff due to timeout.,11=1.2.3.4,10=usera,3=1,2=2');
  assert.equal(ev.decoder?.name, 'symantec-websecurity');
  assert.deepEqual([ev.srcip, ev.dstuser, ev.id], ['1.2.3.4', 'usera', '3=1,2=2']);
});

test('stock ossec-alert (program name) and ossec-alert1 (prematch) run OSSECAlert_Decoder', () => {
  const tail = 'Alert Level: 5; Rule: 5710 - Attempt to login using a non-existent user; Location: localhost->/var/log/secure; srcip: 10.0.0.3;  Aug 17 11:13:38 localhost sshd[3029]: Failed none for invalid user vic from 10.0.0.3 port 8400 ssh2';
  const viaProgram = run(stock, `Aug 17 11:13:38 ossec ossec: ${tail}`);
  assert.equal(viaProgram.decoder?.name, 'ossec-alert');
  assert.equal(viaProgram.srcip, '10.0.0.3');
  assert.equal(viaProgram.location, 'stdin|localhost->/var/log/secure');
  assert.equal(viaProgram.hostname, 'stdin|localhost->/var/log/secure');
  assert.equal(viaProgram.log, 'Aug 17 11:13:38 localhost sshd[3029]: Failed none for invalid user vic from 10.0.0.3 port 8400 ssh2');

  const viaPrematch = run(stock, `ossec: ${tail}`);
  assert.equal(viaPrematch.decoder?.ownName, 'ossec-alert1');
  assert.equal(viaPrematch.decoder?.name, 'ossec');
  assert.equal(viaPrematch.srcip, '10.0.0.3');
  assert.equal(viaPrematch.fullLog, viaProgram.fullLog);
});

test('stock pf and sonicwall never run their plugin: their children take over', () => {
  // pfSense's "pf-fields" children attach to every top-level "pf", including OpenBSD's.
  const pf = run(stock, 'Mar 30 15:54:22 enigma pf: Mar 30 15:54:22.171929 rule 3/(match) pass out on xl0: 192.168.2.10.1514 > 192.168.2.190.1030:  udp 73');
  assert.equal(pf.decoder?.name, 'pf');
  assert.equal(pf.action, null);
  // The "sonicwall-fields" chain decodes instead (the plugin would say "tcp" and "pass").
  const sw = run(stock, 'Jan  3 13:45:36 192.168.5.1 id=firewall sn=000SERIAL time="2007-01-03 14:48:06" fw=1.1.1.1 pri=6 c=262144 m=98 msg="Connection Opened" n=23419 src=2.2.2.2:36701:WAN dst=1.1.1.1:50000:WAN proto=tcp/50000');
  assert.equal(sw.decoder?.name, 'sonicwall');
  assert.deepEqual([sw.protocol, sw.action, sw.id], ['tcp/50000', 'Connection Opened', null]);
});

test('PF_Decoder and SonicWall_Decoder run on childless decoders and ignore plugin_offset', () => {
  const custom = build([['custom.xml', `
<decoder name="bsd-pf">
  <program_name>^pf$</program_name>
  <plugin_decoder offset="after_parent">PF_Decoder</plugin_decoder>
</decoder>
<decoder name="sw">
  <prematch>^id=\\w+ sn=</prematch>
  <plugin_decoder offset="after_prematch">SonicWall_Decoder</plugin_decoder>
</decoder>`]]);
  const pf = run(custom, 'Mar 30 15:54:22 enigma pf: Mar 30 15:54:22.171929 rule 3/(match) pass out on xl0: 192.168.2.10.1514 > 192.168.2.190.1030:  udp 73');
  assert.deepEqual([pf.action, pf.srcip, pf.srcport, pf.dstip, pf.dstport, pf.protocol], ['pass', '192.168.2.10', '1514', '192.168.2.190', '1030', 'UDP']);
  const sw = run(custom, 'id=firewall sn=000SERIAL time="2007-01-03 14:48:06" fw=1.1.1.1 pri=6 c=262144 m=98 msg="Connection Opened" n=23419 src=2.2.2.2:36701:WAN dst=1.1.1.1:50000:WAN proto=tcp/50000');
  assert.deepEqual([sw.status, sw.id, sw.protocol, sw.action], ['6', '98', 'tcp', 'pass']);
});
