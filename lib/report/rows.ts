import { mean } from 'simple-statistics';
/**
 * One rows-builder for every export: turns records into the rows of the breakdown, the ranking,
 * the resources and the integrity tables. Renderers (terminal table, markdown, …) only format.
 */
import type { BenchRecord, IntegrityRecord, OverheadRecord, ResourceRecord, RunRecord, SummaryRecord } from '../records/schema.ts';
import { LAYERS, type ConfigName } from '../core/words.ts';
import type { Operation } from '../core/words.ts';
import { MIN_CPU_SPAN_MS } from '../measure/resources.ts';
import { driversOf, ofDriver, ofType as of } from '../records/select.ts';
import { faultRows, type FaultRow } from '../faults/rows.ts';
import { lifecycleRows, type LifecycleRow } from './lifecycle.ts';

export const BREAKDOWN_OPS: readonly Operation[] = ['message_send', 'message_receive'];
export const BREAKDOWN_CONFIGS: readonly ConfigName[] = ['noop', ...LAYERS, 'full_integration'];

export interface Cell {
  pct: number;
  lo: number | null;
  hi: number | null;
  /** Half-width of the 95 % interval, % (null with one run). */
  half: number | null;
  /** false: the interval includes 0, so the layer is not measurable at this resolution. */
  significant: boolean | null;
  us: number;
}

/** One (config, scale, operation): its latency summary and, for a layer, its overhead. */
export interface MetricRow {
  config: ConfigName;
  agents: number;
  operation: Operation;
  n: number;
  runs: number;
  avg_us: number;
  p50_us: number;
  p95_us: number;
  p99_us: number;
  /** null: figures from a histogram, which keeps no samples to count outliers in. */
  outliers: number | null;
  overhead: Cell | null;
}

/** The resolution of the run at one scale and operation: the noop layer's interval. */
export interface ResolutionRow {
  agents: number;
  operation: Operation;
  /** The noop's estimate: an A/A figure (should be ~0). */
  noop_pct: number;
  /** Half-width of its 95 % interval: the smallest overhead this run can tell from 0. */
  half_pct: number | null;
  runs: number;
}

export interface ThresholdRow {
  expression: string;
  passed: boolean;
  worst: string;
  reason: string | null;
}

export interface BreakdownRow {
  agents: number;
  operation: Operation;
  baseline_p50_us: number | null;
  cells: Partial<Record<ConfigName, Cell>>;
  /** Sum of the four single layers' overhead %, when all four were measured. */
  sum_of_parts_pct: number | null;
  /** full_integration's overhead ÷ that sum (≈ 1: the layers add up), when both exist. */
  full_over_sum: number | null;
}

export interface RankRow {
  rank: number;
  layer: ConfigName;
  /** µs a message costs more (send + receive medians) than on the bare bus. */
  added_us: number;
  /** That, as % of the bare bus's send + receive; null without both baseline medians. */
  added_pct: number | null;
  send: Cell | null;
  receive: Cell | null;
}

export interface ResourceRow {
  agents: number;
  cells: number;
  cpu_avg_pct: number | null;
  cpu_max_pct: number | null;
  /** Null when the scale has no resource record (e.g. every cell failed). */
  rss_avg_mb: number | null;
  rss_max_mb: number | null;
  tmpfs_avg_kb: number | null;
  tmpfs_max_kb: number | null;
  files_max: number | null;
  sent: number;
  received: number;
  drained: number;
  lost: number;
  duplicated: number;
}

export interface Rows {
  scales: number[];
  configs: ConfigName[];
  breakdown: BreakdownRow[];
  ranking: RankRow[];
  rankingScale: number | null;
  resources: ResourceRow[];
  /** Cells that failed. */
  errors: number;
  /** Lines under the tables: layers the driver skipped, library calls that failed (shell driver). */
  notes: string[];
  metrics: MetricRow[];
  resolution: ResolutionRow[];
  thresholds: ThresholdRow[];
  run: RunRecord | null;
  summary: SummaryRecord | null;
  /** --fault: what the health and shutdown layers did under each fault (lib/faults/rows.ts). */
  faults: FaultRow[];
  /** Spawn-to-ready and RSS per kind of process, per scale (lib/report/lifecycle.ts). */
  lifecycle: LifecycleRow[];
}


