/**
 * Operator commands: `riposte responses`, `riposte allowlist`, `riposte ar run|test`.
 * @module
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { BUNDLED_RESPONSES, DEFAULT_CONFIG } from '../../daemon/home.ts';
import type { CommandConfig } from '../../config/types.ts';
import { AR_TEST_TIMEOUT_SEC, MAX_TIMEOUT_SEC, Operator, parseDuration, parseTimeoutSec, type RunResult } from '../../daemon/operator.ts';
import { badUserReason, canonicalIp, checkIpTarget, quote, wantsUser } from '../../decide/target.ts';
import type { DecisionV1, Target } from '../../decide/types.ts';
import { RiposteError } from '../../errors.ts';
import { buildArMessage, resolveProgram, runProgram, toAlertJson } from '../../execute/index.ts';
import type { ListedDecision } from '../../store/index.ts';

interface Common {
  config: string;
  dataDir: string;
  responseDir: string[];
}

function common(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'ossec.conf', DEFAULT_CONFIG)
    .option('--data-dir <dir>', 'Riposte data directory', '/var/lib/riposte')
    .option('--response-dir <dir>', 'extra response directory', (v: string, prev: string[]) => [...prev, v], [] as string[]);
}

function operator(o: Common): Operator {
  return new Operator({ configFile: o.config, dataDir: o.dataDir, responseDirs: o.responseDir });
}

/** A time for people: an ISO date (UTC, whole seconds); no `until` means until reverted by hand. */
function iso(t: number | null): string {
  return t === null ? 'reverted by hand' : new Date(Math.floor(t) * 1000).toISOString().replace('.000Z', 'Z');
}

function count(text: string, flag: string): number {
  if (!/^[0-9]{1,9}$/.test(text)) throw new RiposteError('RIPOSTE_ERR_USAGE', `Invalid ${flag} "${text}": must be a whole number`);
  return Number(text);
}

function timeoutOption(text: string): number {
  const sec = parseTimeoutSec(text);
  if (sec === null) throw new RiposteError('RIPOSTE_ERR_USAGE', `Invalid --timeout "${text}": must be whole seconds from 0 to ${MAX_TIMEOUT_SEC}`);
  return sec;
}

