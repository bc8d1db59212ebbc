import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventInfo } from '../event.ts';
import { decodeSymantecWs } from './symantec-ws.ts';

type Fields = Partial<Record<'dstuser' | 'srcip' | 'url' | 'id', string | null>>;

function decode(log: string, ev = new EventInfo()): Fields {
  decodeSymantecWs(ev, log);
  return { dstuser: ev.dstuser, srcip: ev.srcip, url: ev.url, id: ev.id };
}

test('decodeSymantecWs() reads user, ip, url and id (examples of the decoder file)', () => {
  assert.deepEqual(decode('20070717,73614,1=5,11=1.2.3.4,1106=News,60=http://news.bbc.co.uk/,10=userX,1000=212.58.240.42,2=27'), {
    dstuser: 'userX', srcip: '1.2.3.4', url: 'http://news.bbc.co.uk/', id: '2=27',
  });
  assert.deepEqual(decode('20070717,73556,1=5,100=Logoff due to timeout.,11=1.2.3.4,10=usera,3=1,2=2'), {
    dstuser: 'usera', srcip: '1.2.3.4', url: null, id: '3=1,2=2',
  });
  assert.deepEqual(decode('20070717,30517,1=3,41=SWS-3.0.1.86/vendor-config,100=Version 3.0.6,3=7,2=29'), {
    dstuser: null, srcip: null, url: null, id: '3=7,2=29',
  });
});

test('decodeSymantecWs() takes the id as 9 raw bytes and resumes after them', () => {
  // "3=1,2=1,1" swallows the start of "10=late", so the user is never seen.
  assert.deepEqual(decode('20070717,73613,1=5,3=1,2=1,10=late'), { dstuser: null, srcip: null, url: null, id: '3=1,2=1,1' });
});

test('decodeSymantecWs() keeps the first value and does not overwrite set fields', () => {
  assert.deepEqual(decode('20070717,1,11=1.1.1.1,11=2.2.2.2,10=a,10=b,60=u1,60=u2'), { dstuser: 'a', srcip: '1.1.1.1', url: 'u1', id: null });
  const ev = new EventInfo();
  ev.srcip = 'preset';
  assert.equal(decode('20070717,1,11=1.1.1.1', ev).srcip, 'preset');
});

test('decodeSymantecWs() skips only the date: the time is read as an entry', () => {
  // The second comma search starts on the first comma, so "10=x" in the time slot counts.
  assert.equal(decode('20070717,10=x,1=5').dstuser, 'x');
  assert.deepEqual(decode('no comma at all'), { dstuser: null, srcip: null, url: null, id: null });
  assert.equal(decode('20070717,73614,10=').dstuser, '', 'empty value');
});

test('decodeSymantecWs() caps user and ip at 128 bytes and url at 1024', () => {
  const long = 'u'.repeat(200);
  const url = 'h'.repeat(1500);
  const out = decode(`20070717,1,10=${long},11=${long},60=${url}`);
  assert.equal(out.dstuser, 'u'.repeat(128));
  assert.equal(out.srcip, 'u'.repeat(128));
  assert.equal(out.url, 'h'.repeat(1024));
});