function cellOf(o: OverheadRecord | undefined): Cell | null {
  if (!o) return null;
  const half = o.ci_low_pct === null || o.ci_high_pct === null ? null : (o.ci_high_pct - o.ci_low_pct) / 2;
  return { pct: o.overhead_pct, lo: o.ci_low_pct, hi: o.ci_high_pct, half, significant: o.significant, us: o.overhead_us };
}

export function buildRows(records: readonly BenchRecord[]): Rows {
  const stats = of(records, 'statistics');
  const overheads = of(records, 'overhead');
  const scales = [...new Set(stats.map((s) => s.agent_count))].sort((a, b) => a - b);
  const configs = BREAKDOWN_CONFIGS.filter((c) => overheads.some((o) => o.test_name === c));
  const ov = (c: ConfigName, n: number, op: Operation) => overheads.find((o) => o.test_name === c && o.agent_count === n && o.operation === op);
  const base = (n: number, op: Operation) => stats.find((s) => s.test_name === 'baseline' && s.agent_count === n && s.operation === op);

  const breakdown: BreakdownRow[] = [];
  for (const n of scales) {
    for (const op of BREAKDOWN_OPS) {
      const cells: BreakdownRow['cells'] = {};
      for (const c of configs) {
        const cell = cellOf(ov(c, n, op));
        if (cell) cells[c] = cell;
      }
      const parts = LAYERS.map((l) => cells[l]?.pct);
      const b = base(n, op);
      const sum = parts.every((p) => p !== undefined) ? parts.reduce((a, p) => a! + p!, 0)! : null;
      const full = cells.full_integration?.pct;
      breakdown.push({
        agents: n,
        operation: op,
        baseline_p50_us: b ? b.p50_ms * 1000 : null,
        cells,
        sum_of_parts_pct: sum,
        full_over_sum: full !== undefined && sum !== null && sum > 0 ? full / sum : null,
      });
    }
  }

  const rankingScale = scales.length > 0 ? scales[scales.length - 1]! : null;
  const ranking: RankRow[] = [];
  if (rankingScale !== null) {
    const bs = base(rankingScale, 'message_send');
    const br = base(rankingScale, 'message_receive');
    // The bare bus's send + receive, only when both were measured (no share of a made-up total).
    const baseUs = bs && br ? (bs.p50_ms + br.p50_ms) * 1000 : null;
    const candidates = configs.filter((c) => c !== 'full_integration');
    // A layer is ranked only on what was measured at that scale: both operations, or it is left out.
    const rows = candidates.flatMap((layer) => {
      const send = cellOf(ov(layer, rankingScale, 'message_send'));
      const receive = cellOf(ov(layer, rankingScale, 'message_receive'));
      if (send === null || receive === null) return [];
      const added = send.us + receive.us;
      return [{ layer, added_us: added, added_pct: baseUs !== null && baseUs > 0 ? (100 * added) / baseUs : null, send, receive }];
    });
    rows.sort((a, b) => b.added_us - a.added_us);
    rows.forEach((r, i) => ranking.push({ rank: i + 1, ...r }));
  }

  const resources: ResourceRow[] = [];
  const res = of(records, 'resource');
  const integ = of(records, 'integrity');
  for (const n of [...new Set([...res.map((r) => r.agent_count), ...integ.map((r) => r.agent_count)])].sort((a, b) => a - b)) {
    const rs = res.filter((r) => r.agent_count === n && r.run > 0);
    const is = integ.filter((r) => r.agent_count === n);
    // No resource record at this scale (its cells failed): no figure, rather than a 0.
    const avg = (f: (r: ResourceRecord) => number) => (rs.length > 0 ? mean(rs.map(f)) : null);
    const max = (f: (r: ResourceRecord) => number) => (rs.length > 0 ? Math.max(...rs.map(f)) : null);
    const kb = (x: number | null) => (x === null ? null : x / 1024);
    // A bus with nothing on tmpfs (a broker) records no tmpfs figures: '–', not 0.
    const present = (f: (r: ResourceRecord) => number | null) => rs.map(f).filter((x): x is number => x !== null);
    const avgOf = (f: (r: ResourceRecord) => number | null) => (present(f).length > 0 ? mean(present(f)) : null);
    const maxOf = (f: (r: ResourceRecord) => number | null) => (present(f).length > 0 ? Math.max(...present(f)) : null);
    const total = (f: (r: IntegrityRecord) => number) => is.reduce((a, r) => a + f(r), 0);
    // Average CPU over the scale's cells, weighted by their duration: Σ CPU time / Σ wall time.
    const wall = rs.reduce((a, r) => a + r.wall_ms, 0);
    const cpu = rs.reduce((a, r) => a + r.cpu_time_ms, 0);
    resources.push({
      agents: n,
      cells: rs.length,
      cpu_avg_pct: wall >= MIN_CPU_SPAN_MS ? (100 * cpu) / wall : null,
      cpu_max_pct: rs.some((r) => r.cpu_max_pct !== null) ? Math.max(...rs.map((r) => r.cpu_max_pct ?? 0)) : null,
      rss_avg_mb: avg((r) => r.rss_avg_mb),
      rss_max_mb: max((r) => r.rss_max_mb),
      tmpfs_avg_kb: kb(avgOf((r) => r.tmpfs_avg_bytes)),
      tmpfs_max_kb: kb(maxOf((r) => r.tmpfs_max_bytes)),
      files_max: maxOf((r) => r.tmpfs_max_files),
      sent: total((r) => r.sent),
      received: total((r) => r.received),
      drained: total((r) => r.drained),
      lost: total((r) => r.lost),
      duplicated: total((r) => r.duplicated),
    });
  }
  const errs = of(records, 'error');
  const notes: string[] = [];
  for (const r of of(records, 'run')) for (const s of r.skipped ?? []) notes.push(`${s.layer}: skipped for the ${r.driver} driver (${s.reason})`);
  const calls = new Map<string, number>();
  for (const e of errs) if (e.kind === 'call') calls.set(`${e.operation} (status ${e.exit_status})`, (calls.get(`${e.operation} (status ${e.exit_status})`) ?? 0) + (e.calls ?? 0));
  for (const [what, n] of calls) notes.push(`${n} failed ${what} call(s): see the error records for their stderr`);
  const metrics: MetricRow[] = stats.map((st) => ({
    config: st.test_name,
    agents: st.agent_count,
    operation: st.operation,
    n: st.n,
    runs: st.runs_n,
    avg_us: st.avg_ms * 1000,
    p50_us: st.p50_ms * 1000,
    p95_us: st.p95_ms * 1000,
    p99_us: st.p99_ms * 1000,
    outliers: st.outliers_high === undefined || st.outliers_low === undefined ? null : st.outliers_high + st.outliers_low,
    overhead: cellOf(ov(st.test_name, st.agent_count, st.operation)),
  }));
  const resolution: ResolutionRow[] = overheads
    .filter((o) => o.test_name === 'noop')
    .map((o) => ({ agents: o.agent_count, operation: o.operation, noop_pct: o.overhead_pct, half_pct: cellOf(o)!.half, runs: o.runs_n }));
  const thresholds: ThresholdRow[] = of(records, 'threshold').map((t) => ({
    expression: t.expression,
    passed: t.passed,
    worst: t.worst === null ? '–' : t.unit === 'count' ? String(t.worst) : t.unit === 'us' ? `${t.worst.toFixed(1)} µs` : t.unit.endsWith('/min') ? `${t.worst.toFixed(1)} ${t.unit}` : `${t.worst >= 0 ? '+' : ''}${t.worst.toFixed(2)}%`,
    reason: t.reason ?? null,
  }));
  const run = of(records, 'run')[0] ?? null;
  const summary = of(records, 'summary').at(-1) ?? null;
  // Failed cells: the summary counts them; without one, distinct (scale, run, message) of the error
  // records, since an interleaved cell that fails leaves one record per config.
  const failedCells = summary?.cells_failed ?? new Set(errs.filter((e) => e.kind !== 'call').map((e) => `${e.agent_count}|${e.run}|${e.message}`)).size;
  return { scales, configs, breakdown, ranking, rankingScale, resources, errors: failedCells, notes, metrics, resolution, thresholds, run, summary, faults: faultRows(records), lifecycle: lifecycleRows(records) };
}

/** One driver's rows; `driver` is null when the records hold one driver only (exports then name none). */
export interface DriverRows {
  driver: string | null;
  rows: Rows;
}

/** The rows of each driver in the records (one set, unnamed, for a file of one driver). */
export function rowsPerDriver(records: readonly BenchRecord[]): DriverRows[] {
  const drivers = driversOf(records);
  if (drivers.length <= 1) return [{ driver: null, rows: buildRows(records) }];
  return drivers.map((driver) => ({ driver, rows: buildRows(ofDriver(records, driver)) }));
}
