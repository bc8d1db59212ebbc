import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { blockTimeout, parseExtraArgs } from './_args.ts';
import { checkKeysLine, EXIT, parseAnswer, parseLegacyArgv, parseMessage, ProgramError } from './_contract.ts';
import { LineReader } from './_lines.ts';
import { runMessageObject, runProgram, type ProgramSpec } from './_run.ts';
import { alertField, ipFromAlert, parseTargetIp, userFromAlert } from './_targets.ts';
import { arMessage, binPath, runResponse } from './_testkit.ts';

const line = (command: string, alert: unknown = { data: { srcip: '192.0.2.1' } }, extra: string[] = []) => arMessage(command, alert, extra);

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof ProgramError) return e.code;
    throw e;
  }
  return undefined;
}

describe('parseMessage()', () => {
  test('parseMessage() accepts execd\'s message', () => {
    const m = parseMessage(line('add', { data: { srcip: '192.0.2.1' } }, ['--timeout', '60']));
    assert.equal(m.command, 'add');
    assert.deepEqual(m.extraArgs, ['--timeout', '60']);
    assert.equal(m.program, 'active-response/bin/firewall-drop');
    assert.equal(m.timeoutSec, null);
    assert.ok(m.json);
  });

  test('parseMessage() requires each key with its type, as active_responses.c does', () => {
    const base = JSON.parse(line('add')) as Record<string, unknown>;
    const params = base['parameters'] as Record<string, unknown>;
    const variants: [string, unknown][] = [
      ['version', { ...base, version: '1' }],
      ['origin', { ...base, origin: null }],
      ['command', { ...base, command: 7 }],
      ['"add" or "delete"', { ...base, command: 'firewall-drop600' }],
      ['parameters', { ...base, parameters: [] }],
      ['extra_args', { ...base, parameters: { ...params, extra_args: 'a b' } }],
      ['every item must be a string', { ...base, parameters: { ...params, extra_args: ['a', 1] } }],
      ['alert', { ...base, parameters: { ...params, alert: 'x' } }],
      ['program', { ...base, parameters: { ...params, program: undefined } }],
      ['timeout', { ...base, parameters: { ...params, timeout: -1 } }],
      ['not a JSON object', [1]],
    ];
    for (const [why, v] of variants) {
      assert.throws(() => parseMessage(JSON.stringify(v)), (e: unknown) => e instanceof ProgramError && e.exitCode === EXIT.INVALID_INPUT && e.message.includes(why), why);
    }
    assert.throws(() => parseMessage('{"version":1'), /Cannot parse the input line as JSON/);
  });

  test('parseMessage() reads parameters.timeout', () => {
    const m = JSON.parse(line('add')) as { parameters: Record<string, unknown> };
    m.parameters['timeout'] = 600;
    assert.equal(parseMessage(JSON.stringify(m)).timeoutSec, 600);
  });
});

describe('legacy form and handshake lines', () => {
  test('parseLegacyArgv() rebuilds the alert from the positional arguments', () => {
    const m = parseLegacyArgv(['add', 'alice', '192.0.2.7', '1700000000.42', '5710', '(host) any->/var/log/auth.log', '-', '--timeout', '60']);
    assert.equal(m.command, 'add');
    assert.deepEqual(m.alert, { data: { dstuser: 'alice', srcip: '192.0.2.7' }, id: '1700000000.42', rule: { id: '5710' }, location: '(host) any->/var/log/auth.log' });
    assert.deepEqual(m.extraArgs, ['--timeout', '60']);
    assert.equal(m.json, null);
    assert.deepEqual(parseLegacyArgv(['delete', '-', '-']).alert, { data: {} });
  });

  test('checkKeysLine() is the line Wazuh\'s programs write', () => {
    assert.equal(checkKeysLine('firewall-drop', ['192.0.2.1']), '{"version":1,"origin":{"name":"firewall-drop","module":"active-response"},"command":"check_keys","parameters":{"keys":["192.0.2.1"]}}');
  });

  test('parseAnswer() accepts continue and abort only', () => {
    assert.equal(parseAnswer(line('continue')), 'continue');
    assert.equal(parseAnswer(line('abort')), 'abort');
    assert.throws(() => parseAnswer(line('add')), /must be "continue" or "abort"/);
    assert.throws(() => parseAnswer('continue'), /Cannot parse/);
  });
});

