/**
 * The journal source against a real systemd-journald (test/support/journald.ts), real journalctl
 * and entries sent through journald's syslog socket with logger, as sshd's syslog(3) sends them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { findTool } from '../programs/_exec.ts';
import { compilePcre2 } from '../regex/pcre2.ts';
import { journaldUnavailable, startJournal, type TestJournal } from '../../test/support/journald.ts';
import type { TailBatch, TailNotice } from './file-tail.ts';
import { syslogStamp } from './journal-entry.ts';
import { JournalctlLauncher, JournalSource, type JournalSourceOptions } from './journald.ts';
import { JsonCheckpointStore } from './json-checkpoints.ts';

const skip = journaldUnavailable() ?? (findTool('journalctl') === null ? 'journalctl is not installed' : false);
const MACHINE_ID = readFileSync('/etc/machine-id', 'utf8').trim();
const SSHD_ONLY = [[{ field: 'SYSLOG_IDENTIFIER', pattern: compilePcre2('^sshd$'), ignoreIfMissing: false }]];

/** Readers to stop before their journal (and its dir) goes. */
const readersOf = new WeakMap<TestJournal, Array<() => Promise<void>>>();

async function journal(t: TestContext): Promise<TestJournal> {
  const j = await startJournal();
  const readers: Array<() => Promise<void>> = [];
  readersOf.set(j, readers);
  t.after(async () => {
    await Promise.all(readers.map((stop) => stop()));
    await j.stop();
  });
  return j;
}

interface Reader {
  readonly source: JournalSource;
  readonly lines: string[];
  readonly batches: TailBatch[];
  readonly notices: TailNotice[];
  stop(): Promise<void>;
}

/** A source with a consumer loop that records (and acks, unless told not to) every batch. */
function read(j: TestJournal, opts: Partial<JournalSourceOptions> & { ack?: boolean; prepare?: 'xargs' | 'direct' } = {}): Reader {
  const notices: TailNotice[] = [];
  const launcher = JournalctlLauncher.prepare({ journalctl: findTool('journalctl') as string, directory: j.journalDir, filterFields: ['SYSLOG_IDENTIFIER'], machineId: MACHINE_ID }, opts.prepare === 'direct' ? null : findTool('xargs'));
  const source = new JournalSource({ launcher, groups: SSHD_ONLY, skipFlushMs: 100, restartDelayMs: 100, ...opts, log: (n) => notices.push(n) });
  const lines: string[] = [];
  const batches: TailBatch[] = [];
  const loop = (async () => {
    for (let b = await source.next(); b !== null; b = await source.next()) {
      lines.push(...b.lines);
      batches.push(b);
      if (opts.ack ?? true) source.ack(b);
    }
  })();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await source.stop();
    await loop;
  };
  readersOf.get(j)?.push(stop);
  return { source, lines, batches, notices, stop };
}

async function until(f: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(20);
  }
}

/** Wait until journalctl follows (a first start reads from "now"): probes until one arrives. */
async function ready(j: TestJournal, r: Reader): Promise<void> {
  for (let i = 0; !r.lines.some((l) => l.endsWith(': probe')); i++) {
    if (i > 200) throw new Error('the source never delivered a probe');
    j.log('sshd', 'probe');
    await delay(50);
  }
}

const message = (tag: string, i: number): string => `Failed password for root from 203.0.113.${i % 250} port ${40000 + i} ssh2 ${tag}`;

