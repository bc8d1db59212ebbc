import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { alive, command, decision, NODE, sandbox, waitDead, waitFile, type Sandbox } from './_programs.ts';
import { buildArMessage, legacyArgs, type AlertJson, type ArMessageV1 } from './message.ts';
import { parseCheckKeys, runProgram, type ExecOutcome, type RunOptions } from './run.ts';

const ALERT: AlertJson = {
  timestamp: '2023-11-14T22:13:20.000+0000',
  rule: { level: 10, description: 'sshd: brute force', id: '5712', groups: ['sshd'] },
  agent: { id: '001', name: 'web01' },
  id: '1700000000.1',
  full_log: 'sshd[1]: brute force',
  data: { srcip: '203.0.113.7' },
  location: '/var/log/auth.log',
};

function message(action: 'add' | 'delete', alert: AlertJson = ALERT): ArMessageV1 {
  return buildArMessage(decision(), alert, command(), action);
}

/** A shell program that speaks the handshake as Wazuh's stock programs do. */
function wazuhShell(out: string): string {
  return `#!/bin/bash
read -r line
printf '%s\\n' "$line" > '${out}.in'
echo '{"version":1,"origin":{"name":"fake","module":"active-response"},"command":"check_keys","parameters":{"keys":["203.0.113.7"]}}'
read -r answer
printf '%s\\n' "$answer" > '${out}.answer'
case "$answer" in *'"command":"continue"'*) exit 0;; *) exit 3;; esac
`;
}

/** The same in Node.js: keys from the alert, delete without handshake. */
function wazuhNode(out: string): string {
  return `${NODE}
const fs = require('fs');
const rl = require('readline').createInterface({ input: process.stdin });
let n = 0;
rl.on('line', (l) => {
  n++;
  if (n === 1) {
    fs.writeFileSync(${JSON.stringify(out)} + '.in', l + '\\n');
    const m = JSON.parse(l);
    if (m.command === 'delete') process.exit(0);
    process.stdout.write(JSON.stringify({ version: 1, origin: { name: 'fake', module: 'active-response' }, command: 'check_keys', parameters: { keys: [m.parameters.alert.data.srcip, 'k2'] } }) + '\\n');
  } else {
    fs.writeFileSync(${JSON.stringify(out)} + '.answer', l + '\\n');
    process.exit(JSON.parse(l).command === 'continue' ? 0 : 3);
  }
});
rl.on('close', () => process.exit(n === 0 ? 5 : 4));
`;
}

async function run(sb: Sandbox, path: string, opts: RunOptions): Promise<ExecOutcome> {
  const out = await runProgram(path, { timeoutMs: 20_000, ...opts });
  sb.track(out.pid);
  return out;
}

test('runProgram(): JSON contract, check_keys answered with continue', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const rec = join(sb.dir, 'rec');
  const path = sb.program('firewall-drop', wazuhShell(rec));
  const msg = message('add');
  const seen: string[][] = [];
  const out = await run(sb, path, { message: msg, handshakeMs: 10_000, onKeys: (keys) => (seen.push([...keys]), 'continue') });
  assert.equal(out.error, null);
  assert.equal(out.exitCode, 0);
  assert.equal(out.timedOut, false);
  assert.deepEqual(seen, [['203.0.113.7']]);
  assert.deepEqual(out.keys, ['203.0.113.7']);
  assert.equal(out.answer, 'continue');
  assert.equal(readFileSync(`${rec}.in`, 'utf8'), `${JSON.stringify(msg)}\n`);
  assert.equal(readFileSync(`${rec}.answer`, 'utf8'), `${JSON.stringify({ ...msg, command: 'continue' })}\n`);
  assert.match(out.stdoutExcerpt, /"command":"check_keys"/);
});

test('runProgram(): JSON contract, check_keys answered with abort (async onKeys)', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const rec = join(sb.dir, 'rec');
  const path = sb.program('firewall-drop', wazuhNode(rec));
  const msg = message('add');
  const out = await run(sb, path, { message: msg, handshakeMs: 10_000, onKeys: async (keys) => (keys.includes('k2') ? 'abort' : 'continue') });
  assert.equal(out.exitCode, 3);
  assert.deepEqual(out.keys, ['203.0.113.7', 'k2']);
  assert.equal(out.answer, 'abort');
  const answer = JSON.parse(readFileSync(`${rec}.answer`, 'utf8')) as ArMessageV1;
  assert.deepEqual(answer, { ...msg, command: 'abort' });
});

test('runProgram(): an onKeys slower than the handshake window still gets its answer through', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const rec = join(sb.dir, 'rec');
  const path = sb.program('firewall-drop', wazuhShell(rec));
  const slow = () => new Promise<'continue'>((r) => setTimeout(() => r('continue'), 600));
  const out = await run(sb, path, { message: message('add'), handshakeMs: 100, onKeys: slow });
  assert.equal(out.answer, 'continue');
  assert.equal(out.exitCode, 0);
  assert.match(readFileSync(`${rec}.answer`, 'utf8'), /"command":"continue"/);
});

