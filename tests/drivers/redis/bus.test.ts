import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { CONFIGS, type ConfigName } from '../../../lib/core/words.ts';
import { Rejected, type Body, type CellBus, type Receipt } from '../../../lib/drivers/contract.ts';
import { calibrateRedis } from '../../../lib/drivers/redis/calibrate.ts';
import { client } from '../../../lib/drivers/redis/client.ts';
import { openConfigClient, type RedisConfigClient } from '../../../lib/drivers/redis/config-client.ts';
import { connect, release, type Conn } from '../../../lib/drivers/redis/connect.ts';
import type { RedisCellSpec, RedisShared } from '../../../lib/drivers/redis/host.ts';
import { keysOf } from '../../../lib/drivers/redis/keys.ts';
import { ShuttingDown } from '../../../lib/drivers/layers.ts';
import { openPrivateRun, skipWithout, type TestRun } from '../servers.ts';

const SKIP = skipWithout('redis');
const LAYER = { capacity: 1000, backoffMs: 0, maxRetries: 0, healthIntervalMs: 0, noopDelayUs: 0 };

// One private server for every test of this file; each test takes a cell of its own.
let t: TestRun | null = null;
let admin: Conn | null = null;
let nextCell = 1;
before(async () => {
  if (SKIP) return;
  t = await openPrivateRun('redis');
  admin = await connect((t.run.shared as RedisShared).url);
});
after(async () => {
  if (admin) await release(admin);
  await t?.close();
});

interface Cell {
  bus: CellBus;
  base: string;
  /** Closes every client opened through `open`, then the cell (the test's `after` calls it). */
  close(): Promise<void>;
  /** Two "workers": agents 0 and 1 on one, agent 2 on the other. */
  open(config: ConfigName, layer?: Partial<typeof LAYER>, healthTtlMs?: number): Promise<[RedisConfigClient, RedisConfigClient]>;
}

/** A cell of its own for one test, closed with everything opened in it when the test ends. */
async function cell(ctx: TestContext, configs: readonly ConfigName[], scale = 3): Promise<Cell> {
  const bus = await t!.run.openCell({ id: nextCell++, dir: t!.dir, configs, scale });
  const base = (bus.spec as RedisCellSpec).base;
  const url = (t!.run.shared as RedisShared).url;
  const clients: RedisConfigClient[] = [];
  const c: Cell = {
    bus,
    base,
    close: async () => {
      for (const x of clients.splice(0)) await x.close();
      await bus.close();
    },
    open: async (config, layer = {}, healthTtlMs) => {
      const o = { url, base, config, scale, layer: { ...LAYER, ...layer }, ...(healthTtlMs ? { healthTtlMs } : {}) };
      const pair = await Promise.all([openConfigClient({ ...o, local: [0, 1] }), openConfigClient({ ...o, local: [2] })]);
      clients.push(...pair);
      return pair;
    },
  };
  ctx.after(() => c.close());
  return c;
}

const body = (k: number): Body => ({ k, data: `payload-${k}` });
/** The client and slot of each agent 0, 1, 2. */
const where = (a: RedisConfigClient, b: RedisConfigClient) => [[a, 0], [a, 1], [b, 0]] as const;

async function takeAll(c: RedisConfigClient, slot: number): Promise<Receipt[]> {
  const got: Receipt[] = [];
  for (let m = await c.receive(slot); m !== null; m = await c.receive(slot)) got.push(m);
  return got;
}

test('every config: each message is received once, in order per sender, with its stamp and payload', { skip: SKIP }, async (ctx) => {
  const c = await cell(ctx, CONFIGS);
  for (const config of CONFIGS) {
    const [a, b] = await c.open(config);
    const agents = where(a, b);
    assert.equal(await a.receive(0), null, `${config}: an empty inbox gives null`);
    const rounds = 8;
    // Every agent sends to every agent (itself too), concurrently as the harness does.
    for (let k = 0; k < rounds; k++) {
      await Promise.all(agents.map(([cl, slot]) => Promise.all([0, 1, 2].map((to) => cl.send(slot, to, body(k))))));
    }
    const t0 = process.hrtime.bigint();
    for (let to = 0; to < 3; to++) {
      const [cl, slot] = agents[to]!;
      const got = await takeAll(cl, slot);
      assert.equal(got.length, 3 * rounds, `${config}: agent ${to} got ${got.length}`);
      for (let from = 0; from < 3; from++) {
        const mine = got.filter((m) => m.from === `agent-0000${from}`);
        assert.deepEqual(mine.map((m) => (m.payload as Body).k), [...Array(rounds).keys()], `${config}: ${from} → ${to} in order, once each`);
        assert.deepEqual(mine[0]!.payload, body(0));
        for (const m of mine) assert.ok(BigInt(m.sent_at_ns) < t0, 'sent_at_ns is the sender\'s monotonic clock');
      }
    }
    assert.equal(await c.bus.leftover(config), 0);
  }
});

