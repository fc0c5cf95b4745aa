import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { TmpfsBus } from '../../lib/drivers/tmpfs/bus.ts';
import { MetricsLayer } from '../../lib/drivers/tmpfs/layers/metrics.ts';
import { HealthLayer } from '../../lib/drivers/tmpfs/layers/health.ts';
import { BackpressureError, RateLimitLayer } from '../../lib/drivers/tmpfs/layers/rate-limiting.ts';
import { ShutdownError, ShutdownLayer } from '../../lib/drivers/tmpfs/layers/shutdown.ts';
import { NoopLayer } from '../../lib/drivers/tmpfs/layers/noop.ts';
import { buildStack } from '../../lib/drivers/tmpfs/layers/stack.ts';
import { CONFIGS, type ConfigName } from '../../lib/core/words.ts';
import type { Message } from '../../lib/drivers/tmpfs/types.ts';
import { shmDir } from '../helpers/tmpfs.ts';

function fresh() {
  const bus = new TmpfsBus(shmDir());
  bus.register('a');
  bus.register('b');
  return bus;
}

function drainAll(bus: { receive(a: string): Message | null }, agent: string): Message[] {
  const out = [];
  for (let m = bus.receive(agent); m !== null; m = bus.receive(agent)) out.push(m);
  return out;
}

test('noop passes everything through and counts calls; a delay is really spent', () => {
  const base = fresh();
  const noop = new NoopLayer(base);
  const m = noop.send('a', 'b', 'hi');
  assert.deepEqual(noop.receive('b'), m);
  assert.equal(noop.receive('b'), null);
  assert.deepEqual(noop.counters(), { calls: 3 });
  const slow = new NoopLayer(base, 2000);
  const t0 = process.hrtime.bigint();
  slow.send('a', 'b', 1);
  assert.ok(process.hrtime.bigint() - t0 >= 2_000_000n, 'a 2000 µs delay takes at least 2 ms');
});

test('metrics: one JSON line per send and per received message, in one shared file', () => {
  const base = fresh();
  const metrics = new MetricsLayer(base, base.paths.metricsFile);
  for (let i = 0; i < 5; i++) metrics.send('a', 'b', i);
  assert.equal(drainAll(metrics, 'b').length, 5);
  assert.equal(metrics.receive('b'), null, 'an empty receive writes nothing');
  metrics.close();
  const lines = readFileSync(base.paths.metricsFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { op: string; from: string; to: string });
  assert.equal(lines.length, 10);
  assert.deepEqual(lines.map((l) => l.op), [...Array(5).fill('send'), ...Array(5).fill('receive')]);
  assert.ok(lines.every((l) => l.from === 'a' && l.to === 'b'));
  assert.deepEqual(metrics.counters(), { lines: 10 });
});

test('metrics: lines from concurrent processes never tear', async () => {
  const dir = shmDir();
  const bus = new TmpfsBus(dir);
  bus.register('sink');
  const script = `
    import { TmpfsBus } from ${JSON.stringify(new URL('../../lib/drivers/tmpfs/bus.ts', import.meta.url).pathname)};
    import { MetricsLayer } from ${JSON.stringify(new URL('../../lib/drivers/tmpfs/layers/metrics.ts', import.meta.url).pathname)};
    const base = new TmpfsBus(process.argv[1]);
    const m = new MetricsLayer(base, base.paths.metricsFile);
    for (let i = 0; i < 400; i++) m.send(process.argv[2], 'sink', i);
    m.close();
  `;
  await Promise.all(['w1', 'w2', 'w3'].map((me) => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir, me])));
  const lines = readFileSync(bus.paths.metricsFile, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 1200);
  for (const l of lines) JSON.parse(l);
});

test('health: every operation refreshes the agent heartbeat; the query sees all agents', () => {
  const base = fresh();
  const health = new HealthLayer(base, base.paths, 0, 5000);
  health.register('a');
  health.register('b');
  health.send('a', 'b', 1);
  health.send('a', 'b', 2);
  health.receive('b');
  const a = JSON.parse(readFileSync(base.paths.healthFile('a'), 'utf8')) as { sent: number; status: string };
  const b = JSON.parse(readFileSync(base.paths.healthFile('b'), 'utf8')) as { received: number };
  assert.deepEqual([a.sent, a.status, b.received], [2, 'ok', 1]);
  const report = health.query();
  assert.deepEqual(report, { agents: 2, healthy: 2, stale: [], unreadable: [] });
  // Ten seconds later, with no operation in between, both are stale.
  const later = health.query(process.hrtime.bigint() + 10_000_000_000n);
  assert.deepEqual(later.stale.sort(), ['a', 'b']);
  health.close();
});

