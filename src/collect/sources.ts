/**
 * Turns the configuration's `<localfile>` blocks into the collector's sources, and starts what
 * must start early: journalctl is prepared here, before the daemon loads its ruleset (the daemon
 * never forks after that; see `journald.ts`).
 *
 * - The journald blocks make one source, `journald` (Wazuh merges them the same way): an entry
 *   is read when it passes all the filters of any one block; a block without filters lets every
 *   entry through. `<only-future-events>no</only-future-events>` in any block reads the whole
 *   journal on a first start.
 * - The journal is **active** when journalctl exists and there is a journal to follow: the
 *   directory in `RIPOSTE_JOURNAL_DIR` (passed to journalctl as `--directory`), or else a running
 *   systemd-journald (`/run/systemd/journal`). Otherwise a warning names the block, and the
 *   journald blocks read nothing.
 * - A file block with Riposte's `<skip_if_journald>yes</skip_if_journald>` is not read while the
 *   journal is active, with a notice: on a host where a syslog daemon copies the journal into
 *   that file, reading both would count every event twice.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import type { LocalFileConfig } from '../config/types.ts';
import { findTool } from '../programs/_exec.ts';
import { compilePcre2 } from '../regex/pcre2.ts';
import type { JournalSpec, LocalFileSpec } from './collector.ts';
import type { JournalFilterGroup } from './journal-entry.ts';
import { JOURNAL_DIR_ENV, JOURNALD_SOURCE, JournalctlLauncher } from './journald.ts';

/** Where systemd-journald keeps its sockets while it runs. */
const JOURNALD_RUNTIME_DIR = '/run/systemd/journal';

export interface SourcePlan {
  /** For `new LogCollector(specs, …)`. */
  readonly specs: readonly (LocalFileSpec | JournalSpec)[];
  /** Whether the journal source is among them. */
  readonly journalActive: boolean;
  /** End what was started early and not used (the collector's `stop` ends the rest). */
  close(): void;
}

export interface PlanOptions {
  /** Receives the plan's warnings and notices, one sentence each. */
  readonly log: (message: string) => void;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default fs.existsSync */
  readonly exists?: (path: string) => boolean;
}

/**
 * @example
 * const plan = planSources(config.localfiles, { log });
 * const collector = new LogCollector(plan.specs, { store });
 */
export function planSources(localfiles: readonly LocalFileConfig[], opts: PlanOptions): SourcePlan {
  const env = opts.env ?? process.env;
  const exists = opts.exists ?? existsSync;
  const journals = localfiles.filter((l) => l.logFormat === 'journald');
  const specs: (LocalFileSpec | JournalSpec)[] = [];
  let launcher: JournalctlLauncher | null = null;
  if (journals.length > 0) {
    const where = journals.map((j) => (j.origin ? `${j.origin.file}:${j.origin.line}` : 'the configuration')).join(', ');
    const journalctl = findTool('journalctl', env);
    const directory = env[JOURNAL_DIR_ENV] || undefined;
    const missing =
      journalctl === null
        ? 'journalctl is not installed'
        : directory !== undefined
          ? exists(directory) ? null : `${JOURNAL_DIR_ENV} names "${directory}", which does not exist`
          : exists(JOURNALD_RUNTIME_DIR) ? null : `systemd-journald is not running ("${JOURNALD_RUNTIME_DIR}" does not exist)`;
    if (missing !== null || journalctl === null) {
      opts.log(`Warning: ${where}: the journald <localfile> reads nothing: ${missing ?? 'no journalctl'}`);
    } else {
      const groups: JournalFilterGroup[] = [];
      let everything = false;
      for (const j of journals) {
        if (!j.filters || j.filters.length === 0) everything = true;
        else groups.push(j.filters.map((f) => ({ field: f.field, pattern: compilePcre2(f.expression), ignoreIfMissing: f.ignoreIfMissing })));
      }
      const filterFields = [...new Set(journals.flatMap((j) => (j.filters ?? []).map((f) => f.field)))];
      const machineId = readMachineId();
      launcher = JournalctlLauncher.prepare(
        { journalctl, ...(directory !== undefined ? { directory } : {}), filterFields, ...(machineId !== null ? { machineId } : {}) },
        findTool('xargs', env),
      );
      const fromStart = journals.some((j) => j.onlyFutureEvents === false);
      specs.push({ journal: { launcher, groups: everything ? [] : groups, ...(fromStart ? { fromStart } : {}) } });
      opts.log(`${JOURNALD_SOURCE}: reading the journal${directory !== undefined ? ` in "${directory}"` : ''} (${where})`);
    }
  }
  for (const l of localfiles) {
    if (l.logFormat === 'journald') continue;
    if (l.skipIfJournald && launcher !== null) {
      opts.log(`${l.location}: not read while the journal is read (skip_if_journald), so that events are not counted twice`);
      continue;
    }
    specs.push({ path: l.location });
  }
  const used = launcher;
  return {
    specs,
    journalActive: used !== null,
    close: () => used?.close(),
  };
}

/** /etc/machine-id, or null when it is missing or not an id. */
function readMachineId(): string | null {
  try {
    const id = readFileSync('/etc/machine-id', 'utf8').trim();
    return /^[0-9a-f]{32}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}