describe('extra_args', () => {
  test('parseExtraArgs() reads declared flags in both spellings and skips empty words', () => {
    const a = parseExtraArgs(['', '--backend=nft', '--timeout', '60', '--allow-system', 'x.service'], { flags: { backend: 'value', 'allow-system': 'switch' }, positionals: 1 });
    assert.equal(a.values.get('backend'), 'nft');
    assert.equal(a.values.get('timeout'), '60');
    assert.ok(a.switches.has('allow-system'));
    assert.deepEqual(a.positionals, ['x.service']);
  });

  test('parseExtraArgs() refuses unknown, repeated, valueless flags and stray words', () => {
    const spec = { flags: { name: 'value', force: 'switch' } } as const;
    assert.throws(() => parseExtraArgs(['--nmae', 'x'], spec), /Unknown option "--nmae".*--timeout, --name, --force/);
    assert.throws(() => parseExtraArgs(['--name', 'a', '--name', 'b'], spec), /given twice/);
    assert.throws(() => parseExtraArgs(['--name'], spec), /needs a value/);
    assert.throws(() => parseExtraArgs(['--force=yes'], spec), /takes no value/);
    assert.throws(() => parseExtraArgs(['word'], spec), /Unexpected argument "word"/);
    assert.throws(() => parseExtraArgs(['--constructor', 'x'], spec), /Unknown option/);
  });

  test('blockTimeout() prefers --timeout, treats 0 as none and refuses non-numbers', () => {
    const msg = { ...parseMessage(line('add')), timeoutSec: 300 };
    assert.equal(blockTimeout(msg, parseExtraArgs([], { flags: {} })), 300);
    assert.equal(blockTimeout(msg, parseExtraArgs(['--timeout', '60'], { flags: {} })), 60);
    assert.equal(blockTimeout(msg, parseExtraArgs(['--timeout', '0'], { flags: {} })), null);
    assert.equal(code(() => blockTimeout(msg, parseExtraArgs(['--timeout', '1e3'], { flags: {} }))), 'RIPOSTE_ERR_AR_INPUT');
    assert.equal(code(() => blockTimeout(msg, parseExtraArgs(['--timeout', '9999999999'], { flags: {} }))), 'RIPOSTE_ERR_AR_INPUT');
  });
});

describe('targets', () => {
  test('parseTargetIp() accepts numeric addresses only, canonically', () => {
    assert.deepEqual(parseTargetIp('192.0.2.1'), { ip: '192.0.2.1', family: 4 });
    assert.deepEqual(parseTargetIp('2001:0DB8:0:0::1'), { ip: '2001:db8::1', family: 6 });
    assert.deepEqual(parseTargetIp('::ffff:203.0.113.9'), { ip: '203.0.113.9', family: 4 });
    for (const bad of ['localhost', 'example.com', '192.0.2.1/24', '192.030.0.6', '127.1', '0x7f.0.0.1', 'fe80::1%eth0', ' 192.0.2.1', '192.0.2.1\n', '::', '0.0.0.0', '']) {
      assert.equal(code(() => parseTargetIp(bad)), 'RIPOSTE_ERR_AR_INPUT', bad);
    }
  });

  test('ipFromAlert() takes the first present field, even when it is invalid', () => {
    const win = (eventdata: object, srcip = '198.51.100.1') => ({ data: { srcip, win: { eventdata } } });
    assert.equal(ipFromAlert(win({ ipAddress: '203.0.113.1', destinationIp: '203.0.113.2' })).ip, '203.0.113.1');
    assert.equal(ipFromAlert(win({ destinationIp: '203.0.113.2' })).ip, '203.0.113.2');
    assert.equal(ipFromAlert(win({})).ip, '198.51.100.1');
    assert.throws(() => ipFromAlert(win({ ipAddress: '-' })), /alert\.data\.win\.eventdata\.ipAddress/);
    assert.equal(ipFromAlert({ data: { 'win.eventdata.ipAddress': '203.0.113.3' } }).ip, '203.0.113.3');
    assert.throws(() => ipFromAlert({ data: { srcip: 3232235521 } }), /not a string/);
    assert.throws(() => ipFromAlert({}), /No target address/);
  });

  test('alertField() does not walk into the prototype', () => {
    assert.equal(alertField({ data: {} }, ['data', 'constructor']), undefined);
  });

  test('userFromAlert() applies Wazuh\'s rules; root is a refusal', () => {
    assert.equal(userFromAlert({ data: { dstuser: 'alice.b@corp' } }), 'alice.b@corp');
    assert.equal(code(() => userFromAlert({ data: { dstuser: 'root' } })), 'RIPOSTE_ERR_AR_REFUSED');
    for (const bad of ['', '-rf', '+x', '~x', 'a b', 'a:b', 'a,b', 'a/b', 'a\\b', 'a..b', 'r??t', 'x'.repeat(257), 'é']) {
      assert.equal(code(() => userFromAlert({ data: { dstuser: bad } })), 'RIPOSTE_ERR_AR_INPUT', bad);
    }
    assert.equal(code(() => userFromAlert({ data: {} })), 'RIPOSTE_ERR_AR_INPUT');
  });
});