test('health: with an interval, heartbeats are rate-limited per agent', () => {
  const base = fresh();
  const health = new HealthLayer(base, base.paths, 60_000);
  health.register('a');
  for (let i = 0; i < 10; i++) health.send('a', 'b', i);
  assert.equal(health.counters().writes, 1, 'only the registration beat within one minute');
  health.close();
});

test('rate_limiting: sends pass under capacity; a full inbox backs off, then rejects without writing', () => {
  const base = fresh();
  const rl = new RateLimitLayer(base, { capacity: 3, backoffMs: 1, maxRetries: 2 });
  for (let i = 0; i < 3; i++) rl.send('a', 'b', i);
  const t0 = process.hrtime.bigint();
  assert.throws(() => rl.send('a', 'b', 'x'), (e: unknown) => e instanceof BackpressureError && e.depth === 3 && e.attempts === 3);
  assert.ok(process.hrtime.bigint() - t0 >= 3_000_000n, 'backed off 1 + 2 ms before rejecting');
  assert.equal(base.depth('b'), 3, 'the rejected message was not written');
  assert.deepEqual(rl.counters(), { checks: 6, waits: 2, rejected: 1 });
  base.receive('b');
  rl.send('a', 'b', 'fits again');
  assert.equal(base.depth('b'), 3);
});

test('shutdown: refuses sends once the flag is up, lets receives drain, marks agents stopped', () => {
  const base = fresh();
  const sd = new ShutdownLayer(base, base.paths);
  sd.send('a', 'b', 1);
  sd.send('a', 'b', 2);
  assert.equal(sd.shuttingDown(), false);
  ShutdownLayer.request(base.paths);
  assert.ok(existsSync(base.paths.shutdownFlag));
  assert.throws(() => sd.send('a', 'b', 3), ShutdownError);
  assert.equal(sd.receive('b')?.payload, 1, 'receives still work while shutting down');
  const drained: Message[] = [];
  assert.equal(sd.drainAndStop('b', (m) => drained.push(m)), 1);
  assert.deepEqual(drained.map((m) => m.payload), [2]);
  assert.equal(sd.drainAndStop('a', () => assert.fail('a has no mail')), 0);
  assert.deepEqual(ShutdownLayer.stoppedAgents(base.paths).sort(), ['a', 'b']);
  assert.equal(base.depth('b'), 0);
  assert.equal(sd.counters().refused, 1);
});

// What each config adds, outermost first, as the config table of docs/drivers.md states it.
const DOC_STACKS: Record<ConfigName, string[]> = {
  baseline: [],
  noop: ['noop'],
  metrics: ['metrics'],
  health: ['health'],
  rate_limiting: ['rate_limiting'],
  shutdown: ['shutdown'],
  full_integration: ['shutdown', 'rate_limiting', 'health', 'metrics'],
};

const metricsLines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { op: string; t_ns: string }) : []);
const heartbeat = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { sent: number; received: number; last_seen_ns: string };
const msSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

test('stacks: each config shows the behaviour of exactly the layers docs/drivers.md lists for it', () => {
  assert.deepEqual([...CONFIGS].sort(), Object.keys(DOC_STACKS).sort());
  for (const config of CONFIGS) {
    const want = DOC_STACKS[config];
    const base = fresh();
    // capacity 1, no retry: a second message to a full inbox is refused at once; a 50 ms noop delay.
    const stack = buildStack(config, base, base.paths, { capacity: 1, backoffMs: 0, maxRetries: 0, healthIntervalMs: 0, noopDelayUs: 50_000 });
    stack.bus.register('a');
    stack.bus.register('b');
    const t0 = process.hrtime.bigint();
    const m = stack.bus.send('a', 'b', { config });
    const sendMs = msSince(t0);
    assert.equal(sendMs >= 50, want.includes('noop'), `${config}: the noop's 50 ms busy-wait is spent on a send iff noop is in the stack (${sendMs.toFixed(3)} ms)`);
    // rate_limiting: b's inbox holds 1 message = the capacity.
    let refused: unknown = null;
    try {
      stack.bus.send('a', 'b', 'second');
    } catch (e) {
      refused = e;
    }
    assert.equal(refused instanceof BackpressureError, want.includes('rate_limiting'), `${config}: a send to a full inbox is refused iff rate_limiting is in the stack (${String(refused)})`);
    assert.deepEqual(stack.bus.receive('b'), m, `${config}: the message passes through`);
    drainAll(stack.bus, 'b');
    assert.deepEqual(metricsLines(base.paths.metricsFile).map((l) => l.op), want.includes('metrics') ? ['send', ...(refused ? [] : ['send']), 'receive', ...(refused ? [] : ['receive'])] : [], `${config}: metrics lines`);
    assert.equal(existsSync(base.paths.healthFile('a')), want.includes('health'), `${config}: a heartbeat file for a`);
    if (want.includes('health')) assert.equal(heartbeat(base.paths.healthFile('a')).sent, refused ? 1 : 2, `${config}: a's heartbeat counts its sends`);
    ShutdownLayer.request(base.paths);
    let stopped: unknown = null;
    try {
      stack.bus.send('a', 'b', 'after the flag');
    } catch (e) {
      stopped = e;
    }
    assert.equal(stopped instanceof ShutdownError, want.includes('shutdown'), `${config}: a send after the flag is refused iff shutdown is in the stack (${String(stopped)})`);
    assert.equal(Boolean(stack.health), want.includes('health'), `${config}: the health handle`);
    assert.equal(Boolean(stack.shutdown), want.includes('shutdown'), `${config}: the shutdown handle`);
    stack.bus.close();
  }
});