function printDecisions(list: readonly ListedDecision[], total: number, offset: number, limit: number, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ total, offset, limit, responses: list })}\n`);
    return;
  }
  for (const d of list) {
    // State is desired state; `add:` is what the host actually got (the add run's outcome).
    process.stdout.write(`${d.decisionId}  ${d.state.padEnd(9)} add:${d.applied.padEnd(8)} ${d.command.padEnd(16)} ${`${d.target.kind}:${d.target.value}`.padEnd(42)} rule ${String(d.ruleId).padEnd(6)} until ${iso(d.until)}${d.offence > 1 ? `  offence ${d.offence}` : ''}\n`);
  }
  if (list.length === total) process.stdout.write(`${total} response(s)\n`);
  else {
    const next = offset + list.length < total ? ` (--offset ${offset + list.length} for the next page)` : '';
    process.stdout.write(`${list.length === 0 ? 'none' : `${offset + 1}-${offset + list.length}`} of ${total} response(s) shown${next}\n`);
  }
}

/** The real outcome of each bound response of a manual run; exit status 1 unless all succeeded. */
function printRun(results: readonly RunResult[]): void {
  for (const { outcome: r, status, execution: e } of results) {
    if (r.kind !== 'decision') {
      process.stdout.write(`refused: ${r.reason}${r.detail ? ` (${r.detail})` : ''}\n`);
      process.exitCode = 1;
      continue;
    }
    const run = e ? ` (exit ${e.exitCode ?? e.signal ?? 'none'}${e.timedOut ? ', timed out' : ''}, ${Math.round(e.durationMs)} ms)` : '';
    if (status === 'succeeded') {
      process.stdout.write(`${r.decisionId} ${r.command} ${r.target.value} active until ${iso(r.until)}${run}\n`);
      continue;
    }
    process.exitCode = 1;
    const why = status === 'refused' ? 'not run (already recorded, or the program could not be resolved: see active-responses.log)' : `${status}${run}`;
    process.stdout.write(`${r.decisionId} ${r.command} ${r.target.value} FAILED: ${why}; nothing is in force\n`);
    if (e?.stderrExcerpt) process.stdout.write(`stderr:\n${e.stderrExcerpt}\n`);
  }
}

export function registerOperate(program: Command): void {
  const responses = program.command('responses').description('List and revert responses');
  common(responses.command('list').description('List recorded responses'))
    .option('--active', 'only responses in force (desired state; the add: column shows what was applied)')
    .option('--json', 'print JSON: {total, offset, limit, responses}')
    .option('--limit <n>', 'at most this many, newest first', '1000')
    .option('--offset <n>', 'skip this many first (paging)', '0')
    .action((o: Common & { active?: boolean; json?: boolean; limit: string; offset: string }) => {
      const limit = count(o.limit, '--limit');
      const offset = count(o.offset, '--offset');
      const op = operator(o);
      try {
        const filter = o.active ? { active: true } : {};
        const total = op.store.countDecisions(filter);
        printDecisions(op.store.pageDecisions(filter, { offset, limit }), total, offset, limit, o.json === true);
      } finally {
        op.close();
      }
    });
  common(responses.command('revert').description('Revert responses now: one id, or --rule, --since, --all'))
    .argument('[id]', 'decision id')
    .option('--rule <id>', 'every active response of this rule')
    .option('--since <duration>', 'every active response decided within this duration (e.g. 15m, 2h)')
    .option('--all', 'every active response')
    .action(async (id: string | undefined, o: Common & { rule?: string; since?: string; all?: boolean }) => {
      const chosen = [id !== undefined, o.rule !== undefined, o.since !== undefined, o.all === true].filter(Boolean).length;
      if (chosen !== 1) throw new RiposteError('RIPOSTE_ERR_USAGE', 'Give exactly one of ID, --rule, --since or --all');
      const since = o.since === undefined ? undefined : parseDuration(o.since);
      if (since === null) throw new RiposteError('RIPOSTE_ERR_USAGE', `Invalid duration "${o.since}"`);
      if (o.rule !== undefined && !/^[0-9]{1,9}$/.test(o.rule)) throw new RiposteError('RIPOSTE_ERR_USAGE', `Invalid --rule "${o.rule}": must be a rule id`);
      const op = operator(o);
      const by = `cli:${userInfo().username}`;
      try {
        if (id !== undefined) {
          const d = op.store.getDecision(id);
          if (d?.state !== 'active') throw new RiposteError('RIPOSTE_ERR_USAGE', d ? `Response "${id}" is ${d.state}, not active` : `No active response "${id}"`);
          const done = await op.revert([d], by);
          if (done.length === 0) process.stdout.write(`${id} was claimed by riposte start first\n`);
          for (const [dId, ok] of done) process.stdout.write(`${dId} ${ok ? 'reverted' : 'revert FAILED (will be retried by riposte start)'}\n`);
          if (done.some(([, ok]) => !ok)) process.exitCode = 1;
          return;
        }
        const filter = {
          ...(o.rule !== undefined ? { ruleId: Number(o.rule) } : {}),
          ...(since !== undefined ? { since: op.now() - since } : {}),
        };
        const report = await op.revertAll(filter, by, (chunk) => {
          for (const [dId, ok] of chunk) process.stdout.write(`${dId} ${ok ? 'reverted' : 'revert FAILED (will be retried by riposte start)'}\n`);
        });
        const failed = report.failed.length;
        const elsewhere = report.claimedElsewhere > 0 ? `; ${report.claimedElsewhere} reverted by riposte start meanwhile` : '';
        process.stdout.write(`reverted ${report.reverted} of ${report.reverted + failed} response(s)${failed ? `, ${failed} FAILED` : ''}${elsewhere}\n`);
        if (failed > 0) process.exitCode = 1;
      } finally {
        op.close();
      }
    });

  const allow = program.command('allowlist').description('Addresses, ranges and accounts never acted on');
  common(allow.command('list').description('List allowlist entries (configuration and store)')).action((o: Common) => {
    const op = operator(o);
    try {
      for (const e of op.config.allowlist) process.stdout.write(`${e.kind.padEnd(8)} ${e.value.padEnd(40)} ${e.reason} (config)\n`);
      for (const e of op.store.allowlistList()) process.stdout.write(`${e.kind.padEnd(8)} ${e.value.padEnd(40)} ${e.reason} (added by ${e.addedBy})\n`);
    } finally {
      op.close();
    }
  });
  common(allow.command('add').description('Allowlist an IP, CIDR or account now (a running riposte start sees it at once) and lift the active responses it covers'))
    .argument('<target>', 'IP, CIDR or account name')
    .requiredOption('--reason <text>', 'why (required)')
    .action(async (target: string, o: Common & { reason: string }) => {
      if (o.reason.trim() === '') throw new RiposteError('RIPOSTE_ERR_USAGE', 'An allowlist entry needs a reason');
      const kind = /^[0-9a-fA-F:.]+(\/\d+)?$/.test(target) && target.match(/[.:]/) ? 'ip' : 'account';
      if (kind === 'ip' && canonicalIp(target.split('/')[0] as string) === null) throw new RiposteError('RIPOSTE_ERR_USAGE', `Invalid address "${target}"`);
      const op = operator(o);
      try {
        const lifted = await op.allowlistAdd({ value: target, kind, reason: o.reason, addedBy: `cli:${userInfo().username}` });
        process.stdout.write(`allowlisted ${kind} ${target}\n`);
        for (const l of lifted) process.stdout.write(`${l.decision.decisionId} ${l.decision.command} ${l.decision.target.value} ${l.ok ? 'lifted' : 'lift FAILED (will be retried by riposte start)'}\n`);
        if (lifted.length > 0) process.stdout.write(`lifted ${lifted.filter((l) => l.ok).length} of ${lifted.length} active response(s) now covered by the allowlist\n`);
        if (lifted.some((l) => !l.ok)) process.exitCode = 1;
      } finally {
        op.close();
      }
    });
  common(allow.command('remove').description('Remove an allowlist entry added with "allowlist add"'))
    .argument('<target>')
    .action((target: string, o: Common) => {
      const op = operator(o);
      try {
        if (!op.store.allowlistRemove(target)) throw new RiposteError('RIPOSTE_ERR_USAGE', `No allowlist entry "${target}" in the store`);
        process.stdout.write(`removed ${target}\n`);
      } finally {
        op.close();
      }
    });

  const ar = program.command('ar').description('Run or test response programs by hand');
  common(ar.command('run').description('Run a configured command now, through the same checks as a rule (target, allowlist, own addresses); reverted after --timeout'))
    .argument('<command>', 'a <command> name from the configuration')
    .option('--srcip <ip>', 'target address')
    .option('--user <name>', 'target account')
    .option('--timeout <seconds>', `seconds before the revert (0: until reverted by hand; at most ${MAX_TIMEOUT_SEC})`, '600')
    .action(async (command: string, o: Common & { srcip?: string; user?: string; timeout: string }) => {
      const timeoutSec = timeoutOption(o.timeout);
      const op = operator(o);
      try {
        if (!op.config.commands.has(command)) throw new RiposteError('RIPOSTE_ERR_USAGE', `Unknown command "${command}"`);
        printRun(await op.run(command, target(o), timeoutSec));
      } finally {
        op.close();
      }
    });
  common(ar.command('test').description(`Stage-test a response program on a target: add goes through the same checks as a rule, is recorded and reverted after --timeout (default ${AR_TEST_TIMEOUT_SEC} s); delete lifts it`))
    .argument('<program>', 'a configured <command> name, or the executable one runs')
    .argument('<action>', 'add or delete')
    .option('--srcip <ip>', 'target address', '192.0.2.77')
    .option('--user <name>', 'target account')
    .option('--timeout <seconds>', `seconds before the revert (at most ${MAX_TIMEOUT_SEC})`, String(AR_TEST_TIMEOUT_SEC))
    .action(async (name: string, action: string, o: Common & { srcip: string; user?: string; timeout: string }) => {
      if (action !== 'add' && action !== 'delete') throw new RiposteError('RIPOSTE_ERR_USAGE', 'action must be add or delete');
      const timeoutSec = timeoutOption(o.timeout);
      const op = operator(o);
      try {
        // A configured command, so that what the test adds is recorded under a command the
        // daemon knows and can revert on time.
        const commands = [...op.config.commands.values()];
        const command = commands.find((c) => c.name === name) ?? commands.find((c) => c.executable === name);
        if (!command) throw new RiposteError('RIPOSTE_ERR_USAGE', `No <command> in "${o.config}" is or runs "${name}": ar test records what it does under a configured command so that it is reverted on time`);
        process.stdout.write(`program: ${await resolveProgram(command.executable, [BUNDLED_RESPONSES, ...o.responseDir])} (command "${command.name}")\n`);
        if (action === 'add') {
          const results = await op.run(command.name, target(o), timeoutSec, 'ar-test');
          for (const r of results) if (r.execution?.answer) process.stdout.write(`check_keys answered: ${r.execution.answer}\n`);
          printRun(results);
          return;
        }
        await testDelete(op, command, o);
      } finally {
        op.close();
      }
    });
}

function target(o: { srcip?: string; user?: string }): { srcip?: string; user?: string } {
  const t: { srcip?: string; user?: string } = {};
  if (o.srcip !== undefined) t.srcip = o.srcip;
  if (o.user !== undefined) t.user = o.user;
  return t;
}

/**
 * `ar test … delete`: lift what is recorded for this command and target (audited, once); with
 * nothing recorded, run the program's delete directly, so a leftover of an earlier test can be
 * cleared. The target is validated first, by the same checks as an add.
 */
async function testDelete(op: Operator, command: CommandConfig, o: { srcip: string; user?: string; responseDir: string[] }): Promise<void> {
  let t: Target;
  if (wantsUser(command)) {
    if (o.user === undefined) throw new RiposteError('RIPOSTE_ERR_USAGE', `Command "${command.name}" acts on an account: give --user`);
    const why = badUserReason(o.user);
    if (why) throw new RiposteError('RIPOSTE_ERR_USAGE', `Invalid --user ${quote(o.user)}: ${why}`);
    t = { kind: 'user', value: o.user };
  } else {
    const checked = checkIpTarget(o.srcip);
    if ('why' in checked) throw new RiposteError('RIPOSTE_ERR_USAGE', `Invalid --srcip ${quote(o.srcip)}: ${checked.why}`);
    t = { kind: 'ip', value: checked.value };
  }
  const recorded = op.store.activeByTarget(t).filter((d) => d.command === command.name && d.state === 'active');
  if (recorded.length > 0) {
    const done = await op.revert(recorded, `cli:${userInfo().username}`);
    for (const [id, ok] of done) process.stdout.write(`${id} ${ok ? 'reverted' : 'revert FAILED (will be retried by riposte start)'}\n`);
    if (done.some(([, ok]) => !ok)) process.exitCode = 1;
    return;
  }
  const path = await resolveProgram(command.executable, [BUNDLED_RESPONSES, ...o.responseDir]);
  const now = op.now();
  const decision: DecisionV1 = {
    kind: 'decision', decisionId: 'test', response: `${command.name}0`, command: command.name, target: t, alertId: `${now}.0`, ruleId: 0,
    decidedAt: now, timeoutSec: 0, until: null, offence: 1, escalated: false, simulated: false, mode: 'enforce',
  };
  const alert = toAlertJson({ id: `${now}.0`, time: now, agentId: '000', rule: { id: 0, level: 0, groups: 'test,', noAr: false }, data: t.kind === 'ip' ? { srcip: t.value } : { dstuser: t.value }, location: 'riposte-ar-test', fullLog: 'riposte ar test' }, { ruleDescription: 'riposte ar test' });
  const message = buildArMessage(decision, alert, command, 'delete');
  process.stdout.write(`nothing recorded for ${t.kind} ${t.value}: running the delete\n> ${JSON.stringify(message)}\n`);
  const out = await runProgram(path, {
    message,
    timeoutMs: command.runTimeoutSec * 1000,
    onKeys: (keys) => {
      process.stdout.write(`< check_keys ${JSON.stringify(keys)}\n> continue\n`);
      return 'continue';
    },
  });
  if (out.stdoutExcerpt) process.stdout.write(`stdout:\n${out.stdoutExcerpt}\n`);
  if (out.stderrExcerpt) process.stdout.write(`stderr:\n${out.stderrExcerpt}\n`);
  process.stdout.write(`exit ${out.exitCode ?? out.signal}${out.timedOut ? ' (timed out)' : ''} in ${Math.round(out.durationMs)} ms\n`);
  if (out.exitCode !== 0) process.exitCode = 1;
}