test('metrics: one entry per send and per received message in the metrics stream', { skip: SKIP }, async (ctx) => {
  const c = await cell(ctx, ['metrics']);
  const [a, b] = await c.open('metrics');
  for (let k = 0; k < 5; k++) await a.send(0, 2, body(k));
  await b.receive(0);
  await b.receive(0);
  assert.equal(await b.receive(0) === null, false);
  const stream = keysOf(c.base, 'metrics').metrics;
  assert.equal(Number(await admin!.sendCommand(['XLEN', stream])), 5 + 3, 'an empty receive writes nothing; each send and receipt one entry');
  const last = (await admin!.sendCommand(['XREVRANGE', stream, '+', '-', 'COUNT', '1'])) as [string, string[]][];
  const fields = last[0]![1];
  assert.equal(fields[fields.indexOf('op') + 1], 'receive');
  assert.equal(fields[fields.indexOf('from') + 1], 'agent-00000');
});

test('rate_limiting: a full inbox rejects the send (maxRetries 0), nothing is written, and space lets it through', { skip: SKIP }, async (ctx) => {
  const c = await cell(ctx, ['rate_limiting']);
  const [a, b] = await c.open('rate_limiting', { capacity: 3, maxRetries: 0 });
  for (let k = 0; k < 3; k++) await a.send(0, 2, body(k));
  await assert.rejects(a.send(1, 2, body(3)), (e: unknown) => e instanceof Rejected && /inbox of agent 2 stayed full \(3 messages\) after 1 checks/.test(e.message));
  assert.equal(await c.bus.leftover('rate_limiting'), 3, 'the rejected message was not written');
  await a.send(0, 1, body(0)); // other inboxes are not limited by agent 2's
  assert.equal((await b.receive(0))?.from, 'agent-00000');
  await a.send(1, 2, body(4));
  assert.equal((await takeAll(b, 0)).length, 3);
});

test('rate_limiting: backs off (doubling) before it rejects, and a receiver freeing space during the wait lets the send through', { skip: SKIP }, async (ctx) => {
  const c = await cell(ctx, ['rate_limiting']);
  const [a, b] = await c.open('rate_limiting', { capacity: 1, maxRetries: 2, backoffMs: 20 });
  await a.send(0, 2, body(0));
  const t0 = Date.now();
  await assert.rejects(a.send(0, 2, body(1)), Rejected);
  assert.ok(Date.now() - t0 >= 20 + 40 - 2, `rejected after ${Date.now() - t0} ms, backoff 20 + 40 ms expected`);
  const sending = a.send(0, 2, body(2));
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(((await b.receive(0))?.payload as Body).k, 0);
  await sending;
  assert.equal(((await b.receive(0))?.payload as Body).k, 2);
});

test('health: the query sees every agent, then a missing one and a stale one (expired heartbeat)', { skip: SKIP }, async (ctx) => {
  const c = await cell(ctx, ['health'], 3);
  const ttl = 300;
  const [a, b] = await c.open('health', {}, ttl);
  await a.healthQuery!();
  assert.deepEqual(a.lastHealth, { agents: 3, healthy: 3, missing: [] }, 'every agent beats when its client opens');
  await admin!.sendCommand(['DEL', keysOf(c.base, 'health').heartbeat(1)]);
  await b.healthQuery!();
  assert.deepEqual(b.lastHealth, { agents: 3, healthy: 2, missing: [1] });
  // Agents 0 and 1 keep operating; agent 2 stays quiet longer than the TTL: stale.
  const until = Date.now() + ttl + 150;
  while (Date.now() < until) {
    await a.send(0, 0, body(0));
    await a.receive(0);
    await a.receive(1);
    await new Promise((r) => setTimeout(r, 30));
  }
  await a.healthQuery!();
  assert.deepEqual(a.lastHealth, { agents: 3, healthy: 2, missing: [2] });
  const beat = JSON.parse(String(await admin!.sendCommand(['GET', keysOf(c.base, 'health').heartbeat(0)]))) as { pid: number; sent: number; received: number };
  assert.equal(beat.pid, process.pid);
  assert.ok(beat.sent > 0 && beat.received > 0, JSON.stringify(beat));
});

