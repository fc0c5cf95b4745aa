/**
 * Record schema v1. One JSON object per line; `type` tells the kind; units live in field names.
 * Every record carries `schema`, `type`, `timestamp` (ISO 8601, UTC) and `driver`.
 */
import type { Calibration, Operation } from '../agents/protocol.ts';
import type { FsCheck } from '../measure/tmpfs.ts';
import type { ConfigName } from '../layers/names.ts';

export const SCHEMA_VERSION = 1;

interface Base {
  schema: typeof SCHEMA_VERSION;
  timestamp: string;
  driver: string;
}

export interface RunRecord extends Base {
  type: 'run';
  busbench_version: string;
  /** Commit of the busbench checkout that ran, when it is a git checkout (part of the fingerprint). */
  git_sha?: string | null;
  node_version: string;
  host: { hostname: string; platform: string; arch: string; kernel: string; cpu_model: string; cores: number; mem_total_mb: number };
  tmpfs: FsCheck;
  run_dir: string;
  seed: number;
  config: Record<string, unknown>;
  configs: ConfigName[];
  cells_planned: number;
  calibration: Calibration;
}

interface CellKey {
  test_name: ConfigName;
  agent_count: number;
  /** Statistical run, from 1; 0 is the warm-up pass. */
  run: number;
}

export interface SampleRecord extends Base, CellKey {
  type: 'sample';
  operation: Operation;
  values_us: number[];
}

export interface StatisticsRecord extends Base {
  type: 'statistics';
  test_name: ConfigName;
  agent_count: number;
  operation: Operation;
  /** Samples pooled over every statistical run (warm-up excluded). */
  n: number;
  runs_n: number;
  avg_ms: number;
  stddev_ms: number;
  min_ms: number;
  max_ms: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  outliers_high: number;
  outliers_low: number;
  /** The median of each statistical run, in run order (what `busbench compare` tests). */
  per_run_p50_ms?: number[];
}

export interface OverheadRecord extends Base {
  type: 'overhead';
  test_name: ConfigName;
  agent_count: number;
  operation: Operation;
  /** The per-run figure compared: the median of the run's samples. */
  statistic: 'p50';
  baseline_p50_ms: number;
  layer_p50_ms: number;
  overhead_us: number;
  overhead_pct: number;
  ci_low_pct: number | null;
  ci_high_pct: number | null;
  significant: boolean | null;
  runs_n: number;
  per_run_pct: number[];
  method: 'paired_t_log_ratio';
}

export interface ResourceRecord extends Base, CellKey {
  type: 'resource';
  samples_n: number;
  /** CPU time (harness + workers) and wall time of the cell's workload. */
  cpu_time_ms: number;
  wall_ms: number;
  /** null when the cell was shorter than 50 ms (CPU time is counted in 10 ms ticks). */
  cpu_avg_pct: number | null;
  cpu_max_pct: number | null;
  rss_avg_mb: number;
  rss_max_mb: number;
  tmpfs_avg_bytes: number;
  tmpfs_max_bytes: number;
  tmpfs_avg_files: number;
  tmpfs_max_files: number;
}

export interface IntegrityRecord extends Base, CellKey {
  type: 'integrity';
  warmup: boolean;
  sent: number;
  received: number;
  drained: number;
  lost: number;
  duplicated: number;
  /** Sends the rate limiter refused (never written, so not sent). */
  rejected: number;
  /** Received messages that no agent sent. */
  unknown: number;
  /** Files still in inboxes after the drain. */
  leftover: number;
  ok: boolean;
}

export interface ErrorRecord extends Base, CellKey {
  type: 'error';
  message: string;
}

/** One check of a threshold at one place (scale × operation), in the threshold's unit. */
export interface ThresholdCheck {
  agent_count: number | null;
  operation: Operation | null;
  value: number | null;
  passed: boolean;
  note?: string;
}

/** The result of one `--threshold` expression (see lib/verdict/syntax.ts for the grammar). */
export interface ThresholdRecord extends Base {
  type: 'threshold';
  expression: string;
  passed: boolean;
  comparator: '<' | '<=' | '>' | '>=' | '==' | '!=';
  limit: number;
  /** Unit of `limit` and of every value: '%' (overhead, resolution), 'us' (latency or overhead), 'count'. */
  unit: '%' | 'us' | 'count';
  /** The value furthest on the failing side among the checks (null when nothing could be measured). */
  worst: number | null;
  checks: ThresholdCheck[];
  reason?: string;
}

export interface SummaryRecord extends Base {
  type: 'summary';
  status: 'ok' | 'failed' | 'aborted';
  exit_code: number;
  duration_s: number;
  cells_ok: number;
  cells_failed: number;
  lost_total: number;
  duplicated_total: number;
  reason?: string;
}

export type BenchRecord = RunRecord | SampleRecord | StatisticsRecord | OverheadRecord | ResourceRecord | IntegrityRecord | ErrorRecord | ThresholdRecord | SummaryRecord;
export type RecordType = BenchRecord['type'];

/** Distributes Omit over a union, so each kind keeps its own fields. */
export type Body<R> = R extends unknown ? Omit<R, 'schema' | 'timestamp' | 'driver'> : never;
