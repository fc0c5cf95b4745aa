/**
 * A sweep's records → one `capacity` record per config: the measured points, the USL fit of
 * throughput, the growth fit of end-to-end p95, predictions at the swept scales and the asked ones
 * (marked as extrapolations beyond the sweep) and where the budgets break.
 */
import type { ConfigName } from '../core/words.ts';
import type { BenchRecord, Body, CapacityPoint, CapacityPrediction, CapacityRecord, LatencyFit } from '../records/schema.ts';
import { linearRegression } from 'simple-statistics';
import { fitGrowth, growthValue, type GrowthFit } from '../stats/growth.ts';
import { fitUsl, uslThroughput, USL_MIN_POINTS, USL_POOR_R2, type UslFit } from '../stats/usl.ts';
import type { CapacityOptions } from './flags.ts';
import { budgetCrossing } from './budget.ts';
import { isGood, LATENCY_FIELDS, measuredPoints, sweepConfigs } from './points.ts';

const r = (x: number | null | undefined, d: number) => (x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(d)));
/** Significant digits, for parameters spanning many orders of magnitude (κ ~ 1e-5). */
const sig = (x: number | null | undefined, d = 4) => (x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toPrecision(d)));

type Fitted = Exclude<UslFit, { status: 'too few points' }>;
type Grown = Extract<GrowthFit, { status: 'ok' }>;

export function capacityRecords(records: readonly BenchRecord[], opts: CapacityOptions): Body<CapacityRecord>[] {
  const configs = sweepConfigs(records);
  const baseCost = costModel(measuredPoints(records, 'baseline'));
  return configs.map((c) => capacityOf(c, measuredPoints(records, c), opts, c === 'baseline' ? null : baseCost));
}

function costModel(points: CapacityPoint[]): Grown | null {
  const fit = fitGrowth(points.filter(isGood).map((p) => ({ agents: p.agent_count, value: p.message_cost_p50_ms ?? NaN })));
  return fit.status === 'ok' ? fit : null;
}

export function capacityOf(config: ConfigName, points: CapacityPoint[], opts: CapacityOptions, baseCost: Grown | null): Body<CapacityRecord> {
  const good = points.filter(isGood);
  const warnings: string[] = [];
  for (const p of points) if (p.runs_failed > 0) warnings.push(`${p.agent_count} agents: ${p.runs_failed} run(s) failed${p.error ? ` (${p.error})` : ''}${isGood(p) ? '' : '; left out of the model'}`);

  const usl = fitUsl(good.map((p) => ({ agents: p.agent_count, throughput: p.throughput_msgs_per_s! })));
  const fitted: Fitted | null = usl.status === 'too few points' ? null : usl;
  if (!fitted) warnings.push(`throughput model not fitted: ${usl.points_n} good scale(s), the USL needs ${USL_MIN_POINTS}`);
  else if (fitted.status === 'poor fit') warnings.push(`poor USL fit (R² ${fitted.r2.toFixed(2)} < ${USL_POOR_R2}): the throughput predictions are unreliable`);

  const op = opts.latencyOp;
  const p95Of = (p: CapacityPoint) => p[LATENCY_FIELDS[op].p95];
  const p95 = fitGrowth(good.map((p) => ({ agents: p.agent_count, value: p95Of(p) ?? NaN })));
  const grown: Grown | null = p95.status === 'ok' ? p95 : null;
  if (!grown) warnings.push(`latency growth not fitted: ${p95.points_n} good scale(s), it needs 3`);
  const ownCost = config === 'baseline' ? null : costModel(points);

  const maxN = good.length > 0 ? good[good.length - 1]!.agent_count : 0;
  const minN = good.length > 0 ? good[0]!.agent_count : 0;
  const tputAt = (n: number) => (fitted ? uslThroughput(n, fitted.params) : null);
  const p95At = (n: number) => (grown ? growthValue(grown, n) : null);
  const overheadAt = (n: number) => {
    if (!ownCost || !baseCost) return null;
    const b = growthValue(baseCost, n);
    return b > 0 ? (100 * (growthValue(ownCost, n) - b)) / b : null;
  };
  const at = [...new Set([...points.map((p) => p.agent_count), ...opts.predict])].sort((a, b) => a - b);
  const predictions: CapacityPrediction[] = at.map((n) => ({
    agent_count: n,
    extrapolated: good.length === 0 || n > maxN || n < minN,
    throughput_msgs_per_s: r(tputAt(n), 1),
    p95_ms: r(p95At(n), 4),
    overhead_pct: r(overheadAt(n), 2),
  }));

  const latency: LatencyFit = grown
    ? { operation: op, statistic: 'p95', status: 'ok', model: grown.model, a: sig(grown.a, 6), b: sig(grown.b, 6), r2: r(grown.r2, 4) }
    : { operation: op, statistic: 'p95', status: 'too few points', model: null, a: null, b: null, r2: null };

  const p95Budget =
    opts.budgetP95Ms === null
      ? null
      : budgetCrossing(
          good.map((p) => ({ agents: p.agent_count, value: p95Of(p) })),
          opts.budgetP95Ms,
          grown ? p95At : null,
        );
  const overheadBudget =
    opts.budgetOverheadPct === null || config === 'baseline'
      ? null
      : budgetCrossing(
          good.map((p) => ({ agents: p.agent_count, value: p.overhead_pct })),
          opts.budgetOverheadPct,
          ownCost && baseCost ? overheadAt : null,
        );

  return {
    type: 'capacity',
    test_name: config,
    status: usl.status,
    method: 'usl_least_squares',
    points_n: usl.points_n,
    sigma: sig(fitted?.params.sigma),
    kappa: sig(fitted?.params.kappa),
    lambda: r(fitted?.params.lambda, 1),
    r2: r(fitted?.r2, 4),
    peak_agents: r(fitted?.peakAgents, 1),
    peak_throughput_msgs_per_s: r(fitted?.peakThroughput, 1),
    peak_extrapolated: fitted ? fitted.peakAgents === null || fitted.peakAgents > maxN || fitted.peakAgents < minN : null,
    latency_fit: latency,
    rss_mb_per_extra_agent: rssSlope(good),
    points,
    predictions,
    budget_p95_ms: opts.budgetP95Ms,
    p95_budget: p95Budget,
    budget_overhead_pct: config === 'baseline' ? null : opts.budgetOverheadPct,
    overhead_budget: overheadBudget,
    warnings,
  };
}

/** MB of RSS per added agent: OLS slope of RSS on agents (needs two scales with RSS). */
export function rssSlope(points: readonly CapacityPoint[]): number | null {
  const xy = points.filter((p) => p.rss_mb !== null).map((p) => [p.agent_count, p.rss_mb!]);
  if (new Set(xy.map((q) => q[0])).size < 2) return null;
  return r(linearRegression(xy).m, 4);
}
