/**
 * Operator commands: `riposte responses`, `riposte allowlist`, `riposte ar run|test`.
 * @module
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { BUNDLED_RESPONSES, DEFAULT_CONFIG } from '../../daemon/home.ts';
import { Operator, parseDuration } from '../../daemon/operator.ts';
import { canonicalIp } from '../../decide/target.ts';
import type { DecisionV1 } from '../../decide/types.ts';
import { RiposteError } from '../../errors.ts';
import { buildArMessage, resolveProgram, runProgram, toAlertJson } from '../../execute/index.ts';
import type { StoredDecision } from '../../store/index.ts';

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

function iso(t: number | null): string {
  return t === null ? 'never' : new Date(t * 1000).toISOString();
}

function printDecisions(list: readonly StoredDecision[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(list)}\n`);
    return;
  }
  for (const d of list) {
    process.stdout.write(`${d.decisionId}  ${d.state.padEnd(9)} ${d.command.padEnd(16)} ${`${d.target.kind}:${d.target.value}`.padEnd(42)} rule ${String(d.ruleId).padEnd(6)} until ${iso(d.until)}${d.offence > 1 ? `  offence ${d.offence}` : ''}\n`);
  }
  process.stdout.write(`${list.length} response(s)\n`);
}

export function registerOperate(program: Command): void {
  const responses = program.command('responses').description('List and revert responses');
  common(responses.command('list').description('List recorded responses'))
    .option('--active', 'only responses in force')
    .option('--json', 'print JSON')
    .action((o: Common & { active?: boolean; json?: boolean }) => {
      const op = operator(o);
      try {
        printDecisions(op.store.listDecisions(o.active ? { active: true } : {}), o.json === true);
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
      const op = operator(o);
      try {
        let list = op.store.listDecisions({ active: true });
        if (id !== undefined) list = list.filter((d) => d.decisionId === id);
        if (o.rule !== undefined) list = list.filter((d) => String(d.ruleId) === o.rule);
        if (o.since !== undefined) {
          const sec = parseDuration(o.since);
          if (sec === null) throw new RiposteError('RIPOSTE_ERR_USAGE', `Invalid duration "${o.since}"`);
          list = list.filter((d) => d.decidedAt >= op.now() - sec);
        }
        if (id !== undefined && list.length === 0) throw new RiposteError('RIPOSTE_ERR_USAGE', `No active response "${id}"`);
        const done = await op.revert(list, `cli:${userInfo().username}`);
        for (const [d, ok] of done) process.stdout.write(`${d} ${ok ? 'reverted' : 'revert FAILED (will be retried by riposte start)'}\n`);
        if (done.some(([, ok]) => !ok)) process.exitCode = 1;
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
  common(allow.command('add').description('Allowlist an IP, CIDR or account (takes effect at the next start)'))
    .argument('<target>', 'IP, CIDR or account name')
    .requiredOption('--reason <text>', 'why (required)')
    .action((target: string, o: Common & { reason: string }) => {
      if (o.reason.trim() === '') throw new RiposteError('RIPOSTE_ERR_USAGE', 'An allowlist entry needs a reason');
      const kind = /^[0-9a-fA-F:.]+(\/\d+)?$/.test(target) && target.match(/[.:]/) ? 'ip' : 'account';
      if (kind === 'ip' && canonicalIp(target.split('/')[0] as string) === null) throw new RiposteError('RIPOSTE_ERR_USAGE', `Invalid address "${target}"`);
      const op = operator(o);
      try {
        op.store.allowlistAdd({ value: target, kind, reason: o.reason, addedBy: `cli:${userInfo().username}` });
        process.stdout.write(`allowlisted ${kind} ${target}\n`);
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
  common(ar.command('run').description('Run a configured command now (the allowlist still applies); reverted after --timeout'))
    .argument('<command>', 'a <command> name from the configuration')
    .option('--srcip <ip>', 'target address')
    .option('--user <name>', 'target account')
    .option('--timeout <seconds>', 'seconds before the revert (0: until reverted by hand)', '600')
    .action(async (command: string, o: Common & { srcip?: string; user?: string; timeout: string }) => {
      if (!/^\d+$/.test(o.timeout)) throw new RiposteError('RIPOSTE_ERR_USAGE', `Invalid --timeout "${o.timeout}"`);
      const op = operator(o);
      try {
        if (!op.config.commands.has(command)) throw new RiposteError('RIPOSTE_ERR_USAGE', `Unknown command "${command}"`);
        const target: { srcip?: string; user?: string } = {};
        if (o.srcip !== undefined) target.srcip = o.srcip;
        if (o.user !== undefined) target.user = o.user;
        const outcomes = await op.run(command, target, Number(o.timeout));
        for (const r of outcomes) {
          if (r.kind === 'decision') process.stdout.write(`${r.decisionId} ${command} ${r.target.value} until ${iso(r.until)}\n`);
          else {
            process.stdout.write(`refused: ${r.reason}${r.detail ? ` (${r.detail})` : ''}\n`);
            process.exitCode = 1;
          }
        }
      } finally {
        op.close();
      }
    });
  ar.command('test')
    .description('Stage-test a response program with synthetic arguments and show the exchange (nothing is recorded)')
    .argument('<program>', 'program name in the response directories')
    .argument('<action>', 'add or delete')
    .option('--srcip <ip>', 'target address', '192.0.2.77')
    .option('--user <name>', 'target account')
    .option('--response-dir <dir>', 'extra response directory', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--extra-args <args>', 'extra_args, space separated', '')
    .action(async (name: string, action: string, o: { srcip: string; user?: string; responseDir: string[]; extraArgs: string }) => {
      if (action !== 'add' && action !== 'delete') throw new RiposteError('RIPOSTE_ERR_USAGE', 'action must be add or delete');
      const path = await resolveProgram(name, [BUNDLED_RESPONSES, ...o.responseDir]);
      const now = Math.floor(Date.now() / 1000);
      const target = o.user !== undefined ? { kind: 'user' as const, value: o.user } : { kind: 'ip' as const, value: o.srcip };
      const decision: DecisionV1 = {
        kind: 'decision', decisionId: 'test', response: `${name}0`, command: name, target, alertId: `${now}.0`, ruleId: 0,
        decidedAt: now, timeoutSec: 0, until: null, offence: 1, escalated: false, simulated: false, mode: 'enforce',
      };
      const alert = toAlertJson({ id: `${now}.0`, time: now, agentId: '000', rule: { id: 0, level: 0, groups: 'test,', noAr: false }, data: target.kind === 'ip' ? { srcip: target.value } : { dstuser: target.value }, location: 'riposte-ar-test', fullLog: 'riposte ar test' }, { ruleDescription: 'riposte ar test' });
      const command = { name, executable: name, timeoutAllowed: true, extraArgs: o.extraArgs.split(' ').filter(Boolean), expect: [], runTimeoutSec: 30, source: { file: 'cli', line: 0 } };
      const message = buildArMessage(decision, alert, command, action);
      process.stdout.write(`program: ${path}\n> ${JSON.stringify(message)}\n`);
      const out = await runProgram(path, {
        message,
        timeoutMs: 30_000,
        onKeys: (keys) => {
          process.stdout.write(`< check_keys ${JSON.stringify(keys)}\n> continue\n`);
          return 'continue';
        },
      });
      if (out.stdoutExcerpt) process.stdout.write(`stdout:\n${out.stdoutExcerpt}\n`);
      if (out.stderrExcerpt) process.stdout.write(`stderr:\n${out.stderrExcerpt}\n`);
      process.stdout.write(`exit ${out.exitCode ?? out.signal}${out.timedOut ? ' (timed out)' : ''} in ${Math.round(out.durationMs)} ms\n`);
      if (out.exitCode !== 0) process.exitCode = 1;
    });
}
