// busbench soak: the growth fit checked against figures worked by hand, the threshold syntax, bad
// input (exit 2 naming the flag or the scenario key), and a real soak of seconds in which the
// metrics file grows and the bare bus does not, with nothing left running or on tmpfs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../lib/core/errors.ts';
import { resolveSoak } from '../../lib/soak/flags.ts';
import { fitTrend } from '../../lib/soak/trend.ts';
import { parseThreshold } from '../../lib/verdict/syntax.ts';
import { busbench, newTag, parseJsonl, taggedPids } from '../helpers/cli.ts';

test('the growth fit: slope per minute and its 95 % interval, as worked by hand', () => {
  // t = 0, 1, 2 min; y = 0, 1, 3: slope Σ(x−x̄)(y−ȳ)/Σ(x−x̄)² = (4/3 + 5/3)/2 = 1.5; residuals 1/6, −1/3, 1/6,
  // SSE 1/6, SE √(SSE/1/2) = 0.288675; t(0.975, 1) = 12.706 → half-width 3.6679: the interval holds 0.
  const t = fitTrend([[0, 0], [60, 1], [120, 3]], 0);
  assert.ok(Math.abs(t.slope - 1.5) < 1e-12);
  assert.ok(Math.abs(t.high - t.slope - 12.706 * Math.sqrt(1 / 12)) < 1e-9);
  assert.equal(t.verdict, 'stable');
  // An exact line grows: a zero-width interval above 0, growth over the span above the floor.
  const line = fitTrend([0, 30, 60, 90, 120].map((s) => [s, 100 + 50 * (s / 60)] as [number, number]), 10);
  assert.ok(Math.abs(line.slope - 50) < 1e-9);
  assert.equal(line.verdict, 'grows');
  // The same line under a floor larger than what it grows over the span (100 over 2 min) is stable.
  assert.equal(fitTrend([0, 30, 60, 90, 120].map((s) => [s, 100 + 50 * (s / 60)] as [number, number]), 101).verdict, 'stable');
  assert.equal(fitTrend([[0, 1], [1, 1]], 0).verdict, 'too few samples');
});

test('growth thresholds: a size or a file count per time, normalised per minute', () => {
  const a = parseThreshold('growth(rss) < 1MB/min');
  assert.deepEqual([a.subject, a.limit, a.unit], [{ kind: 'growth', agents: null, resource: 'rss' }, 1048576, 'bytes/min']);
  const b = parseThreshold('growth(file) <= 500 KB/s');
  assert.deepEqual([b.limit, b.unit], [500 * 1024 * 60, 'bytes/min']);
  const c = parseThreshold('growth(tmpfs_files) < 10/min');
  assert.deepEqual([c.limit, c.unit], [10, 'files/min']);
  assert.throws(() => parseThreshold('growth(rss) < 1MB'), /a growth is per time/);
  assert.throws(() => parseThreshold('growth(rss) < 1'), /a growth needs a unit/);
  assert.throws(() => parseThreshold('growth(heap) < 1MB/min'), /unknown resource "heap"/);
  // Every resource a soak record names can be gated on, under the same name.
  for (const r of ['rss', 'rss_harness', 'rss_workers', 'rss_agent_shells', 'rss_server', 'tmpfs', 'file']) assert.equal((parseThreshold(`growth(${r}) < 1MB/min`).subject as { resource: string }).resource, r);
});

function problems(flags: Record<string, unknown>): string[] {
  try {
    resolveSoak({ flags, env: {}, cores: 2 });
    return [];
  } catch (e) {
    if (e instanceof UsageError) return [...e.problems];
    throw e;
  }
}

