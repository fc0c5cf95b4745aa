import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TmpfsBus } from '../../lib/drivers/tmpfs/bus.ts';
import { client as tmpfsClient } from '../../lib/drivers/tmpfs/client.ts';
import { checkAgentId, InvalidAgentId } from '../../lib/drivers/tmpfs/types.ts';
import { shmDir } from '../helpers/tmpfs.ts';

test('messages arrive whole, in send order, once; the inbox is then empty', () => {
  const bus = new TmpfsBus(shmDir());
  bus.register('a');
  bus.register('b');
  const sent = Array.from({ length: 50 }, (_, i) => bus.send('a', 'b', { i, text: `hello ${i}` }));
  assert.equal(bus.depth('b'), 50);
  const got = [];
  for (let m = bus.receive('b'); m !== null; m = bus.receive('b')) got.push(m);
  assert.deepEqual(got, sent);
  assert.deepEqual(got.map((m) => m.seq), Array.from({ length: 50 }, (_, i) => i));
  assert.equal(bus.depth('b'), 0);
  assert.equal(bus.receive('b'), null);
});

test('oldest first across senders: order follows send time, not sender', () => {
  const bus = new TmpfsBus(shmDir());
  for (const a of ['x', 'y', 'z']) bus.register(a);
  const order = [];
  for (let i = 0; i < 30; i++) order.push(bus.send(i % 2 ? 'x' : 'y', 'z', i).id);
  const got = [];
  for (let m = bus.receive('z'); m !== null; m = bus.receive('z')) got.push(m.id);
  assert.deepEqual(got, order);
});

test('messages sent after a receive has listed the inbox are still received, in order', () => {
  const bus = new TmpfsBus(shmDir());
  bus.register('a');
  bus.send('a', 'a', 1);
  bus.send('a', 'a', 2);
  assert.equal(bus.receive('a')?.payload, 1);
  bus.send('a', 'a', 3);
  assert.deepEqual([bus.receive('a')?.payload, bus.receive('a')?.payload, bus.receive('a')], [2, 3, null]);
});

test('the temp file never lands in an inbox; nothing is left in tmp', () => {
  const dir = shmDir();
  const bus = new TmpfsBus(dir);
  bus.register('a');
  bus.send('a', 'a', 'x');
  assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  const names = readdirSync(bus.paths.inbox('a'));
  assert.equal(names.length, 1);
  assert.match(names[0]!, /^\d{20}-a\.[0-9a-f]{12}\.0\.json$/);
});

test('ids never collide: two bus instances (a restart) with the same agent', () => {
  const dir = shmDir();
  const one = new TmpfsBus(dir);
  const two = new TmpfsBus(dir);
  one.register('a');
  const ids = new Set<string>();
  for (let i = 0; i < 100; i++) {
    ids.add(one.send('a', 'a', i).id);
    ids.add(two.send('a', 'a', i).id);
  }
  assert.equal(ids.size, 200);
  assert.equal(one.depth('a'), 200);
});

test('agent ids are validated: letters, digits, _ and -, 1 to 64', () => {
  for (const ok of ['a', 'agent-00001', 'A_b-9', 'x'.repeat(64)]) assert.equal(checkAgentId(ok), ok);
  for (const bad of ['', 'x'.repeat(65), '../etc', 'a/b', 'a b', 'a.b', 'é', '-\n']) assert.throws(() => checkAgentId(bad), InvalidAgentId, JSON.stringify(bad));
  const bus = new TmpfsBus(shmDir());
  assert.throws(() => bus.register('../escape'), InvalidAgentId);
  bus.register('ok');
  assert.throws(() => bus.send('ok', '../../etc', 1), InvalidAgentId);
  assert.throws(() => bus.send('ok', 'nobody', 1), /unknown agent "nobody"/);
  assert.deepEqual(readdirSync(bus.paths.tmp), [], 'a failed send leaves no temp file');
});

test('concurrent senders in separate processes: no loss, no duplicates, per-sender order kept', () => {
  const dir = shmDir();
  const bus = new TmpfsBus(dir);
  bus.register('sink');
  const script = `
    import { TmpfsBus } from ${JSON.stringify(new URL('../../lib/drivers/tmpfs/bus.ts', import.meta.url).pathname)};
    const bus = new TmpfsBus(process.argv[1]);
    const me = process.argv[2];
    bus.register(me);
    for (let i = 0; i < 300; i++) bus.send(me, 'sink', { i });
  `;
  // Three real processes sending at the same time.
  const procs = ['p1', 'p2', 'p3'].map((me) => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir, me]));
  return Promise.all(procs).then(() => {
    const seen = new Map<string, number[]>();
    for (let m = bus.receive('sink'); m !== null; m = bus.receive('sink')) {
      const list = seen.get(m.from) ?? [];
      list.push(m.seq);
      seen.set(m.from, list);
    }
    for (const me of ['p1', 'p2', 'p3']) assert.deepEqual(seen.get(me), Array.from({ length: 300 }, (_, i) => i), me);
    assert.ok(existsSync(bus.paths.inbox('sink')));
  });
});

test('--wait watch: a message arriving wakes its receiver; the receiver taking it does not', async () => {
  const dir = shmDir();
  const layer = { capacity: 10, backoffMs: 1, maxRetries: 1, healthIntervalMs: 0, noopDelayUs: 0 };
  const c = await tmpfsClient.open({ settings: {}, shared: null, cell: null, dir, config: 'baseline', scale: 2, local: [0, 1], layer, payloadBytes: 0 });
  let notices = 0;
  const stop = c.watch!(1, () => notices++);
  const settle = () => new Promise((r) => setTimeout(r, 100));
  try {
    for (let k = 0; k < 5; k++) await c.send(0, 1, { k, data: '' });
    await settle();
    assert.equal(notices, 5, 'one notice per message renamed into the inbox');
    for (let k = 0; k < 5; k++) assert.ok(await c.receive(1));
    assert.equal(await c.receive(1), null);
    await settle();
    assert.equal(notices, 5, 'the receiver\'s own unlinks are no mail');
  } finally {
    stop();
    await c.close();
  }
});