test('health: with an interval, an agent beats at most once per interval', { skip: SKIP }, async (ctx) => {
  const c = await cell(ctx, ['health'], 3);
  const [a] = await c.open('health', { healthIntervalMs: 10_000 });
  const key = keysOf(c.base, 'health').heartbeat(0);
  const first = await admin!.sendCommand(['GET', key]);
  for (let i = 0; i < 5; i++) await a.send(0, 1, body(i));
  assert.equal(await admin!.sendCommand(['GET', key]), first, 'no beat within the interval');
});

test('shutdown: after the request sends throw in every process, receives go on, the coordinated drain loses nothing and stops every agent', { skip: SKIP }, async (ctx) => {
  const c = await cell(ctx, ['shutdown']);
  const [a, b] = await c.open('shutdown');
  const agents = where(a, b);
  for (let k = 0; k < 4; k++) await Promise.all(agents.map(([cl, slot], i) => cl.send(slot, (i + 1) % 3, body(k))));
  assert.equal((await b.receive(0))?.from, 'agent-00001');
  await a.requestShutdown!();
  await assert.rejects(a.send(0, 1, body(9)), ShuttingDown, 'the requesting process refuses at once');
  // The other process learns it by the channel: one publish later.
  const deadline = Date.now() + 2000;
  let refused = false;
  while (!refused && Date.now() < deadline) {
    try {
      await b.send(0, 0, body(99));
      await new Promise((r) => setTimeout(r, 5));
    } catch (e) {
      assert.ok(e instanceof ShuttingDown);
      refused = true;
    }
  }
  assert.ok(refused, 'the other process refused sends within 2 s');
  await takeAll(a, 0); // agent 0's mail, with any send of b's that won the race against the channel
  assert.equal(((await a.receive(1))?.payload as Body).k, 0, 'receives go on after the request');
  // A client opened after the request sees it too (the key, read after subscribing).
  const [late1, late2] = await c.open('shutdown');
  await assert.rejects(late1.send(0, 1, body(0)), ShuttingDown);
  await late1.close();
  await late2.close();

  const drained = await Promise.all(agents.map(([cl, slot]) => cl.drain(slot, true)));
  assert.deepEqual(drained.map((d) => d.stopped), [true, true, true]);
  assert.deepEqual(drained.map((d) => d.got.length), [0, 3, 3]);
  assert.equal(await c.bus.stopped('shutdown'), 3);
  assert.equal(await c.bus.leftover('shutdown'), 0);
});

test('leftover counts what was not drained; a plain drain takes it and stops no one', { skip: SKIP }, async (ctx) => {
  const c = await cell(ctx, ['baseline', 'full_integration']);
  // Through the worker-side entry, as the harness opens it.
  const open = (local: number[]) =>
    client.open({ settings: null, shared: t!.run.shared, cell: c.bus.spec, dir: t!.dir, config: 'full_integration', scale: 3, local, layer: LAYER, payloadBytes: 16 }) as Promise<RedisConfigClient>;
  const [a, b] = await Promise.all([open([0, 1]), open([2])]);
  for (let k = 0; k < 5; k++) await a.send(0, 2, body(k));
  await a.send(1, 0, body(0));
  assert.equal(await c.bus.leftover('full_integration'), 6);
  assert.equal(await c.bus.leftover('baseline'), 0);
  const d = await b.drain(0, false);
  assert.deepEqual(d.got.map((m) => (m.payload as Body).k), [0, 1, 2, 3, 4]);
  assert.equal(d.stopped, null, 'an uncoordinated drain reports no stop');
  assert.equal(await c.bus.leftover('full_integration'), 1);
  assert.equal(await c.bus.stopped('full_integration'), 0);
});

test('calibrate: the floor, the bus and a PING, measured against the same server', { skip: SKIP }, async (ctx) => {
  // Fewer rounds than a run's calibration (client.calibrate), to keep the test short.
  const cal = await calibrateRedis(t!.run.shared as RedisShared, 100, 5);
  ctx.diagnostic(JSON.stringify(cal));
  assert.equal(cal.floor_name, 'XADD, EVALSHA(XREADGROUP+XACK+XDEL)');
  // Only what holds on a loaded machine too: the comparisons between the figures are for the report.
  for (const x of [cal.floor_round_trip_us, cal.bus_round_trip_us, cal.bus_send_us, cal.extra!['ping_us'], cal.extra!['three_call_receive_us']]) {
    assert.ok(typeof x === 'number' && Number.isFinite(x) && x > 1, `a plausible figure in µs: ${String(x)}`);
  }
  const left = Number(await admin!.sendCommand(['DBSIZE']));
  const keys = (await admin!.sendCommand(['KEYS', `${(t!.run.shared as RedisShared).prefix}:cal*`])) as string[];
  assert.deepEqual(keys, [], `calibration left ${left} keys behind`);
});