test('JournalSource renders entries as logcollector\'s syslog line, bytes kept', { skip }, async (t) => {
  const j = await journal(t);
  const r = read(j);
  await ready(j, r);
  j.log('sshd', 'Failed password for root from 203.0.113.5 port 50312 ssh2', 4242);
  j.log('sshd', Buffer.from([0x62, 0x69, 0x6e, 0xff, 0x0a]), 7); // not UTF-8: journalctl prints a byte array
  j.log('cron', 'filtered out');
  await until(() => r.lines.filter((l) => !l.endsWith(': probe')).length >= 2, 'two lines');
  const [line, bin] = r.lines.filter((l) => !l.endsWith(': probe')) as [string, string];
  const batch = r.batches.find((b) => b.lines.includes(line)) as TailBatch;
  const us = batch.ends[batch.lines.indexOf(line)] as number;
  assert.equal(line, `${syslogStamp(us)} ${hostname()} sshd[4242]: Failed password for root from 203.0.113.5 port 50312 ssh2`);
  assert.equal(bin, `${bin.slice(0, 15)} ${hostname()} sshd[7]: bin\xff`);
  assert.ok(Math.abs(us / 1000 - Date.now()) < 60_000, 'the entry\'s own time');
  await delay(300);
  assert.ok(!r.lines.some((l) => l.includes('filtered out')));
  assert.ok(r.source.stats.filtered >= 1);
});

test('JournalSource resumes after its acknowledged cursor: a restart neither re-reads nor skips', { skip }, async (t) => {
  const j = await journal(t);
  const store = new JsonCheckpointStore(join(j.dir, 'checkpoints.json'));
  j.log('sshd', 'before the first start');
  const first = read(j, { store });
  await ready(j, first);
  for (let i = 0; i < 5; i++) j.log('sshd', message('a', i));
  await until(() => first.lines.filter((l) => l.endsWith(' a')).length === 5, 'the five a lines');
  await first.stop();
  assert.ok(!first.lines.some((l) => l.includes('before the first start')), 'a first start reads from now on');
  assert.match(JSON.stringify(readFileSync(join(j.dir, 'checkpoints.json'), 'utf8')), /journal:s=/);

  // Written while Riposte is down, with filtered-out entries between them.
  for (let i = 0; i < 4; i++) {
    j.log('sshd', message('b', i));
    j.log('cron', `noise ${i}`);
  }
  const second = read(j, { store });
  await until(() => second.lines.filter((l) => l.endsWith(' b')).length === 4, 'the four b lines');
  await delay(500);
  assert.deepEqual(second.lines.map((l) => l.replace(/^.*: /, '')), [0, 1, 2, 3].map((i) => message('b', i)), 'exactly the entries after the cursor');
  assert.ok(second.notices.some((n) => n.kind === 'resume'));
  await second.stop();
});

test('JournalSource: a batch not acknowledged is delivered again after a restart', { skip }, async (t) => {
  const j = await journal(t);
  const store = new JsonCheckpointStore(join(j.dir, 'checkpoints.json'));
  const first = read(j, { store });
  await ready(j, first);
  await delay(200); // the probe's batch acknowledged
  const acked = first.batches.length;
  await first.stop();
  const second = read(j, { store, ack: false });
  for (let i = 0; i < 3; i++) j.log('sshd', message('c', i));
  await until(() => second.lines.filter((l) => l.endsWith(' c')).length === 3, 'the c lines');
  await second.stop();
  const third = read(j, { store });
  await until(() => third.lines.filter((l) => l.endsWith(' c')).length === 3, 'the c lines again');
  assert.ok(acked > 0);
  assert.deepEqual(third.lines.filter((l) => l.endsWith(' c')).map((l) => l.replace(/^.*: /, '')), [0, 1, 2].map((i) => message('c', i)));
});

