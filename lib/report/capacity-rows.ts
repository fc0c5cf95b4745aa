/**
 * Rows of the capacity tables, built from `capacity` records only (renderers just format them):
 * the model per config, measured vs predicted figures per agent count, and the budgets — with the
 * config that breaks each budget first.
 */
import type { ConfigName } from '../core/words.ts';
import { LATENCY_FIELDS } from '../capacity/points.ts';
import type { BenchRecord, BudgetCrossing, CapacityRecord } from '../records/schema.ts';

export interface ModelRow {
  config: ConfigName;
  status: CapacityRecord['status'];
  sigma: number | null;
  kappa: number | null;
  lambda: number | null;
  r2: number | null;
  peak_agents: number | null;
  peak_throughput: number | null;
  peak_extrapolated: boolean | null;
  latency: string;
  rss_mb_per_extra_agent: number | null;
}

export interface ScaleRow {
  config: ConfigName;
  agents: number;
  /** Measured at this scale (false: a prediction only). */
  measured: boolean;
  extrapolated: boolean;
  error: string | null;
  throughput: number | null;
  throughput_model: number | null;
  p95_ms: number | null;
  p95_model_ms: number | null;
  overhead_pct: number | null;
  overhead_model_pct: number | null;
  cpu_pct_per_agent: number | null;
  cpu_us_per_message: number | null;
  rss_mb: number | null;
  rss_mb_per_agent: number | null;
  tmpfs_max_bytes: number | null;
}

export interface BudgetRow {
  budget: 'p95' | 'overhead';
  limit: string;
  config: ConfigName;
  crossing: BudgetCrossing;
  /** This config breaks the budget at the fewest agents of all (ties: by the larger value there). */
  first: boolean;
}

export interface CapacityRows {
  /** Short name of the operation whose p95 the rows carry: e2e, send or receive. */
  latency: string;
  models: ModelRow[];
  scales: ScaleRow[];
  budgets: BudgetRow[];
  warnings: { config: ConfigName; text: string }[];
}

/** A time in ms as text with a fitting unit: 0.0123 → "12.3 µs", 6.58 → "6.58 ms". */
export function msUnit(ms: number): string {
  const a = Math.abs(ms);
  if (a >= 1000) return `${(ms / 1000).toPrecision(3)} s`;
  if (a >= 1) return `${ms.toPrecision(3)} ms`;
  return `${(ms * 1000).toPrecision(3)} µs`;
}

function latencyText(c: CapacityRecord): string {
  const f = c.latency_fit;
  if (f.status !== 'ok' || f.a === null || f.b === null) return 'not fitted';
  const r2 = `(R² ${f.r2?.toFixed(2)})`;
  if (f.model === 'linear') return `${msUnit(f.a)} ${f.b < 0 ? '−' : '+'} ${msUnit(Math.abs(f.b))}·N ${r2}`;
  return `${msUnit(f.a)}·N^${f.b.toFixed(2)} ${r2}`;
}

function budgetRows(caps: CapacityRecord[], budget: 'p95' | 'overhead'): BudgetRow[] {
  const rows: BudgetRow[] = [];
  for (const c of caps) {
    const crossing = budget === 'p95' ? c.p95_budget : c.overhead_budget;
    const limit = budget === 'p95' ? c.budget_p95_ms : c.budget_overhead_pct;
    if (!crossing || limit === null) continue;
    rows.push({ budget, limit: budget === 'p95' ? `p95 ≤ ${limit} ms` : `overhead ≤ ${limit}%`, config: c.test_name, crossing, first: false });
  }
  const broken = rows.filter((r) => r.crossing.broken_at_agents !== null);
  if (broken.length > 0) {
    const least = Math.min(...broken.map((r) => r.crossing.broken_at_agents!));
    const tied = broken.filter((r) => r.crossing.broken_at_agents === least);
    const most = Math.max(...tied.map((r) => r.crossing.value_at_break ?? -Infinity));
    for (const r of tied) if ((r.crossing.value_at_break ?? -Infinity) === most) r.first = true;
  }
  return rows;
}

export function buildCapacityRows(records: readonly BenchRecord[]): CapacityRows {
  const caps = records.filter((r): r is CapacityRecord => r.type === 'capacity');
  const models = caps.map((c) => ({
    config: c.test_name,
    status: c.status,
    sigma: c.sigma,
    kappa: c.kappa,
    lambda: c.lambda,
    r2: c.r2,
    peak_agents: c.peak_agents,
    peak_throughput: c.peak_throughput_msgs_per_s,
    peak_extrapolated: c.peak_extrapolated,
    latency: latencyText(c),
    rss_mb_per_extra_agent: c.rss_mb_per_extra_agent ?? null,
  }));
  const scales: ScaleRow[] = [];
  for (const c of caps) {
    for (const pred of c.predictions) {
      const p = c.points.find((x) => x.agent_count === pred.agent_count);
      scales.push({
        config: c.test_name,
        agents: pred.agent_count,
        measured: p !== undefined && p.runs_ok > 0,
        extrapolated: pred.extrapolated,
        error: p?.error ?? null,
        throughput: p?.throughput_msgs_per_s ?? null,
        throughput_model: pred.throughput_msgs_per_s,
        p95_ms: p ? p[LATENCY_FIELDS[c.latency_fit.operation].p95] : null,
        p95_model_ms: pred.p95_ms,
        overhead_pct: p?.overhead_pct ?? null,
        overhead_model_pct: pred.overhead_pct,
        cpu_pct_per_agent: p?.cpu_pct_per_agent ?? null,
        cpu_us_per_message: p?.cpu_us_per_message ?? null,
        rss_mb: p?.rss_mb ?? null,
        rss_mb_per_agent: p?.rss_mb_per_agent ?? null,
        tmpfs_max_bytes: p?.tmpfs_max_bytes ?? null,
      });
    }
  }
  return {
    latency: caps[0] ? LATENCY_FIELDS[caps[0].latency_fit.operation].label : 'e2e',
    models,
    scales,
    budgets: [...budgetRows(caps, 'p95'), ...budgetRows(caps, 'overhead')],
    warnings: caps.flatMap((c) => c.warnings.map((text) => ({ config: c.test_name, text }))),
  };
}
