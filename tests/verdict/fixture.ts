/** Synthetic results files for the verdict and report tests: known figures, every record kind used. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRecord } from '../../lib/records/schema.ts';
import { diskDir } from '../helpers/tmpfs.ts';

const base = { schema: 1 as const, timestamp: '2026-01-01T00:00:00.000Z', driver: 'tmpfs' };

export interface FixtureOptions {
  /** Per-run overhead % of `metrics` (each scale and operation); its mean sets the estimate. */
  metricsPerRun?: number[];
  /** Per-run baseline medians (ms). */
  basePerRun?: number[];
  scales?: number[];
  cpu?: string;
  /** Add a threshold record (as a run with --threshold writes). */
  threshold?: boolean;
}

const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

export function fixtureRecords(o: FixtureOptions = {}): BenchRecord[] {
  const metricsPerRun = o.metricsPerRun ?? [0.4, 0.6, 0.5, 0.45, 0.55];
  const basePerRun = o.basePerRun ?? [0.02, 0.0202, 0.0199, 0.0201, 0.02];
  const noopPerRun = [0.1, -0.1, 0.05, -0.05, 0];
  const scales = o.scales ?? [1, 10];
  const out: BenchRecord[] = [
    {
      ...base,
      type: 'run',
      busbench_version: '0.1.0',
      git_sha: 'a'.repeat(40),
      node_version: 'v20.0.0',
      host: { hostname: 'h', platform: 'linux', arch: 'x64', kernel: '6.1', cpu_model: o.cpu ?? 'Test CPU', cores: 2, mem_total_mb: 1000 },
      tmpfs: { path: '/dev/shm', is_tmpfs: true, fs_type: 'tmpfs', free_bytes: 1e9 },
      run_dir: '/dev/shm/x',
      seed: 1,
      config: { runs: 5, iterations: 100, warmup: 20, workers: 2, payloadBytes: 256, noopDelayUs: 0 },
      configs: ['baseline', 'noop', 'metrics'],
      cells_planned: 30,
      calibration: { timer_empty_p50_ns: 50, harness_cost_per_call_ns: 80, syscall_floor_round_trip_us: 30, bus_round_trip_us: 45, bus_send_us: 20, bus_vs_floor_ratio: 1.5, harness_pct_of_send: 0.4 },
    },
  ];
  const ops = ['message_send', 'message_receive'] as const;
  const geo = (pcts: number[]) => (Math.exp(mean(pcts.map((p) => Math.log(1 + p / 100)))) - 1) * 100;
  for (const n of scales) {
    for (const config of ['baseline', 'noop', 'metrics'] as const) {
      for (const op of ops) {
        const pcts = config === 'metrics' ? metricsPerRun : config === 'noop' ? noopPerRun : basePerRun.map(() => 0);
        const perRun = basePerRun.map((b, i) => Number((b * (1 + pcts[i]! / 100)).toFixed(6)));
        const p50 = mean(perRun);
        out.push({ ...base, type: 'statistics', test_name: config, agent_count: n, operation: op, n: 500, runs_n: 5, avg_ms: p50 * 1.2, stddev_ms: 0.01, min_ms: p50 / 2, max_ms: p50 * 10, p50_ms: p50, p95_ms: p50 * 3, p99_ms: p50 * 5, outliers_high: 3, outliers_low: 0, per_run_p50_ms: perRun });
        if (config !== 'baseline') {
          const est = geo(pcts);
          const half = config === 'noop' ? 0.25 : 0.1;
          out.push({ ...base, type: 'overhead', test_name: config, agent_count: n, operation: op, statistic: 'p50', baseline_p50_ms: mean(basePerRun), layer_p50_ms: p50, overhead_us: Number(((p50 - mean(basePerRun)) * 1000).toFixed(3)), overhead_pct: Number(est.toFixed(3)), ci_low_pct: Number((est - half).toFixed(3)), ci_high_pct: Number((est + half).toFixed(3)), significant: est - half > 0 || est + half < 0, runs_n: 5, per_run_pct: pcts, method: 'paired_t_matched_log_ratio' });
        }
      }
      out.push({ ...base, type: 'integrity', test_name: config, agent_count: n, run: 1, warmup: false, sent: 100 * n, received: 100 * n, drained: 0, lost: 0, duplicated: 0, rejected: 0, unknown: 0, leftover: 0, ok: true });
    }
  }
  if (o.threshold) out.push({ ...base, type: 'threshold', expression: 'integrity.lost == 0', passed: true, comparator: '==', limit: 0, unit: 'count', worst: 0, checks: [{ agent_count: null, operation: null, value: 0, passed: true }] });
  out.push({ ...base, type: 'summary', status: 'ok', exit_code: 0, duration_s: 1, cells_ok: 30, cells_failed: 0, lost_total: 0, duplicated_total: 0 });
  return out;
}

/** Writes records as JSONL into a fresh temporary directory; returns the file path. */
export function writeFixture(records: readonly BenchRecord[], name = 'results.jsonl'): string {
  const dir = diskDir('busbench-test-');
  const file = join(dir, name);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

export function tempDir(): string {
  return diskDir('busbench-test-');
}

const BIN = join(import.meta.dirname, '../../scripts/busbench.js');

/** Runs the real `busbench` command as a user would. */
export function busbench(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const p = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}
