import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventInfo } from '../event.ts';
import { decodePf } from './pf.ts';

type Fields = Partial<Record<'action' | 'srcip' | 'srcport' | 'dstip' | 'dstport' | 'protocol', string | null>>;

function decode(log: string): Fields {
  const ev = new EventInfo();
  decodePf(ev, log);
  return { action: ev.action, srcip: ev.srcip, srcport: ev.srcport, dstip: ev.dstip, dstport: ev.dstport, protocol: ev.protocol };
}

const NONE: Fields = { action: null, srcip: null, srcport: null, dstip: null, dstport: null, protocol: null };

test('decodePf() splits tcpdump-style addresses and ports (examples of the reference)', () => {
  assert.deepEqual(
    decode('Mar 30 15:32:33.483712 rule 2/(match) pass in on xl0: 140.211.166.3.6667 > 192.168.2.10.16290: P 7408:7677(269) ack 1773 win 2520 <nop,nop,timestamp 3960674784 2860123562> (DF)'),
    { action: 'pass', srcip: '140.211.166.3', srcport: '6667', dstip: '192.168.2.10', dstport: '16290', protocol: 'TCP' },
  );
  assert.deepEqual(
    decode('Mar 30 15:47:05.522341 rule 4/(match) block in on lo0: 127.0.0.1.48784 > 127.0.0.1.23: S 1381529123:1381529123(0) win 16384 <mss 33184,nop,nop,sackOK,nop,wscale 0,[|tcp]> (DF) [tos 0x10]'),
    { action: 'block', srcip: '127.0.0.1', srcport: '48784', dstip: '127.0.0.1', dstport: '23', protocol: 'TCP' },
  );
  assert.deepEqual(
    decode('Mar 30 15:54:22.171929 rule 3/(match) pass out on xl0: 192.168.2.10.1514 > 192.168.2.190.1030:  udp 73'),
    { action: 'pass', srcip: '192.168.2.10', srcport: '1514', dstip: '192.168.2.190', dstport: '1030', protocol: 'UDP' },
  );
});

test('decodePf() leaves ports unset for addresses without a fifth part (ICMP)', () => {
  assert.deepEqual(
    decode('Mar 30 17:47:40.390143 rule 2/(match) pass in on lo0: 127.0.0.1 > 127.0.0.1: icmp: echo reply'),
    { action: 'pass', srcip: '127.0.0.1', srcport: null, dstip: '127.0.0.1', dstport: null, protocol: 'ICMP' },
  );
});

test('decodePf() reads the action from one byte and the protocol from the first non-space byte', () => {
  // "pXYZ" is still "pass"; anything but u/i after the colon is TCP.
  assert.deepEqual(decode('rule 1/(match) pxyz in on em0: 10.0.0.1.1 > 10.0.0.2.2: ?'), {
    action: 'pass', srcip: '10.0.0.1', srcport: '1', dstip: '10.0.0.2', dstport: '2', protocol: 'TCP',
  });
  // A fourth dot at the very end gives an empty port.
  assert.deepEqual(decode('rule 1/(match) block in on em0: 10.0.0.1. > 10.0.0.2:'), {
    action: 'block', srcip: '10.0.0.1', srcport: '', dstip: '10.0.0.2', dstport: null, protocol: null,
  });
});

test('decodePf() keeps what it set before the line stops matching', () => {
  assert.deepEqual(decode('no parenthesis here'), NONE);
  assert.deepEqual(decode('rule 1/(match)pass in on em0: 1.2.3.4 > 5.6.7.8: udp'), NONE, 'no space after ")"');
  assert.deepEqual(decode('rule 1/(match) nat in on em0: 1.2.3.4 > 5.6.7.8: udp'), NONE, 'unknown action');
  assert.deepEqual(decode('rule 1/(match) pass in on em0 1.2.3.4 > 5.6.7.8'), { ...NONE, action: 'pass' });
  assert.deepEqual(decode('rule 1/(match) pass in on em0: 1.2.3.4.80 < 5.6.7.8.90: udp'), {
    ...NONE, action: 'pass', srcip: '1.2.3.4', srcport: '80',
  });
  assert.deepEqual(decode('rule 1/(match) pass in on em0: 1.2.3.4.80 > 5.6.7.8.90 udp'), {
    ...NONE, action: 'pass', srcip: '1.2.3.4', srcport: '80',
  });
});
