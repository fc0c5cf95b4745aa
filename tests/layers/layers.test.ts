import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { TmpfsBus } from '../../lib/drivers/tmpfs/bus.ts';
import { MetricsLayer } from '../../lib/drivers/tmpfs/layers/metrics.ts';
import { HealthLayer } from '../../lib/drivers/tmpfs/layers/health.ts';
import { BackpressureError, RateLimitLayer } from '../../lib/drivers/tmpfs/layers/rate-limiting.ts';
import { ShutdownError, ShutdownLayer } from '../../lib/drivers/tmpfs/layers/shutdown.ts';
import { NoopLayer } from '../../lib/drivers/tmpfs/layers/noop.ts';
import { buildStack } from '../../lib/drivers/tmpfs/layers/stack.ts';
import { CONFIGS, layersOf } from '../../lib/core/words.ts';
import type { Message } from '../../lib/drivers/tmpfs/types.ts';
import { shmDir } from '../helpers/tmpfs.ts';

const LAYER_OPTS = { capacity: 1000, backoffMs: 1, maxRetries: 2, healthIntervalMs: 0, noopDelayUs: 0 };

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

test('stacks: each config has exactly its layers, outermost first; full_integration has all four', () => {
  for (const config of CONFIGS) {
    const base = fresh();
    const stack = buildStack(config, base, base.paths, LAYER_OPTS);
    assert.deepEqual(stack.layers.map((l) => l.name), layersOf(config));
    const m = stack.bus.send('a', 'b', { config });
    assert.deepEqual(stack.bus.receive('b'), m, config);
    assert.equal(Boolean(stack.health), layersOf(config).includes('health'));
    assert.equal(Boolean(stack.shutdown), layersOf(config).includes('shutdown'));
    stack.bus.close();
  }
  assert.deepEqual(layersOf('full_integration'), ['shutdown', 'rate_limiting', 'health', 'metrics']);
  const base = fresh();
  const full = buildStack('full_integration', base, base.paths, LAYER_OPTS);
  full.bus.register('a');
  full.bus.send('a', 'b', 1);
  full.bus.receive('b');
  assert.equal(readFileSync(base.paths.metricsFile, 'utf8').trimEnd().split('\n').length, 2, 'metrics saw both operations');
  assert.ok(readdirSync(base.paths.healthDir).includes('a.json'), 'health beat for a');
  ShutdownLayer.request(base.paths);
  assert.throws(() => full.bus.send('a', 'b', 2), ShutdownError);
  full.bus.close();
});
