import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capacityRecords } from '../../lib/capacity/model.ts';
import { measuredPoints } from '../../lib/capacity/points.ts';
import type { ConfigName } from '../../lib/core/words.ts';
import type { BenchRecord, CapacityRecord } from '../../lib/records/schema.ts';
import { uslThroughput } from '../../lib/stats/usl.ts';
import { buildCapacityRows } from '../../lib/report/capacity-rows.ts';
import { renderCapacityTables } from '../../lib/report/capacity-table.ts';

const base = { schema: 1 as const, timestamp: '2026-11-23T15:00:00.000Z', driver: 'tmpfs' };
const SCALES = [1, 2, 5, 10, 20, 50, 100, 200];
const TRUTH: Record<string, { sigma: number; kappa: number; lambda: number }> = {
  baseline: { sigma: 0.05, kappa: 0.0002, lambda: 12_000 },
  full_integration: { sigma: 0.1, kappa: 0.0005, lambda: 7_000 },
};

/** A synthetic sweep: throughput from a known USL, p95 growing linearly, costs per message fixed. */
function sweep(opts: { failed?: number[]; scales?: number[] } = {}): BenchRecord[] {
  const scales = opts.scales ?? SCALES;
  const configs: ConfigName[] = ['baseline', 'full_integration'];
  const out: BenchRecord[] = [
    {
      ...base,
      type: 'run',
      busbench_version: '0',
      node_version: 'v20',
      host: { hostname: 'h', platform: 'linux', arch: 'x64', kernel: 'k', cpu_model: 'cpu', cores: 2, mem_total_mb: 1024 },
      tmpfs: { path: '/dev/shm', is_tmpfs: true, fs_type: 'tmpfs', free_bytes: 1 },
      run_dir: '/dev/shm/x',
      seed: 1,
      config: { scales, runs: 2, iterations: 100 },
      configs,
      cells_planned: 0,
      calibration: { timer_empty_p50_ns: 0, harness_cost_per_call_ns: 0, syscall_floor_round_trip_us: 0, bus_round_trip_us: 0, bus_send_us: 0, bus_vs_floor_ratio: 0, harness_pct_of_send: 0 },
    },
  ];
  for (const c of configs) {
    const slow = c === 'full_integration' ? 1.5 : 1;
    for (const n of scales) {
      for (const run of [1, 2]) {
        if (opts.failed?.includes(n)) {
          out.push({ ...base, type: 'error', test_name: c, agent_count: n, run, message: 'ENOSPC: no space left on device, write' });
          continue;
        }
        const x = uslThroughput(n, TRUTH[c]!) * (run === 1 ? 0.99 : 1.01);
        out.push({ ...base, type: 'resource', test_name: c, agent_count: n, run, samples_n: 3, tmpfs_samples_n: 3, cpu_time_ms: 150, wall_ms: 100, cpu_avg_pct: 150, cpu_max_pct: 160, rss_avg_mb: 300 + 0.05 * n, rss_max_mb: 310, tmpfs_avg_bytes: 1000, tmpfs_max_bytes: 4096 * n, tmpfs_avg_files: 1, tmpfs_max_files: n, delivered: x / 10, workload_ms: 100, throughput_msgs_per_s: x });
      }
      if (opts.failed?.includes(n)) continue;
      const stat = (operation: 'message_send' | 'message_receive' | 'delivery', p50: number, p95: number): BenchRecord => ({ ...base, type: 'statistics', test_name: c, agent_count: n, operation, n: 100, runs_n: 2, avg_ms: p50, stddev_ms: 0, min_ms: p50, max_ms: p95, p50_ms: p50, p95_ms: p95, p99_ms: p95, outliers_high: 0, outliers_low: 0 });
      out.push(stat('message_send', 0.02 * slow, 0.04), stat('message_receive', 0.03 * slow, 0.05), stat('delivery', 0.1 * n * slow, (0.2 + 0.02 * n) * slow));
    }
  }
  return out;
}

const opts = { predict: [500, 1000], budgetP95Ms: 5, budgetOverheadPct: 1, cellMessages: 0, latencyOp: 'delivery' as const };
const byConfig = (caps: ReturnType<typeof capacityRecords>, c: string) => caps.find((x) => x.test_name === c)!;

test('a full sweep: USL parameters of each config, p95 growth, predictions marked as extrapolations', () => {
  const caps = capacityRecords(sweep(), opts);
  assert.equal(caps.length, 2);
  for (const c of ['baseline', 'full_integration']) {
    const rec = byConfig(caps, c);
    const t = TRUTH[c]!;
    assert.equal(rec.status, 'ok');
    assert.ok(Math.abs(rec.sigma! / t.sigma - 1) < 0.1, `${c} σ ${rec.sigma}`);
    assert.ok(Math.abs(rec.kappa! / t.kappa - 1) < 0.1, `${c} κ ${rec.kappa}`);
    assert.ok(Math.abs(rec.lambda! / t.lambda - 1) < 0.1, `${c} λ ${rec.lambda}`);
    assert.ok(Math.abs(rec.peak_agents! - Math.sqrt((1 - t.sigma) / t.kappa)) / rec.peak_agents! < 0.1);
    assert.equal(rec.peak_extrapolated, false);
    assert.equal(rec.latency_fit.model, 'linear');
    assert.deepEqual(
      rec.predictions.map((p) => [p.agent_count, p.extrapolated]),
      [...SCALES.map((n) => [n, false]), [500, true], [1000, true]],
    );
    // RSS grows 0.05 MB per agent in the synthetic data
    assert.ok(Math.abs(rec.rss_mb_per_extra_agent! - 0.05) < 1e-3);
  }
  const full = byConfig(caps, 'full_integration');
  // p95 = 1.5 · (0.2 + 0.02 N) ms → at 500: 15.3 ms
  assert.ok(Math.abs(full.predictions.find((p) => p.agent_count === 500)!.p95_ms! - 15.3) < 1e-6);
  // ... breaks 5 ms between 100 (3.3 ms) and 200 (6.3 ms), measured
  assert.deepEqual(full.p95_budget, { broken_at_agents: 200, last_ok_agents: 100, source: 'measured', extrapolated: false, value_at_break: 6.3 });
  // message cost 1.5× the baseline's at every scale: +50 %, over a 1 % budget from the first scale
  assert.equal(full.points[0]!.overhead_pct, 50);
  assert.equal(full.overhead_budget!.broken_at_agents, 1);
  assert.equal(byConfig(caps, 'baseline').overhead_budget, null);
});

