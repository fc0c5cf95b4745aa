/**
 * Record schema v1. One JSON object per line; `type` tells the kind; units live in field names.
 * Every record carries `schema`, `type`, `timestamp` (ISO 8601, UTC) and `driver`.
 */
import type { Calibration, Operation } from '../core/words.ts';
import type { FsCheck } from '../measure/tmpfs.ts';
import type { ResourceSummary } from '../measure/resources.ts';
import type { OverheadEstimate } from '../stats/overhead.ts';
import type { ConfigName } from '../core/words.ts';
import type { CellLifecycle } from '../measure/lifecycle.ts';
import type { FaultKind } from '../core/protocol.ts';

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
  /** How the worker processes ran busbench's TypeScript (agents/pool.ts workerEntry); absent before 0.4. */
  worker_code?: 'compiled' | 'tsx';
  host: { hostname: string; platform: string; arch: string; kernel: string; cpu_model: string; cores: number; mem_total_mb: number };
  tmpfs: FsCheck;
  run_dir: string;
  seed: number;
  config: Record<string, unknown>;
  configs: ConfigName[];
  /** The configs took turns inside one cell per scale and run (absent in files from before this mode). */
  interleaved?: boolean;
  cells_planned: number;
  calibration: Calibration;
  /** Layers the driver cannot run (shell driver: its config lacks the operation), not measured. */
  skipped?: { layer: string; reason: string }[];
}

interface CellKey {
  test_name: ConfigName;
  agent_count: number;
  /** Statistical run, from 1; 0 is the warm-up pass. */
  run: number;
  /** busbench ab: the variant (A or B) the figures belong to; absent in every other run. */
  variant?: string;
}

export interface SampleRecord extends Base, CellKey {
  type: 'sample';
  operation: Operation;
  values_us: number[];
}

export interface StatisticsRecord extends Base {
  type: 'statistics';
  test_name: ConfigName;
  /** busbench ab: the variant (A or B); absent in every other run. */
  variant?: string;
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
  /** Modified z-score outliers (never dropped); absent when the figures come from a histogram (`from`). */
  outliers_high?: number;
  outliers_low?: number;
  /**
   * `histogram`: the figures come from histograms merged over every worker and run (lib/measure/
   * histogram.ts: percentiles to 3 significant digits; n, min and max exact); absent: from every sample.
   */
  from?: 'histogram';
  /** The median of each statistical run, in run order (what `busbench compare` tests). */
  per_run_p50_ms?: number[];
  /** 99.9th percentile (absent in files from before busbench computed it). */
  p999_ms?: number;
}

/** The estimate fields (overhead_pct, ci_*_pct, significant, runs_n, per_run_pct) are OverheadEstimate's. */
export interface OverheadRecord extends Base, Omit<OverheadEstimate, 'p_value'> {
  type: 'overhead';
  test_name: ConfigName;
  /** busbench ab: the variant (A or B) whose layer and bare bus these are; absent in every other run. */
  variant?: string;
  agent_count: number;
  operation: Operation;
  /** The statistic compared: the median (per run, of the matched calls' log ratios; see `method`). */
  statistic: 'p50';
  baseline_p50_ms: number;
  layer_p50_ms: number;
  overhead_us: number;
  /**
   * How the per-run figures were made (lib/stats/overhead.ts): the median of matched calls' log
   * ratios; `paired_t_log_ratio` (files from busbench before 0.2) used the ratio of the two medians.
   */
  method: 'paired_t_matched_log_ratio' | 'paired_t_log_ratio';
}

/** Per cell; the fields and their meaning are ResourceSummary's (measure/resources.ts). */
export interface ResourceRecord extends Base, Omit<CellKey, 'test_name'>, ResourceSummary {
  type: 'resource';
  /** The cell's config, or `interleaved` for a cell where every config in `configs` took turns. */
  test_name: ConfigName | 'interleaved';
  configs?: ConfigName[];
  /**
   * Messages received during the workload, its wall time (first send on any worker to the last
   * receipt on any worker) and their ratio, the whole system's throughput. Absent in files
   * written before busbench measured them.
   */
  delivered?: number;
  workload_ms?: number;
  throughput_msgs_per_s?: number | null;
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
  /** Shell driver: sends whose library call failed (excluded from lost when they never arrived). */
  failed_sends?: number;
  ok: boolean;
}