test('runProgram(): an onKeys that fails makes the program abort', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const path = sb.program('firewall-drop', wazuhNode(join(sb.dir, 'rec')));
  const out = await run(sb, path, { message: message('add'), handshakeMs: 10_000, onKeys: () => { throw new Error('store down'); } });
  assert.equal(out.answer, 'abort');
  assert.equal(out.exitCode, 3);
  assert.match(out.error ?? '', /store down/);
});

test('runProgram(): delete gets the line and EOF at once, without handshake', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const rec = join(sb.dir, 'rec');
  const node = sb.program('firewall-drop', wazuhNode(rec));
  const msg = message('delete');
  const out = await run(sb, node, { message: msg, handshakeMs: 600_000, onKeys: () => assert.fail('no handshake on delete') });
  assert.equal(out.exitCode, 0);
  assert.equal(out.keys, null);
  assert.equal(out.answer, null);
  assert.equal(readFileSync(`${rec}.in`, 'utf8'), `${JSON.stringify(msg)}\n`);
  // A read-to-EOF program completes although the handshake window is far longer than the timeout.
  const eof = sb.program('eof', `#!/bin/bash\ninput=$(cat)\nprintf '%s' "$input" > '${rec}.eof'\n`);
  const out2 = await run(sb, eof, { message: msg, handshakeMs: 600_000, timeoutMs: 30_000 });
  assert.equal(out2.timedOut, false);
  assert.equal(out2.exitCode, 0);
  assert.equal(readFileSync(`${rec}.eof`, 'utf8'), JSON.stringify(msg));
});

test('runProgram(): a program that reads stdin to EOF still completes on add', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const rec = join(sb.dir, 'rec');
  const path = sb.program('slack', `#!/bin/bash\ninput=$(cat)\nprintf '%s' "$input" > '${rec}'\necho done\n`);
  const msg = message('add');
  const out = await run(sb, path, { message: msg, handshakeMs: 200, timeoutMs: 30_000 });
  assert.equal(out.timedOut, false);
  assert.equal(out.exitCode, 0);
  assert.equal(out.keys, null);
  assert.equal(out.answer, null);
  assert.equal(out.stdoutExcerpt, 'done\n');
  assert.equal(readFileSync(rec, 'utf8'), JSON.stringify(msg));
});

test('runProgram(): a first stdout line that is not check_keys closes stdin', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const path = sb.program('chatty', `#!/bin/bash\necho 'hello'\ncat > /dev/null\n`);
  const out = await run(sb, path, { message: message('add'), handshakeMs: 600_000, timeoutMs: 30_000, onKeys: () => assert.fail('not a handshake') });
  assert.equal(out.timedOut, false);
  assert.equal(out.exitCode, 0);
  assert.equal(out.keys, null);
  assert.equal(out.answer, null);
});

test('runProgram(): legacy positional arguments arrive as argv', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const rec = join(sb.dir, 'rec');
  const args = legacyArgs(decision(), { ...ALERT, location: '(web01) any->/var/log/secure' }, command(), 'add');
  const node = sb.program('legacy-node', `${NODE}\nrequire('fs').writeFileSync(${JSON.stringify(rec)}, JSON.stringify(process.argv.slice(2)));\n`);
  const out = await run(sb, node, { args });
  assert.equal(out.exitCode, 0);
  assert.deepEqual(JSON.parse(readFileSync(rec, 'utf8')), ['add', '-', '203.0.113.7', '1700000000.1', '5712', '(web01) any->/var/log/secure', '-']);
  const sh = sb.program('legacy-sh', `#!/bin/bash\nprintf '%s\\0' "$@" > '${rec}.sh'\n`);
  await run(sb, sh, { args });
  assert.deepEqual(readFileSync(`${rec}.sh`, 'utf8').split('\0').slice(0, -1), args);
});

test('runProgram(): hostile field values arrive verbatim as data, never interpreted', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const canary = join(sb.dir, 'canary');
  const hostile = [`$(touch ${canary})`, `\`touch ${canary}\``, `; touch ${canary}`, `| touch ${canary} &`, `' " \\ * ? ~ > ${canary}`, `a\nb\r\n$(touch ${canary})`, '-rf', '--help'];
  const rec = join(sb.dir, 'rec');
  const alert: AlertJson = { ...ALERT, full_log: hostile.join(' '), location: hostile[0] as string, data: { srcip: '203.0.113.7', url: hostile[1] as string, extra: hostile } };
  const msg = buildArMessage(decision(), alert, command({ extraArgs: [hostile[2] as string] }), 'add');
  // A shell program that uses the line the way a careless script would still sees only data.
  const sh = sb.program('sh-reader', `#!/bin/bash\nread -r line\nprintf '%s\\n' "$line" > '${rec}'\nprintf '%s\\0' "$@" > '${rec}.argv'\n`);
  const out = await run(sb, sh, { message: msg, args: hostile, handshakeMs: 200 });
  assert.equal(out.exitCode, 0);
  const got = JSON.parse(readFileSync(rec, 'utf8')) as ArMessageV1;
  assert.deepEqual(got, JSON.parse(JSON.stringify(msg)));
  assert.equal(got.parameters.alert['full_log'], hostile.join(' '));
  assert.deepEqual((got.parameters.alert['data'] as Record<string, unknown>)['extra'], hostile);
  assert.deepEqual(got.parameters.extra_args, [hostile[2]]);
  assert.deepEqual(readFileSync(`${rec}.argv`, 'utf8').split('\0').slice(0, -1), hostile);
  assert.equal(existsSync(canary), false);
});

