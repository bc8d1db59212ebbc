/**
 * How long a journal entry takes to reach Riposte's journal source: a private systemd-journald
 * (test/support/journald.ts), entries sent with logger, timed until `JournalSource.next()` hands
 * them over. Root only. Prints `{"p50_ms":…,"max_ms":…,"rounds":N}` (logger's own start, ~15 ms,
 * included). Run: node --import tsx scripts/journal-latency.ts [rounds]
 * @module
 */
import { readFileSync } from 'node:fs';
import { JournalctlLauncher, JournalSource } from '../src/collect/journald.ts';
import { findTool } from '../src/programs/_exec.ts';
import { startJournal } from '../test/support/journald.ts';

const rounds = Number(process.argv[2] ?? 20);
const j = await startJournal();
const launcher = JournalctlLauncher.prepare(
  { journalctl: findTool('journalctl') as string, directory: j.journalDir, machineId: readFileSync('/etc/machine-id', 'utf8').trim() },
  findTool('xargs'),
);
const source = new JournalSource({ launcher, groups: [] });
let waiting: ((line: string) => void) | null = null;
const loop = (async () => {
  for (let b = await source.next(); b; b = await source.next()) {
    for (const l of b.lines) waiting?.(l);
    source.ack(b);
  }
})();
await new Promise((r) => setTimeout(r, 1000));
const ms: number[] = [];
for (let i = 0; i < rounds; i++) {
  const got = new Promise<void>((r) => {
    waiting = (l) => {
      if (l.endsWith(`: latency ${i}`)) r();
    };
  });
  const t0 = performance.now();
  j.log('sshd', `latency ${i}`);
  await got;
  ms.push(performance.now() - t0);
  await new Promise((r) => setTimeout(r, 100));
}
await source.stop();
await loop;
await j.stop();
ms.sort((a, b) => a - b);
console.log(JSON.stringify({ p50_ms: Math.round(ms[Math.floor(ms.length / 2)] ?? 0), max_ms: Math.round(ms[ms.length - 1] ?? 0), rounds }));