export interface ErrorRecord extends Base, CellKey {
  type: 'error';
  message: string;
  /** cell: the cell failed (default when absent); call: library calls failed, the cell went on; timeout: a call exceeded --op-timeout. */
  kind?: 'cell' | 'call' | 'timeout' | 'fault';
  /** Shell driver, kind call: the failing operation, its exit status, how many calls, first stderr lines. */
  operation?: string;
  exit_status?: number;
  calls?: number;
  stderr?: string;
}

/**
 * The open loop, per config and cell: the load offered and how well the senders kept to their
 * schedule (lib/workloads/). Latency from the intended send time is the `delivery_intended`
 * operation of the statistics records.
 */
export interface LoadRecord extends Base, CellKey {
  type: 'load';
  warmup: boolean;
  loop: 'open';
  pattern: string;
  arrivals: 'constant' | 'poisson';
  /** How receivers waited for mail, e.g. poll:1ms. */
  wait: string;
  rate_per_agent_msgs_per_s: number;
  /** rate_per_agent × senders: the whole system's offered load. */
  offered_msgs_per_s: number;
  /** Agents that send (the pattern may have agents that only receive). */
  senders: number;
  duration_ms: number;
  /** Sends scheduled over every sender (attempted, however late, unless the step gave up: `unsent`). */
  scheduled: number;
  /** Sends that began more than late_threshold_ms after their intended time, and the unsent ones. */
  late: number;
  /** --find-max-rate steps only: scheduled sends never attempted, once the step had broken its p99 budget for sure; 0 otherwise. */
  unsent: number;
  late_threshold_ms: number;
  late_pct: number;
  /** How long after its intended time a send began. */
  lag_p50_ms: number | null;
  lag_p99_ms: number | null;
  lag_max_ms: number | null;
}

/** One step of the highest-rate search: the open loop at one offered rate. */
export interface MaxRatePoint {
  rate_per_agent_msgs_per_s: number;
  offered_msgs_per_s: number;
  held: boolean;
  /** Why it did not hold: the p99 over the budget, messages lost, sends refused by rate limiting (an inbox at its capacity), or the cell failed. */
  reason: 'p99' | 'lost' | 'rejected' | 'failed' | null;
  delivery_intended_p99_ms: number | null;
  delivery_p99_ms: number | null;
  late_pct: number | null;
  /** Scheduled sends never attempted: the step stopped once its p99 was over the budget for sure (records.md). */
  unsent: number | null;
  /** Sends refused by the rate limiting layer (its recipient's inbox at --inbox-capacity). */
  rejected: number | null;
  lost: number | null;
}

/** `busbench capacity --find-max-rate`: per config and scale, the highest offered rate within the p99 budget. */
export interface MaxRateRecord extends Base {
  type: 'max_rate';
  test_name: ConfigName;
  agent_count: number;
  pattern: string;
  arrivals: 'constant' | 'poisson';
  wait: string;
  duration_ms: number;
  budget_p99_ms: number;
  /** found: bracketed between a rate that held and one that broke; step limit: every rate tried held; none held. */
  status: 'found' | 'step limit' | 'none held';
  /** The highest rate that held (null: none did). */
  max_rate_per_agent_msgs_per_s: number | null;
  max_offered_msgs_per_s: number | null;
  /** The lowest rate that broke the budget (null: none did). */
  broke_at_per_agent_msgs_per_s: number | null;
  /** Every step, in the order measured. */
  points: MaxRatePoint[];
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
  /** Unit of `limit` and of every value: '%' (overhead, resolution), 'us' (latency or overhead), 'count', or a growth per minute (soak). */
  unit: '%' | 'us' | 'count' | 'bytes/min' | 'files/min';
  /** The value furthest on the failing side among the checks (null when nothing could be measured). */
  worst: number | null;
  checks: ThresholdCheck[];
  reason?: string;
}

export interface SummaryRecord extends Base {
  type: 'summary';
  /** disturbed: finished with --fault injected (exit 3). */
  status: 'ok' | 'failed' | 'aborted' | 'disturbed';
  exit_code: number;
  duration_s: number;
  cells_ok: number;
  cells_failed: number;
  lost_total: number;
  duplicated_total: number;
  reason?: string;
}