test('runProgram(): the timeout kills the whole process group', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const pidFile = join(sb.dir, 'grandchild');
  const path = sb.program('hang', `#!/bin/bash\nsleep 300 &\necho $! > '${pidFile}'\nwait\n`);
  const out = await run(sb, path, { timeoutMs: 2500, killGraceMs: 5000 });
  const grandchild = Number(await waitFile(pidFile));
  sb.track(grandchild);
  assert.equal(out.timedOut, true);
  assert.equal(out.exitCode, null);
  assert.equal(out.signal, 'SIGTERM');
  assert.ok(grandchild > 0);
  assert.equal(await waitDead(grandchild), true, 'the grandchild sleep was killed');
});

test('runProgram(): a program that ignores SIGTERM gets SIGKILL after the grace', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const pidFile = join(sb.dir, 'grandchild');
  const path = sb.program('stubborn', `#!/bin/bash\ntrap '' TERM\nsleep 300 &\necho $! > '${pidFile}'\nwhile :; do sleep 0.05; done\n`);
  const out = await run(sb, path, { timeoutMs: 2500, killGraceMs: 300 });
  const grandchild = Number(await waitFile(pidFile));
  sb.track(grandchild);
  assert.equal(out.timedOut, true);
  assert.equal(out.signal, 'SIGKILL');
  assert.equal(await waitDead(grandchild), true);
});

test('runProgram(): a background child left after a normal exit neither blocks nor is killed', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const pidFile = join(sb.dir, 'daemon');
  const path = sb.program('spawner', `#!/bin/bash\nsleep 300 &\necho $! > '${pidFile}'\nexit 7\n`);
  const out = await run(sb, path, { drainMs: 100 });
  const daemon = Number(await waitFile(pidFile));
  sb.track(daemon);
  assert.equal(out.exitCode, 7);
  assert.equal(out.timedOut, false);
  assert.equal(alive(daemon), true);
  process.kill(daemon, 'SIGKILL');
});

test('runProgram(): fixed minimal environment, working directory of the program', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  process.env['RIPOSTE_TEST_SECRET'] = 'leak';
  t.after(() => delete process.env['RIPOSTE_TEST_SECRET']);
  const path = sb.program('env', `${NODE}\nprocess.stdout.write(JSON.stringify({ env: process.env, cwd: process.cwd(), argv0: process.argv0 }));\n`);
  const out = await run(sb, path, {});
  const got = JSON.parse(out.stdoutExcerpt) as { env: Record<string, string>; cwd: string };
  assert.deepEqual(got.env, { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' });
  assert.equal(got.cwd, realpathSync(sb.dir));
});

test('runProgram(): output excerpts are bounded, totals counted', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const path = sb.program('noisy', `${NODE}\nprocess.stderr.write('e'.repeat(100000));\nprocess.stdout.write('o'.repeat(10));\n`);
  const out = await run(sb, path, { excerptBytes: 4096 });
  assert.equal(out.stderrExcerpt, 'e'.repeat(4096));
  assert.equal(out.stderrBytes, 100_000);
  assert.equal(out.stdoutExcerpt, 'o'.repeat(10));
  assert.equal(out.stdoutBytes, 10);
});

test('runProgram(): a failed spawn is an outcome, not a rejection', async (t) => {
  const sb = sandbox();
  t.after(() => sb.dispose());
  const missing = await runProgram(join(sb.dir, 'missing'));
  assert.equal(missing.pid, null);
  assert.match(missing.error ?? '', /spawn failed/);
  const bad = await runProgram(sb.program('ok', '#!/bin/sh\n'), { args: ['a\0b'] });
  assert.match(bad.error ?? '', /spawn failed/);
});

test('parseCheckKeys() accepts only check_keys JSON with string keys', () => {
  assert.deepEqual(parseCheckKeys('{"version":1,"origin":{},"command":"check_keys","parameters":{"keys":["a","b"]}}'), ['a', 'b']);
  assert.equal(parseCheckKeys('{"command":"check_keys","parameters":{"keys":[1]}}'), null);
  assert.equal(parseCheckKeys('{"command":"add","parameters":{"keys":["a"]}}'), null);
  assert.equal(parseCheckKeys('{"command":"check_keys"}'), null);
  assert.equal(parseCheckKeys('null'), null);
  assert.equal(parseCheckKeys('check_keys'), null);
});