test('bad soak input names the flag: a duration without a unit, shorter than two sample intervals, two scales', () => {
  assert.match(problems({ duration: '10' }).join('\n'), /^--duration: "10" has no unit; use e\.g\. --duration 10s/);
  assert.match(problems({ duration: '10x' }).join('\n'), /--duration: "10x" is not a duration/);
  assert.match(problems({ duration: '9s', 'soak-interval': '5s' }).join('\n'), /--duration: 9s is shorter than two sample intervals \(--soak-interval 5s\)/);
  assert.match(problems({ 'soak-rate': '0' }).join('\n'), /--soak-rate: a rate of 0 sends nothing/);
  assert.match(problems({ scales: '1,10' }).join('\n'), /--scales: a soak runs one agent count/);
  assert.match(problems({ rate: '5' }).join('\n'), /--rate: not used by a soak \(it paces with --soak-rate\)/);
  assert.deepEqual(problems({ duration: '10s', 'soak-interval': '5s' }), []);
});

test('a soak scenario with a bad key or duration is exit 2 naming the file and the key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bb-soak-'));
  try {
    const file = join(dir, 'soak.json');
    writeFileSync(file, JSON.stringify({ command: 'soak', duration: 30, 'soak-interval': '20s', scales: [2] }));
    const r = await busbench(['run', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /soak\.json: "duration": "30" has no unit/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Soak {
  test_name: string | null;
  resource: string;
  path: string | null;
  verdict: string;
  growth_per_min: number | null;
  ci_low_per_min: number | null;
  ci_high_per_min: number | null;
  first: number;
  last: number;
  samples_n: number;
  duration_s: number;
  text: string;
}

test('a soak of seconds: the metrics file grows, the bare bus does not beyond its interval; a growth threshold gates it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bb-soak-'));
  const tag = newTag();
  try {
    const out = join(dir, 'soak.jsonl');
    const r = await busbench(['soak', '--duration', '6s', '--soak-interval', '250ms', '--soak-rate', '20', '--scales', '4', '--layers', 'metrics', '--workers', '2', '--out', out, '--threshold', 'growth(file) < 1KB/min', '--threshold', 'integrity.lost == 0'], { tag });
    // The metrics file grows far more than 1 KB/min: the threshold fails, exit 99.
    assert.equal(r.code, 99, r.stderr);
    const recs = parseJsonl(readFileSync(out, 'utf8'));
    const soak = recs.filter((x) => x.type === 'soak') as unknown as Soak[];
    const metricsFile = soak.find((s) => s.test_name === 'metrics' && s.resource === 'file' && s.path === 'metrics.jsonl');
    assert.ok(metricsFile, JSON.stringify(soak.map((s) => [s.test_name, s.resource, s.path])));
    assert.equal(metricsFile.verdict, 'grows', metricsFile.text);
    // The fitted growth agrees with the file's own growth from first to last sample (an independent figure).
    const endToEnd = (metricsFile.last - metricsFile.first) / (metricsFile.duration_s / 60);
    assert.ok(Math.abs(metricsFile.growth_per_min! / endToEnd - 1) < 0.35, `${metricsFile.growth_per_min} vs ${endToEnd}`);
    assert.ok(metricsFile.samples_n >= 15, String(metricsFile.samples_n));
    assert.match(metricsFile.text, /^metrics: file metrics\.jsonl grows [\d.]+ (KB|MB)\/min without bound/);
    // The bare bus keeps nothing: its bytes and files do not grow beyond their interval.
    for (const res of ['tmpfs', 'tmpfs_files']) {
      const b = soak.find((s) => s.test_name === 'baseline' && s.resource === res)!;
      assert.notEqual(b.verdict, 'grows', b.text);
      assert.ok(b.ci_low_per_min! <= 0 || b.verdict === 'stable', b.text);
    }
    assert.ok(!soak.some((s) => s.test_name === 'baseline' && s.resource === 'file' && s.verdict === 'grows'));
    assert.ok(soak.some((s) => s.resource === 'rss_workers'));
    // The pace holds the traffic to 20 messages a second per agent: at most 6 s × 20 × 4 agents (+ a round in flight).
    for (const i of recs.filter((x) => x.type === 'integrity') as { sent: number; lost: number; duplicated: number }[]) {
      assert.ok(i.sent > 0 && i.sent <= 6 * 20 * 4 + 8, String(i.sent));
      assert.equal(i.lost, 0);
      assert.equal(i.duplicated, 0);
    }
    const th = recs.filter((x) => x.type === 'threshold') as { expression: string; passed: boolean }[];
    assert.deepEqual(th.map((t) => [t.expression, t.passed]), [['growth(file) < 1KB/min', false], ['integrity.lost == 0', true]]);
    assert.match(r.stdout, /✗ metrics: file metrics\.jsonl grows/);
    // The HTML report beside it draws every sample of the metrics file's curve.
    const html = readFileSync(join(dir, 'soak.html'), 'utf8');
    assert.match(html, /<h1>busbench soak report<\/h1>/);
    const group = /<g class="series" data-series="metrics\.jsonl \(grows\)">(.*?)<\/g>/s.exec(html);
    assert.ok(group, 'no curve of metrics.jsonl in the report');
    assert.equal((group[1]!.match(/<circle class="point"/g) ?? []).length, metricsFile.samples_n);
    const run = recs.find((x) => x.type === 'run') as { run_dir: string };
    assert.equal(existsSync(run.run_dir), false);
    assert.deepEqual(taggedPids(tag), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a worker in soak mode keeps counts only: no timed sample and no per-message record, however many messages", async () => {
  const { WorkerPool } = await import('../../lib/agents/pool.ts');
  const { driverEntry } = await import('../../lib/drivers/registry.ts');
  const { resolveOptions } = await import('../../lib/config/options.ts');
  const { coordinate, workerSpecs } = await import('../../lib/run/cell.ts');
  const { ResourceMonitor } = await import('../../lib/measure/resources.ts');
  const base = mkdtempSync('/dev/shm/busbench-test-');
  const pool = await WorkerPool.start(1);
  const host = await driverEntry('tmpfs').host();
  const run = await host.open({ settings: undefined, runDir: join(base, 'run'), prefix: 'bbsoak', warn: () => undefined });
  try {
    const { options } = resolveOptions({ flags: { _: [], 'base-dir': base, out: join(base, 'o.jsonl'), workers: '1' }, env: {}, cores: 1 });
    const cell = { run: 1, configs: ['baseline' as const], scale: 2, iterations: 1, orderSeed: 1 };
    const dir = join(base, 'cell');
    const bus = await run.openCell({ id: 1, dir, configs: cell.configs, scale: 2 });
    const ctx = { opts: options, runDir: base, pool, monitor: new ResourceMonitor(1000, null), bus: run, driver: { name: 'tmpfs', settings: undefined, shared: run.shared }, skipped: [] };
    // 1.5 s at a round every 2 ms: some 750 rounds × 2 agents, far more than one sample's worth.
    const [spec] = workerSpecs(1, dir, cell, ctx, bus.spec, 1, { receiveTimeoutMs: 10_000, soakMs: 1500, soakEveryMs: 2 });
    let sent = 0;
    const stop = coordinate(pool, 1, cell, 1, { sent: (c) => (sent = c[0]!.reduce((a, n) => a + n, 0)) });
    const done = await pool.request(0, { type: 'cell', cell: spec! }, (m): m is import('../../lib/core/protocol.ts').CellDone => m.type === 'cell-done', 30_000);
    stop();
    const part = done.parts[0]!;
    assert.ok(sent > 300, `only ${sent} messages sent`);
    assert.equal(part.receivedN, sent);
    for (const op of ['message_send', 'message_receive', 'delivery'] as const) assert.equal(part.samples[op]!.length, 0, op);
    assert.equal(part.received.length, 0);
    await pool.request(0, { type: 'drain', id: 1, coordinated: [] }, (m): m is import('../../lib/core/protocol.ts').Drained => m.type === 'drained', 30_000);
    await bus.close();
  } finally {
    await pool.close();
    await run.close();
    rmSync(base, { recursive: true, force: true });
  }
});