test('a failed scale is recorded with its error, left out of the fit, and the rest still fitted', () => {
  const caps = capacityRecords(sweep({ failed: [100] }), opts);
  const rec = byConfig(caps, 'baseline');
  const p = rec.points.find((x) => x.agent_count === 100)!;
  assert.equal(p.error, 'ENOSPC: no space left on device, write');
  assert.equal(p.runs_failed, 2);
  assert.equal(p.throughput_msgs_per_s, null);
  assert.equal(rec.points_n, 7);
  assert.equal(rec.status, 'ok');
  assert.ok(Math.abs(rec.kappa! / TRUTH.baseline!.kappa - 1) < 0.1);
  assert.ok(rec.warnings.some((w) => /100 agents: 2 run\(s\) failed \(ENOSPC.*left out of the model/.test(w)), rec.warnings.join('\n'));
  const rows = buildCapacityRows(caps.map((c) => ({ ...base, ...c }) as CapacityRecord));
  const table = renderCapacityTables(rows, false);
  assert.match(table, /failed: ENOSPC: no space left on device, write/);
});

test('fewer than 6 good scales: "too few points", no parameters, predictions without throughput', () => {
  for (const records of [sweep({ scales: [1, 2, 5, 10, 20] }), sweep({ failed: [50, 100, 200] })]) {
    const rec = byConfig(capacityRecords(records, opts), 'baseline');
    assert.equal(rec.status, 'too few points');
    assert.equal(rec.sigma, null);
    assert.equal(rec.kappa, null);
    assert.equal(rec.peak_agents, null);
    assert.ok(rec.predictions.every((p) => p.throughput_msgs_per_s === null));
    // the latency growth needs only 3 points, so p95 is still predicted
    assert.notEqual(rec.predictions.at(-1)!.p95_ms, null);
    assert.ok(rec.warnings.some((w) => /needs 6/.test(w)));
  }
});

test('measured points: throughput is the median over runs; CPU and RSS per agent', () => {
  const pts = measuredPoints(sweep(), 'baseline');
  const p = pts.find((x) => x.agent_count === 10)!;
  assert.equal(p.throughput_msgs_per_s, Number(uslThroughput(10, TRUTH.baseline!).toFixed(1)));
  assert.equal(p.runs_ok, 2);
  assert.equal(p.cpu_pct, 150);
  assert.equal(p.cpu_pct_per_agent, 15);
  assert.equal(p.rss_mb_per_agent, Number(((300 + 0.5) / 10).toFixed(3)));
  assert.equal(p.tmpfs_max_bytes, 40960);
});

test('--latency-op send: the send p95 is modelled and budgeted instead of the end-to-end one', () => {
  const caps = capacityRecords(sweep(), { ...opts, latencyOp: 'message_send', budgetP95Ms: 0.03 });
  const full = byConfig(caps, 'full_integration');
  assert.equal(full.latency_fit.operation, 'message_send');
  // send p95 is 0.04 ms at every scale in the synthetic data: flat, so over 0.03 ms from the start
  assert.ok(full.predictions.every((p) => Math.abs(p.p95_ms! - 0.04) < 1e-9));
  assert.deepEqual(full.p95_budget, { broken_at_agents: 1, last_ok_agents: null, source: 'measured', extrapolated: false, value_at_break: 0.04 });
  const table = renderCapacityTables(buildCapacityRows(caps.map((c) => ({ ...base, ...c }) as CapacityRecord)), false);
  assert.match(table, /send p95 measured/);
});

test('the table names the config that breaks a budget first', () => {
  const caps = capacityRecords(sweep(), opts).map((c) => ({ ...base, ...c }) as CapacityRecord);
  const rows = buildCapacityRows(caps);
  const p95 = rows.budgets.filter((b) => b.budget === 'p95');
  // full_integration (1.5× slower) breaks 5 ms at 200; the baseline, 0.2 + 0.02·N > 5, first at N = 241 (model, extrapolated)
  assert.deepEqual(
    p95.map((b) => [b.config, b.crossing.broken_at_agents, b.first]),
    [
      ['baseline', 241, false],
      ['full_integration', 200, true],
    ],
  );
  const table = renderCapacityTables(rows, false);
  assert.match(table, /p95 ≤ 5 ms.*full_integration.*between 100 and 200 \(measured, 6\.30 ms\).*◀ first/);
  assert.match(table, /p95 ≤ 5 ms.*baseline.*≈241\* \(model, 5\.02 ms\)/);
  // both break the 1 % overhead budget... only full_integration has one (the baseline is the reference)
  assert.deepEqual(
    rows.budgets.filter((b) => b.budget === 'overhead').map((b) => [b.config, b.first]),
    [['full_integration', true]],
  );
});
