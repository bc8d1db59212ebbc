/**
 * `riposte replay FILE...`: what the configured rules and responses would have done on these
 * logs, on the logs' own time, without executing anything.
 * @module
 */
import type { Command } from 'commander';
import { prepare } from '../../config/prepare.ts';
import { ProgressBar } from '../../io/progress.ts';
import { replayFiles, totalBytes } from '../../replay/run.ts';
import type { ReplayReportV1 } from '../../replay/report.ts';
import { RiposteError } from '../../errors.ts';
import { DEFAULT_CONFIG, RIPOSTE_HOME } from '../../daemon/home.ts';


function iso(t: number | null): string {
  return t === null ? '-' : new Date(t * 1000).toISOString().replace('.000Z', 'Z');
}

function printHuman(r: ReplayReportV1): void {
  const w = (s: string): boolean => process.stdout.write(`${s}\n`);
  w(`Replayed ${r.lines.toLocaleString('en')} lines from ${r.files.length} file(s) in ${(r.elapsedMs / 1000).toFixed(1)} s (${r.eventsPerSec.toLocaleString('en')} lines/s)`);
  w(`Event time: ${iso(r.firstEventAt)} → ${iso(r.lastEventAt)}${r.truncatedLines ? `; ${r.truncatedLines} overlong lines truncated` : ''}`);
  w(`\nAlerts: ${r.alerts.toLocaleString('en')} (top rules)`);
  for (const a of r.alertsByRule.slice(0, 15)) w(`  ${String(a.count).padStart(8)}  rule ${a.id} (level ${a.level}) ${a.description}`);
  w(`\nResponses that would have fired: ${r.decisions} decision(s) on ${r.targets.length} target(s)`);
  for (const s of r.responses) {
    const esc = s.escalations ? `, ${s.escalations} escalation(s), offence ${s.maxOffence}` : '';
    w(`  ${s.command.padEnd(16)} ${s.target.padEnd(40)} ${s.decisions} run(s)${esc}, longest ${s.permanent ? 'permanent' : `${s.maxTimeoutSec} s`}, rules ${s.rules.join(',')}, ${s.duplicates} re-trigger(s) while active`);
  }
  if (r.allowlistHits.length) {
    w('\nAllowlist hits (never acted on):');
    for (const h of r.allowlistHits) w(`  ${h.target.padEnd(40)} ${h.response} × ${h.count}: ${h.detail}`);
  }
  const refusals = Object.entries(r.refusals);
  if (refusals.length) w(`\nRefused: ${refusals.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  w(`\nStill active at the end of the logs: ${r.activeAtEnd.length}`);
  for (const a of r.activeAtEnd) w(`  ${a.response.padEnd(24)} ${a.target.padEnd(40)} until ${a.until === null ? 'reverted by hand' : iso(a.until)}`);
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('Run logs through the configured rules and responses in simulation (on the logs\' own timestamps) and report what would have fired')
    .argument('<files...>', 'log files, replayed in order through one session')
    .option('--config <file>', 'ossec.conf to take the responses, allowlist and ruleset from', DEFAULT_CONFIG)
    .option('--ruleset-dir <dir>', 'use this ruleset directory (decoders/, rules/, lists/, etc-defaults/) instead of the config\'s <ruleset>')
    .option('--year <year>', 'year of year-less syslog timestamps (default: the first file\'s modification year)')
    .option('--json', 'print the report as JSON')
    .action(async (files: string[], opts: { config: string; rulesetDir?: string; year?: string; json?: boolean }) => {
      if (opts.year !== undefined && !/^\d{4}$/.test(opts.year)) throw new RiposteError('RIPOSTE_ERR_USAGE', `Invalid --year "${opts.year}"`);
      // Warnings and the ruleset used go to stderr: stdout is the report.
      const { config, ruleset } = await prepare(
        { configFile: opts.config, home: RIPOSTE_HOME, ...(opts.rulesetDir ? { rulesetDir: opts.rulesetDir } : {}) },
        (m) => process.stderr.write(`riposte: ${m}\n`),
      );
      const bar = new ProgressBar(totalBytes(files));
      const report = await replayFiles(files, {
        config,
        ruleset,
        ...(opts.year ? { yearHint: Number(opts.year) } : {}),
        onProgress: (bytes, lines) => bar.update(bytes, lines),
      });
      bar.finish(report.lines);
      if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else printHuman(report);
    });
}