// The order of full_integration, by what it does. Only two orderings are observable: shutdown vs
// rate_limiting (both act before the send; which refusal wins) and health vs metrics (both act after
// it; whose timestamp comes first). rate_limiting vs health/metrics is not: the one acts only before
// a send, the others only after a send that went through.
test('full_integration: shutdown is outside rate_limiting: with the flag up and the inbox full, ShutdownError wins at once', () => {
  const base = fresh();
  // Backing off 50 + 100 + 200 ms before rejecting: a rate limiter asked first would take 350 ms.
  const full = buildStack('full_integration', base, base.paths, { capacity: 1, backoffMs: 50, maxRetries: 3, healthIntervalMs: 0, noopDelayUs: 0 });
  full.bus.register('a');
  full.bus.register('b');
  full.bus.send('a', 'b', 'fills the inbox');
  let t0 = process.hrtime.bigint();
  assert.throws(() => full.bus.send('a', 'b', 'x'), BackpressureError, 'the rate limiter is there: without the flag a full inbox is refused');
  assert.ok(msSince(t0) >= 350, `after backing off 350 ms (${msSince(t0).toFixed(1)} ms)`);
  ShutdownLayer.request(base.paths);
  t0 = process.hrtime.bigint();
  assert.throws(() => full.bus.send('a', 'b', 'y'), ShutdownError);
  assert.ok(msSince(t0) < 50, `refused before any backoff (${msSince(t0).toFixed(1)} ms)`);
  full.bus.close();
});

test('full_integration: metrics is inside health (its line is written before the heartbeat); a refused send writes neither', () => {
  const base = fresh();
  const full = buildStack('full_integration', base, base.paths, { capacity: 1, backoffMs: 0, maxRetries: 0, healthIntervalMs: 0, noopDelayUs: 0 });
  full.bus.register('a');
  full.bus.register('b');
  full.bus.send('a', 'b', 1);
  const [sendLine] = metricsLines(base.paths.metricsFile);
  const beatA = heartbeat(base.paths.healthFile('a'));
  assert.equal(beatA.sent, 1);
  assert.ok(BigInt(sendLine!.t_ns) < BigInt(beatA.last_seen_ns), `send: metrics at ${sendLine!.t_ns}, then the heartbeat at ${beatA.last_seen_ns}`);
  // Refused by the rate limiter (inbox full): no line, no heartbeat.
  assert.throws(() => full.bus.send('a', 'b', 2), BackpressureError);
  assert.equal(metricsLines(base.paths.metricsFile).length, 1, 'no metrics line for a refused send');
  assert.deepEqual(heartbeat(base.paths.healthFile('a')), beatA, 'no heartbeat for a refused send');
  full.bus.receive('b');
  const recvLine = metricsLines(base.paths.metricsFile)[1]!;
  const beatB = heartbeat(base.paths.healthFile('b'));
  assert.equal(recvLine.op, 'receive');
  assert.equal(beatB.received, 1);
  assert.ok(BigInt(recvLine.t_ns) < BigInt(beatB.last_seen_ns), `receive: metrics at ${recvLine.t_ns}, then the heartbeat at ${beatB.last_seen_ns}`);
  // Refused by shutdown: no line, no heartbeat either.
  ShutdownLayer.request(base.paths);
  const before = heartbeat(base.paths.healthFile('a'));
  assert.throws(() => full.bus.send('a', 'b', 3), ShutdownError);
  assert.equal(metricsLines(base.paths.metricsFile).length, 2);
  assert.deepEqual(heartbeat(base.paths.healthFile('a')), before);
  full.bus.close();
});