/** What one config measured at one swept scale (medians over the statistical runs that succeeded). */
export interface CapacityPoint {
  agent_count: number;
  /** Statistical runs that succeeded / failed at this scale. A point with none succeeded is not fitted. */
  runs_ok: number;
  runs_failed: number;
  error: string | null;
  throughput_msgs_per_s: number | null;
  send_p50_ms: number | null;
  send_p95_ms: number | null;
  receive_p50_ms: number | null;
  receive_p95_ms: number | null;
  delivery_p50_ms: number | null;
  delivery_p95_ms: number | null;
  delivery_p99_ms: number | null;
  /** Send + receive medians: what one message costs the agents. */
  message_cost_p50_ms: number | null;
  /** vs the baseline's message cost at the same scale (null for the baseline). */
  overhead_pct: number | null;
  cpu_pct: number | null;
  cpu_pct_per_agent: number | null;
  cpu_us_per_message: number | null;
  rss_mb: number | null;
  rss_mb_per_agent: number | null;
  tmpfs_max_bytes: number | null;
  tmpfs_max_files: number | null;
}

/** The model's figures at one agent count; `extrapolated` beyond the measured range. */
export interface CapacityPrediction {
  agent_count: number;
  extrapolated: boolean;
  throughput_msgs_per_s: number | null;
  /** p95 of the record's latency operation (latency_fit.operation). */
  p95_ms: number | null;
  overhead_pct: number | null;
}

/** Where a budget breaks: measured between two swept scales, or predicted by the model. */
export interface BudgetCrossing {
  /** The smallest agent count at which the budget is broken; null: not broken up to the limit looked at. */
  broken_at_agents: number | null;
  /** The largest measured scale still within budget (null when even the smallest breaks it). */
  last_ok_agents: number | null;
  source: 'measured' | 'model' | 'none';
  extrapolated: boolean;
  /** The measured (or modelled) value there, in the budget's unit (ms or %). */
  value_at_break: number | null;
}

/** The operations whose latency the capacity model can follow: end-to-end (delivery), send, receive. */
export type LatencyOperation = 'delivery' | 'message_send' | 'message_receive';

export interface LatencyFit {
  operation: LatencyOperation;
  statistic: 'p95';
  status: 'ok' | 'too few points';
  model: 'linear' | 'power' | null;
  /** linear: p95 = a + b·N (a in ms); power: p95 = a·N^b. */
  a: number | null;
  b: number | null;
  r2: number | null;
}

export interface CapacityRecord extends Base {
  type: 'capacity';
  test_name: ConfigName;
  /** USL fit: "ok", "poor fit" (R² < 0.9; figures kept, read with care) or "too few points" (< 6 good scales). */
  status: 'ok' | 'poor fit' | 'too few points';
  method: 'usl_least_squares';
  points_n: number;
  sigma: number | null;
  kappa: number | null;
  /** Throughput of one agent alone, messages/s. */
  lambda: number | null;
  r2: number | null;
  /** N* = √((1 − σ)/κ); null when κ = 0 (no peak) or not fitted. */
  peak_agents: number | null;
  peak_throughput_msgs_per_s: number | null;
  peak_extrapolated: boolean | null;
  latency_fit: LatencyFit;
  /**
   * Memory each added agent costs: the least-squares slope of RSS (harness, workers and a bus server busbench started) over agent
   * count. RSS ÷ agents (in the points) mostly spreads the fixed cost of the processes.
   */
  rss_mb_per_extra_agent: number | null;
  points: CapacityPoint[];
  predictions: CapacityPrediction[];
  budget_p95_ms: number | null;
  p95_budget: BudgetCrossing | null;
  budget_overhead_pct: number | null;
  overhead_budget: BudgetCrossing | null;
  warnings: string[];
}

/** busbench ab: the verdict on B against A (see lib/ab/verdict.ts and docs/ab.md). */
export type AbVerdict = 'slower' | 'faster' | 'no significant change' | 'inconclusive';

/**
 * busbench ab: variant B against variant A at one (config, scale, operation), both measured in
 * the same cells, matched per message and paired by run (the overhead's estimate, lib/stats/overhead.ts).
 */
export interface AbRecord extends Base {
  type: 'ab';
  test_name: ConfigName;
  agent_count: number;
  operation: Operation;
  statistic: 'p50';
  a_p50_ms: number;
  b_p50_ms: number;
  /** B against A: (exp(mean over runs of the median matched log ratio) − 1) × 100, and its 95 % interval (null with one run). */
  change_pct: number;
  ci_low_pct: number | null;
  ci_high_pct: number | null;
  /** The change in µs at A's median. */
  change_us: number;
  runs_n: number;
  per_run_pct: number[];
  /** The paired t test's two-sided p-value for this cell (null with one run). */
  p_value: number | null;
  /** p_value adjusted by Holm's method over the run's `family_size` cells: "slower"/"faster" need it below 0.05. */
  p_adjusted: number | null;
  family_size: number;
  /** The --fail-on-regression bound (%), or null when none was given. */
  fail_on_regression_pct: number | null;
  verdict: AbVerdict;
  method: 'paired_t_matched_log_ratio';
}