describe('LineReader', () => {
  test('LineReader hands out lines split across chunks, strips CR, keeps a last line without newline', async () => {
    const s = new PassThrough();
    const r = new LineReader(s);
    s.write('{"a"');
    s.write(':1}\r\nsecond\nthi');
    s.end('rd');
    assert.equal(await r.next(), '{"a":1}');
    assert.equal(await r.next(), 'second');
    assert.equal(await r.next(), 'third');
    assert.equal(await r.next(), null);
    r.close();
  });

  test('LineReader refuses an over-long line', async () => {
    const s = new PassThrough();
    const r = new LineReader(s, 8);
    s.write('123456789');
    await assert.rejects(r.next(), /longer than 8/);
    r.close();
  });
});

/** A fake program that records what the driver made it do. */
function recorder(): { spec: ProgramSpec<string>; calls: string[] } {
  const calls: string[] = [];
  const spec: ProgramSpec<string> = {
    name: 'fake',
    flags: {},
    prepare: ({ msg }) => ipFromAlert(msg.alert).ip,
    key: (t) => t,
    add: async (t) => {
      calls.push(`add ${t}`);
    },
    delete: async (t) => {
      calls.push(`delete ${t}`);
    },
  };
  return { spec, calls };
}

async function drive(spec: ProgramSpec<string>, input: string[], argv: string[] = [], endInput = false) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const [first, ...answers] = input;
  if (first !== undefined) stdin.write(`${first}\n`);
  // Answers are written only once the program has asked, as execd does.
  stdout.on('data', () => {
    const a = answers.shift();
    if (a !== undefined) stdin.write(`${a}\n`);
    else if (endInput) stdin.end();
  });
  if (first === undefined && endInput) stdin.end();
  const exit = await runProgram(spec, { argv, stdin, stdout, stderr, env: {} });
  return { exit, out, err };
}

