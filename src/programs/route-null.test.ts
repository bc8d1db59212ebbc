import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EXIT } from './_contract.ts';
import { routeArgs } from './route-null.ts';
import { arMessage, cannotRun, makeNetns, runResponse } from './_testkit.ts';

test('routeArgs() uses -6 for IPv6 and names the blackhole type', () => {
  assert.deepEqual(routeArgs('add', { ip: '192.0.2.1', family: 4 }), ['route', 'add', 'blackhole', '192.0.2.1']);
  assert.deepEqual(routeArgs('del', { ip: '2001:db8::1', family: 6 }), ['-6', 'route', 'del', 'blackhole', '2001:db8::1']);
});

describe('route-null in a private network namespace', { skip: cannotRun(['ip']) }, () => {
  let ns: ReturnType<typeof makeNetns> | null = null;
  before(() => {
    ns = makeNetns();
    ns.exec(['ip', 'link', 'set', 'lo', 'up']);
  });
  after(() => ns?.remove());
  const exec = (args: string[]) => (ns as ReturnType<typeof makeNetns>).exec(args);
  const run = (command: string, srcip: string) => runResponse('route-null', { line: arMessage(command, { data: { srcip } }, [], 'route-null'), prefix: (ns as ReturnType<typeof makeNetns>).prefix });
  const blackholes = (v6 = false) => exec([...(v6 ? ['ip', '-6'] : ['ip']), 'route', 'show', 'type', 'blackhole']).trim();

  test('add blackholes IPv4, idempotently; delete removes it, idempotently', async () => {
    const add = await run('add', '192.0.2.40');
    assert.equal(add.code, EXIT.OK, add.stderr);
    assert.deepEqual(add.keys, ['192.0.2.40']);
    assert.equal(blackholes(), 'blackhole 192.0.2.40');
    const again = await run('add', '192.0.2.40');
    assert.equal(again.code, EXIT.OK, again.stderr);
    assert.match(again.stderr, /already blackholed/);
    assert.equal(blackholes(), 'blackhole 192.0.2.40');
    assert.equal((await run('delete', '192.0.2.40')).code, EXIT.OK);
    assert.equal(blackholes(), '');
    const twice = await run('delete', '192.0.2.40');
    assert.equal(twice.code, EXIT.OK, twice.stderr);
    assert.match(twice.stderr, /nothing to do/);
  });

  test('IPv6 uses ip -6', async () => {
    assert.equal((await run('add', '2001:db8::40')).code, EXIT.OK);
    assert.match(blackholes(true), /^blackhole 2001:db8::40 /);
    assert.equal((await run('delete', '2001:db8::40')).code, EXIT.OK);
    assert.equal(blackholes(true), '');
  });

  test('an existing ordinary route to the host is neither replaced nor deleted', async () => {
    exec(['ip', 'route', 'add', '192.0.2.41', 'dev', 'lo']);
    const add = await run('add', '192.0.2.41');
    assert.equal(add.code, EXIT.FAILED);
    assert.match(add.stderr, /already exists and is not a blackhole/);
    assert.equal((await run('delete', '192.0.2.41')).code, EXIT.OK);
    assert.match(exec(['ip', 'route', 'show', '192.0.2.41']), /192\.0\.2\.41 dev lo/);
    exec(['ip', 'route', 'del', '192.0.2.41', 'dev', 'lo']);
  });
});