/** Per cell: spawn-to-ready of its agents and workers, RSS per kind of process (measure/lifecycle.ts). */
export interface LifecycleRecord extends Base, Omit<CellKey, 'test_name'>, CellLifecycle {
  type: 'lifecycle';
  test_name: ConfigName | 'interleaved';
  configs?: ConfigName[];
}

/** What the runner writes as a `fault` record (the cell's key is added there). */
export interface FaultReport {
  fault: string;
  kind: FaultKind;
  /** `agent 3`, `worker 1` or `server`. */
  target: string;
  at_pct: number;
  /** The round of the victim's worker at which it struck. */
  at_round: number;
  /** Since the cell's agents were told to start. */
  at_ms: number;
  pids: number[];
  signal: 'SIGKILL' | 'SIGSTOP' | 'SIGTERM' | null;
  /** How the fault was done: the process signalled, the worker stopped driving the agent, or the orchestrator killed a worker or restarted the server. */
  method: 'signal' | 'worker stops the agent' | 'orchestrator SIGKILLed the worker' | 'orchestrator restarted the server';
  /** stall-agent: the stall; restart-server: how long the server was kept down between stop and start. */
  duration_ms?: number;
  /** restart-server: from the SIGTERM to the restarted server's readiness (ms; the longest, with several servers). */
  server_outage_ms?: number;
  /**
   * Per config with a health query that names stale agents: ms from the strike to the first
   * coordinator's query that reported this agent stale or dead; null when none did while it was
   * watched (a kill: until PROBE_MS after the workload; a stall: only while it lasted).
   */
  health_detect_ms?: Record<string, number | null>;
  /** Per config with the coordinated shutdown: its drain-and-stop with this fault in the cell (ms, slowest worker). */
  shutdown_drain_ms?: Record<string, number>;
}

/** One --fault injected into one cell (lib/faults/cell.ts FaultReport; docs/faults.md). */
export interface FaultRecord extends Base, FaultReport, Omit<CellKey, 'test_name'> {
  type: 'fault';
  test_name: ConfigName | 'interleaved';
}

/**
 * A soak (busbench soak): one resource's growth over the soak, per config where it is the config's
 * (its bus directory, a file in it) and for the whole soak where it is not (RSS). docs/soak.md.
 */
export interface SoakRecord extends Base {
  type: 'soak';
  /** The config whose bus the resource belongs to; null for processes (shared by the configs of a cell). */
  test_name: ConfigName | null;
  /** The configs that sent traffic during the soak this record comes from. */
  configs: ConfigName[];
  agent_count: number;
  /** rss (every process), rss_harness, rss_workers, rss_agent_shells, rss_server, tmpfs (bytes), tmpfs_files, file. */
  resource: string;
  /** For `file`: its path below the config's bus directory. */
  path: string | null;
  unit: 'bytes' | 'files';
  samples_n: number;
  /** The fit starts here (seconds into the soak): the first fifth of the soak is settling, not fitted. */
  fit_from_s: number;
  duration_s: number;
  first: number;
  last: number;
  max: number;
  /** Least-squares slope over the fitted samples, per minute in `unit`, and its 95 % interval; null with too few samples. */
  growth_per_min: number | null;
  ci_low_per_min: number | null;
  ci_high_per_min: number | null;
  verdict: 'grows' | 'shrinks' | 'stable' | 'too few samples';
  /** The verdict in words, e.g. "metrics: file metrics.jsonl grows 1.2 MB/min without bound (1.1 to 1.3)". */
  text: string;
  /** [seconds, value] of every sample (for the report's curves): at most duration ÷ --soak-interval of them. */
  points: [number, number][];
}

export type BenchRecord = RunRecord | SampleRecord | StatisticsRecord | OverheadRecord | ResourceRecord | IntegrityRecord | LoadRecord | MaxRateRecord | ErrorRecord | ThresholdRecord | SummaryRecord | CapacityRecord | AbRecord | FaultRecord | LifecycleRecord | SoakRecord;
export type RecordType = BenchRecord['type'];

/** Distributes Omit over a union, so each kind keeps its own fields. */
export type Body<R> = R extends unknown ? Omit<R, 'schema' | 'timestamp' | 'driver'> : never;