describe('runProgram()', () => {
  test('runProgram() writes check_keys on add and acts on continue', async () => {
    const { spec, calls } = recorder();
    const r = await drive(spec, [line('add'), line('continue')]);
    assert.equal(r.exit, EXIT.OK, r.err);
    assert.equal(r.out, `${checkKeysLine('fake', ['192.0.2.1'])}\n`);
    assert.deepEqual(calls, ['add 192.0.2.1']);
  });

  test('runProgram() does nothing on abort', async () => {
    const { spec, calls } = recorder();
    const r = await drive(spec, [line('add'), line('abort')]);
    assert.equal(r.exit, EXIT.OK);
    assert.deepEqual(calls, []);
    assert.match(r.err, /^fake: Aborted: 192\.0\.2\.1 is already active\n$/);
  });

  test('runProgram() fails without acting on a bad or missing answer', async () => {
    for (const [answers, why] of [[['garbage'], /Cannot parse the check_keys answer/], [[], /stdin was closed/]] as const) {
      const { spec, calls } = recorder();
      const r = await drive(spec, [line('add'), ...answers], [], true);
      assert.equal(r.exit, EXIT.INVALID_INPUT);
      assert.match(r.err, why);
      assert.deepEqual(calls, []);
    }
  });

  test('runProgram() deletes without a handshake', async () => {
    const { spec, calls } = recorder();
    const r = await drive(spec, [line('delete')]);
    assert.equal(r.exit, EXIT.OK);
    assert.equal(r.out, '');
    assert.deepEqual(calls, ['delete 192.0.2.1']);
  });

  test('runProgram() validates the target before the handshake', async () => {
    const { spec, calls } = recorder();
    const r = await drive(spec, [line('add', { data: { srcip: 'evil.example' } })]);
    assert.equal(r.exit, EXIT.INVALID_INPUT);
    assert.equal(r.out, '');
    assert.deepEqual(calls, []);
  });

  test('runProgram() runs the legacy form without reading stdin or a handshake', async () => {
    const { spec, calls } = recorder();
    const r = await drive(spec, [], ['add', '-', '192.0.2.9']);
    assert.equal(r.exit, EXIT.OK, r.err);
    assert.equal(r.out, '');
    assert.deepEqual(calls, ['add 192.0.2.9']);
  });

  test('runProgram() fails on empty input and on unknown arguments', async () => {
    const { spec } = recorder();
    assert.equal((await drive(spec, [], [], true)).exit, EXIT.INVALID_INPUT);
    const usage = await drive(spec, [], ['--help'], true);
    assert.equal(usage.exit, EXIT.INVALID_INPUT);
    assert.match(usage.err, /Usage: fake/);
  });

  test('runProgram() turns an unexpected exception into exit 1 with the cause', async () => {
    const { spec } = recorder();
    const broken: ProgramSpec<string> = { ...spec, delete: () => Promise.reject(new TypeError('boom')) };
    const r = await drive(broken, [line('delete')]);
    assert.equal(r.exit, EXIT.FAILED);
    assert.match(r.err, /Unexpected failure: TypeError: boom/);
  });
});

describe('runMessageObject()', () => {
  /** The same fake program, driven without streams; `answer` is execd's reply to check_keys. */
  async function call(spec: ProgramSpec<string>, msgLine: string, answer: 'continue' | 'abort' = 'continue') {
    const stderr = new PassThrough();
    let err = '';
    stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const asked: (readonly string[])[] = [];
    const exit = await runMessageObject(spec, { message: JSON.parse(msgLine) as unknown, stderr, env: {}, checkKeys: (k) => (asked.push(k), answer) });
    return { exit, err, asked };
  }

  test('runMessageObject() asks check_keys on add only, and ends like runProgram on the same input', async () => {
    for (const [input, answer] of [[line('add'), 'continue'], [line('add'), 'abort'], [line('delete'), 'continue'], [line('add', { data: { srcip: 'evil.example' } }), 'continue'], ['{}', 'continue']] as const) {
      const direct = recorder();
      const viaLine = await call(direct.spec, input, answer);
      const streamed = recorder();
      const viaStream = await drive(streamed.spec, [input, line(answer)]);
      assert.equal(viaLine.exit, viaStream.exit, input);
      assert.equal(viaLine.err, viaStream.err, input);
      assert.deepEqual(direct.calls, streamed.calls, input);
      assert.deepEqual(viaLine.asked, viaStream.out ? [['192.0.2.1']] : [], input);
    }
  });
});

describe('launchers', () => {
  const names = ['firewall-drop', 'host-deny', 'route-null', 'disable-account', 'kill-process', 'restart', 'netsh'];
  test('every launcher runs from any cwd and answers a bad message with exit 2 and its name', async () => {
    const runs = names.map(async (name) => {
      const out = await runResponse(name, { line: '{}', cwd: '/tmp' });
      assert.equal(out.code, EXIT.INVALID_INPUT, `${name}: ${out.stderr}`);
      assert.match(out.stderr, new RegExp(`^${name}: ERROR: Missing or invalid "version"`));
      assert.equal(out.stdout, '');
    });
    await Promise.all(runs);
    assert.match(binPath('netsh'), /responses\/bin\/netsh$/);
  });
});