test('JournalSource stops reading journalctl while the consumer is behind (bounded memory), then delivers everything in order', { skip }, async (t) => {
  const j = await journal(t);
  const N = 3000;
  j.log('sshd', Array.from({ length: N }, (_, i) => message('d', i)).join('\n'));
  // Read the whole journal: the N entries are there before the first next().
  const got: string[] = [];
  const launcher = JournalctlLauncher.prepare({ journalctl: findTool('journalctl') as string, directory: j.journalDir, filterFields: ['SYSLOG_IDENTIFIER'] }, findTool('xargs'));
  const sourceFromStart = new JournalSource({ launcher, groups: SSHD_ONLY, maxBatchLines: 100, fromStart: true });
  t.after(() => sourceFromStart.stop());
  const b0 = await sourceFromStart.next();
  got.push(...(b0?.lines ?? []));
  // The consumer is now "busy": nothing pulls for a while. journalctl has N entries to print.
  await delay(1500);
  const parsed = sourceFromStart.stats.lines;
  assert.ok(parsed <= 400, `${parsed} lines parsed and held while the consumer was behind (bound: a batch of 100 plus one pipe chunk)`);
  for (let b = await sourceFromStart.next(); b !== null; b = got.length >= N ? null : await sourceFromStart.next()) got.push(...b.lines);
  assert.equal(got.length, N);
  assert.deepEqual(got.map((l) => l.replace(/^.*: /, '')), Array.from({ length: N }, (_, i) => message('d', i)));
});

test('JournalSource starts journalctl again when it dies, from the last entry read: nothing lost, nothing twice', { skip }, async (t) => {
  const j = await journal(t);
  const r = read(j, { prepare: 'direct' });
  await ready(j, r);
  for (let i = 0; i < 3; i++) j.log('sshd', message('e', i));
  await until(() => r.lines.filter((l) => l.endsWith(' e')).length === 3, 'the first e lines');
  const proc = findJournalctl(j);
  assert.ok(proc !== null, 'journalctl is running');
  process.kill(proc as number, 'SIGKILL');
  for (let i = 3; i < 6; i++) j.log('sshd', message('e', i));
  await until(() => r.lines.filter((l) => l.endsWith(' e')).length >= 6, 'the e lines after the restart');
  await delay(300);
  assert.deepEqual(r.lines.filter((l) => l.endsWith(' e')).map((l) => l.replace(/^.*: /, '')), [0, 1, 2, 3, 4, 5].map((i) => message('e', i)));
  assert.ok(r.notices.some((n) => n.kind === 'error' && /journalctl was killed/.test(n.message)));
  assert.equal(r.notices.filter((n) => /journalctl was killed/.test(n.message)).length, 1, JSON.stringify(r.notices));
});

/** The PID of the journalctl reading this test's journal (our own child, found by its arguments). */
function findJournalctl(j: TestJournal): number | null {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd[0]?.endsWith('journalctl') && cmd.includes(`--directory=${j.journalDir}`) && Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[3]) === process.pid) return Number(pid);
    } catch {
      // The process ended meanwhile.
    }
  }
  return null;
}

test('JournalSource resumes across a reboot: the rest of the previous boot, then the new one', { skip }, async (t) => {
  // Two boots that are not this machine's: journalctl --follow alone shows only the current boot.
  const bootA = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0';
  const bootB = 'b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1';
  const first = await startJournal({ bootId: bootA, keepDir: true });
  t.after(() => rmSync(first.dir, { recursive: true, force: true }));
  const store = new JsonCheckpointStore(join(first.dir, 'checkpoints.json'));
  const r1 = read(first, { store });
  await ready(first, r1);
  first.log('sshd', message('f', 0));
  await until(() => r1.lines.some((l) => l.endsWith(' f')), 'the first f line');
  await r1.stop();
  first.log('sshd', message('f', 1)); // written while Riposte is down, just before the reboot
  await first.stop();
  const second = await startJournal({ dir: first.dir, bootId: bootB, keepDir: true });
  t.after(() => second.stop());
  second.log('sshd', message('f', 2));
  const r2 = read(second, { store });
  t.after(() => r2.stop());
  await until(() => r2.lines.filter((l) => l.endsWith(' f')).length >= 2, 'the f lines of both boots');
  await delay(300);
  assert.deepEqual(r2.lines.filter((l) => l.endsWith(' f')).map((l) => l.replace(/^.*: /, '')), [1, 2].map((i) => message('f', i)));
});
