/** The NATS bus and its layers on a real private nats-server, through the driver contract. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIGS, type ConfigName, type LayerOptions } from '../../../lib/core/words.ts';
import { Rejected, type CellBus, type DriverRun, type Receipt } from '../../../lib/drivers/contract.ts';
import { client } from '../../../lib/drivers/nats/client.ts';
import { openConfigClient, type NatsConfigClient } from '../../../lib/drivers/nats/config-client.ts';
import { namesOf } from '../../../lib/drivers/nats/names.ts';
import { pendingAfter } from '../../../lib/drivers/nats/puller.ts';
import { openPrivateRun, skipWithout } from '../servers.ts';

const SKIP = skipWithout('nats');
const LAYER: LayerOptions = { capacity: 1000, backoffMs: 1, maxRetries: 2, healthIntervalMs: 0, noopDelayUs: 0 };

const PREFIX = 'bbt-bus';
let run: DriverRun;
let done: () => Promise<void> = async () => {};
let nextCell = 1;

before(async () => {
  if (SKIP) return;
  const t = await openPrivateRun('nats', PREFIX);
  run = t.run;
  done = t.close;
});
after(async () => done());

async function cellWith(configs: ConfigName[], scale: number): Promise<CellBus> {
  const cell = await run.openCell({ id: nextCell++, dir: '/nonexistent', configs, scale });
  after(() => cell.close());
  return cell;
}

async function open(cell: CellBus, config: ConfigName, scale: number, layer: Partial<LayerOptions> = {}) {
  const c = (await client.open({ settings: {}, shared: run.shared, cell: cell.spec, dir: '/nonexistent', config, scale, local: Array.from({ length: scale }, (_, i) => i), layer: { ...LAYER, ...layer }, payloadBytes: 16 })) as NatsConfigClient;
  after(() => c.close());
  return c;
}

async function drainAll(c: NatsConfigClient, slot: number): Promise<Receipt[]> {
  return (await c.drain(slot, false)).got;
}

test('every config: each message is received exactly once, in order per sender', { skip: SKIP }, async () => {
  const scale = 3;
  const perPair = 4;
  const cell = await cellWith([...CONFIGS], scale);
  for (const config of CONFIGS) {
    const c = await open(cell, config, scale);
    // Agents send concurrently (as the harness runs them); each sender's own sends in order.
    await Promise.all(
      Array.from({ length: scale }, async (_, from) => {
        for (let k = 0; k < perPair; k++) for (let to = 0; to < scale; to++) await c.send(from, to, { k, data: `${from}>${to}` });
      }),
    );
    for (let to = 0; to < scale; to++) {
      const got = await drainAll(c, to);
      assert.equal(got.length, scale * perPair, `${config}: agent ${to} got ${got.length}`);
      for (let from = 0; from < scale; from++) {
        const ks = got.filter((m) => m.from === `agent-0000${from}`).map((m) => (m.payload as { k: number; data: string }).k);
        assert.deepEqual(ks, [0, 1, 2, 3], `${config}: from ${from} to ${to}`);
      }
      for (const m of got) assert.match(String(m.sent_at_ns), /^\d+$/);
    }
    assert.equal(await c.receive(0), null, `${config}: nothing twice`);
    assert.equal(await cell.leftover(config), 0, config);
  }
});

test('receive on an empty inbox returns null at once (not after the client pull expiry of 1 s)', { skip: SKIP }, async () => {
  const cell = await cellWith(['baseline'], 1);
  const c = await open(cell, 'baseline', 1);
  assert.equal(await c.receive(0), null); // warm
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) assert.equal(await c.receive(0), null);
  const each = (performance.now() - t0) / 10;
  assert.ok(each < 50, `an empty receive took ${each.toFixed(1)} ms`);
});

test('pendingAfter reads the pending count from both forms of JetStream\'s ack subject', () => {
  // As nats-server 2.9 sent them for the first and the third of three messages (checked against a real server), and the form with a domain.
  assert.equal(pendingAfter('$JS.ACK.P.a.1.1.1.1796225643259544808.2'), 2);
  assert.equal(pendingAfter('$JS.ACK.P.a.1.3.3.1796225643261482521.0'), 0);
  assert.equal(pendingAfter('$JS.ACK.hub.ACCHASH.P.a.1.3.3.1796225643261482521.5.x7Gq'), 5);
  assert.ok(Number.isNaN(pendingAfter('_INBOX.abc.1')));
  assert.ok(Number.isNaN(pendingAfter(undefined)));
});

test('a take ends at the message the consumer called its last, without one more pull; mail sent after it is still taken', { skip: SKIP }, async () => {
  const cell = await cellWith(['baseline'], 2);
  const c = await open(cell, 'baseline', 2);
  const puller = (c as unknown as { agent(slot: number): { puller: { pull(): Promise<unknown> } } }).agent(1).puller;
  let pulls = 0;
  const pull = puller.pull.bind(puller);
  puller.pull = () => (pulls++, pull());
  for (let k = 0; k < 2; k++) await c.send(0, 1, { k, data: '' });
  assert.notEqual(await c.receive(1), null);
  assert.notEqual(await c.receive(1), null);
  assert.equal(pulls, 2);
  assert.equal(await c.receive(1), null, 'the consumer had none pending after the second');
  assert.equal(pulls, 2, 'that null cost no pull');
  await c.send(0, 1, { k: 2, data: '' });
  assert.equal(((await c.receive(1))?.payload as { k: number }).k, 2, 'the next take asks the server again');
  assert.equal(pulls, 3);
  // A drain right after a message said to be the last still asks: mail may have come since.
  await c.send(0, 1, { k: 3, data: '' });
  assert.deepEqual((await drainAll(c, 1)).map((m) => (m.payload as { k: number }).k), [3]);
  assert.equal(await cell.leftover('baseline'), 0);
});

test('with a watch: a message heard of since the consumer called the last one its last is pulled, not answered null', { skip: SKIP }, async () => {
  const cell = await cellWith(['baseline'], 2);
  const c = await open(cell, 'baseline', 2);
  let heard = 0;
  const stop = c.watch(1, () => heard++);
  try {
    // The watch's subscription is in place at the server once its connection has answered a ping (a cell opens it long before any send).
    await (c as unknown as { control: { flush(): Promise<void> } }).control.flush();
    await c.send(0, 1, { k: 0, data: '' });
    assert.notEqual(await c.receive(1), null); // pending 0 after it
    await c.send(0, 1, { k: 1, data: '' });
    for (let i = 0; heard < 2 && i < 100; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(heard, 2);
    // Without the watch this receive would end the take (the consumer had none pending); the watch says one more came.
    assert.equal(((await c.receive(1))?.payload as { k: number }).k, 1);
    assert.equal(await c.receive(1), null);
  } finally {
    stop();
  }
});

test('leftover() counts messages not taken, and drops as they are taken', { skip: SKIP }, async () => {
  const cell = await cellWith(['metrics'], 2);
  const c = await open(cell, 'metrics', 2);
  for (let k = 0; k < 3; k++) await c.send(0, 1, { k, data: '' });
  await c.send(1, 0, { k: 0, data: '' });
  assert.equal(await cell.leftover('metrics'), 4);
  assert.notEqual(await c.receive(1), null);
  await c.drain(0, false); // flushes the acks
  assert.equal(await cell.leftover('metrics'), 2);
});

test('rate limiting: a send to an inbox holding `capacity` messages is rejected, and nothing is written', { skip: SKIP }, async () => {
  const cell = await cellWith(['rate_limiting'], 2);
  const c = await open(cell, 'rate_limiting', 2, { capacity: 2, maxRetries: 0 });
  await c.send(0, 1, { k: 0, data: '' });
  await c.send(0, 1, { k: 1, data: '' });
  await assert.rejects(c.send(0, 1, { k: 2, data: '' }), (e: unknown) => e instanceof Rejected && /agent-00001.*2 messages/.test(e.message));
  await c.send(1, 0, { k: 0, data: '' }); // another inbox is not full
  assert.equal(await cell.leftover('rate_limiting'), 3);
  // With retries, a receiver that frees a place during the backoff lets the send through.
  const c2 = await open(cell, 'rate_limiting', 2, { capacity: 2, maxRetries: 3, backoffMs: 20 });
  const sending = c2.send(0, 1, { k: 2, data: '' });
  setTimeout(() => void c2.receive(1), 5);
  await sending;
  assert.equal(await cell.leftover('rate_limiting'), 3);
});

test('health: the query sees every agent healthy, then the ones that went quiet as stale', { skip: SKIP }, async () => {
  const scale = 3;
  const cell = await cellWith(['health'], scale);
  const s = run.shared as { url: string; prefix: string };
  const c = await openConfigClient({ url: s.url, names: namesOf(s.prefix, (cell.spec as { id: number }).id, 'health'), config: 'health', scale, local: [0, 1, 2], layer: LAYER, staleMs: 300 });
  after(() => c.close());
  await c.healthQuery!();
  assert.deepEqual(c.lastHealth, { agents: 3, healthy: 3, stale: [], missing: [] });
  await new Promise((r) => setTimeout(r, 400));
  await c.send(0, 1, { k: 0, data: '' }); // agent 0 beats; 1 and 2 stay quiet
  await c.healthQuery!();
  assert.deepEqual(c.lastHealth, { agents: 3, healthy: 1, stale: ['agent-00001', 'agent-00002'], missing: [] });
});

test('health: an agent of the roster that never beat is reported missing', { skip: SKIP }, async () => {
  const cell = await cellWith(['health'], 2);
  const c = (await client.open({ settings: {}, shared: run.shared, cell: cell.spec, dir: '/nonexistent', config: 'health', scale: 2, local: [0], layer: LAYER, payloadBytes: 16 })) as NatsConfigClient;
  after(() => c.close());
  await c.healthQuery!();
  assert.deepEqual(c.lastHealth, { agents: 1, healthy: 1, stale: [], missing: ['agent-00001'] });
});

test('health: with an interval, an agent beats at most once per interval', { skip: SKIP }, async () => {
  const cell = await cellWith(['health'], 1);
  const c = await open(cell, 'health', 1, { healthIntervalMs: 60_000 });
  const s = run.shared as { url: string; prefix: string };
  const bucket = `KV_${namesOf(s.prefix, (cell.spec as { id: number }).id, 'health').bucket}`;
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const { connect } = await import('@nats-io/transport-node');
  const nc = await connect({ servers: s.url });
  after(() => nc.close());
  const jsm = await jetstreamManager(nc);
  const before = (await jsm.streams.info(bucket)).state.last_seq;
  for (let k = 0; k < 5; k++) await c.send(0, 0, { k, data: '' });
  assert.equal((await jsm.streams.info(bucket)).state.last_seq, before, 'no heartbeat within the interval');
});

test('shutdown: once requested, sends throw, receives go on, the drain takes everything and marks agents stopped', { skip: SKIP }, async () => {
  const scale = 2;
  const cell = await cellWith(['shutdown', 'full_integration'], scale);
  for (const config of ['shutdown', 'full_integration'] as const) {
    const c = await open(cell, config, scale);
    // A second worker's client of the same config: it learns of the flag through its watcher only.
    const other = await open(cell, config, scale);
    for (let k = 0; k < 3; k++) await c.send(0, 1, { k, data: '' });
    await c.send(1, 0, { k: 0, data: '' });
    assert.equal(await cell.stopped(config), 0);
    await c.requestShutdown!();
    await assert.rejects(c.send(0, 1, { k: 9, data: '' }), /shutting down/);
    const t0 = Date.now();
    while (Date.now() - t0 < 2000) {
      try {
        await other.send(1, 1, { k: 99, data: 'late' });
      } catch (e) {
        assert.match((e as Error).message, /shutting down/);
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await assert.rejects(other.send(1, 1, { k: 100, data: '' }), /shutting down/, `${config}: the other worker saw the flag`);
    const first = await c.receive(1);
    assert.equal((first?.payload as { k: number }).k, 0, 'receives go on');
    const d1 = await c.drain(1, true);
    const d0 = await c.drain(0, true);
    assert.deepEqual(d1.got.filter((m) => m.from === 'agent-00000').map((m) => (m.payload as { k: number }).k), [1, 2]);
    assert.equal(d0.got.length, 1);
    assert.equal(d0.stopped && d1.stopped, true);
    assert.equal(await cell.stopped(config), 2);
    assert.equal(await cell.leftover(config), 0);
  }
});
