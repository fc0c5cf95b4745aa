/**
 * B against A, per (config, scale, operation): the `ab` records and the gate for CI.
 *
 * The estimate is the one every layer's overhead uses (lib/stats/overhead.ts through
 * Aggregator.versus): per statistical run the median of ln(B call / A call) over calls matched by
 * message, then a paired t-interval over the runs (95 %, for that cell alone) and the paired t
 * test's p-value. One run has many cells, and with 95 % each an A/A run would call some cell
 * different in about 1 − 0.95^m of runs (19 % with 4 cells); so "slower" and "faster" are called on
 * Holm-adjusted p-values over the run's m cells (Holm 1979), which keeps the chance that an A/A run
 * calls anything different at most 5 %, and costs a clear change (a small p) almost nothing.
 * The verdict:
 *   - no interval (fewer than 2 runs with matched calls): inconclusive;
 *   - with --fail-on-regression X: the interval entirely above X: slower (a regression); reaching
 *     X from below or straddling it: inconclusive (neither proven nor ruled out); entirely below X:
 *     as without a bound (a slower change is then one smaller than X);
 *   - without a bound: adjusted p < 0.05: slower above 0, faster below; else no significant change.
 * The exit code (gate): 99 when any cell is a regression beyond X, else 98 when any cell is
 * inconclusive against X, else 0. Inconclusive is never a pass.
 */
import type { AbRecord, AbVerdict, Body } from '../records/schema.ts';
import type { Aggregator } from '../run/aggregate.ts';
import type { OverheadEstimate } from '../stats/overhead.ts';
import { EXIT } from '../core/errors.ts';
import { holm } from '../stats/student.ts';

export const EXIT_REGRESSION = EXIT.thresholds;
export const EXIT_INCONCLUSIVE = EXIT.inconclusive;

/** The family-wise level of a run's verdicts. */
export const ALPHA = 0.05;

/** One cell's verdict from its interval, its estimate and its adjusted p-value (null: no interval). */
export function verdictOf(e: Pick<OverheadEstimate, 'ci_low_pct' | 'ci_high_pct' | 'overhead_pct'>, boundPct: number | null, pAdjusted: number | null): AbVerdict {
  const lo = e.ci_low_pct;
  const hi = e.ci_high_pct;
  if (lo === null || hi === null || pAdjusted === null) return 'inconclusive';
  if (boundPct !== null) {
    if (lo > boundPct) return 'slower';
    if (hi >= boundPct) return 'inconclusive';
  }
  if (pAdjusted >= ALPHA) return 'no significant change';
  return e.overhead_pct > 0 ? 'slower' : 'faster';
}

const r3 = (x: number | null) => (x === null ? null : Number(x.toFixed(3)));
const ms = (ns: number) => Number((ns / 1e6).toFixed(6));

/** One `ab` record per (config, scale, operation) that B and A share. */
export function abRecords(agg: Aggregator, boundPct: number | null): Body<AbRecord>[] {
  const pairs = agg.versus('B', 'A');
  const tested = pairs.filter((p) => p.estimate.p_value !== null);
  const ps = holm(tested.map((p) => p.estimate.p_value!));
  const adjusted = new Map(tested.map((p, i) => [p, ps[i]!]));
  return pairs.map((p) => ({
    type: 'ab',
    test_name: p.config,
    agent_count: p.scale,
    operation: p.op,
    statistic: 'p50',
    a_p50_ms: ms(p.againstP50Ns),
    b_p50_ms: ms(p.p50Ns),
    change_pct: r3(p.estimate.overhead_pct)!,
    ci_low_pct: r3(p.estimate.ci_low_pct),
    ci_high_pct: r3(p.estimate.ci_high_pct),
    change_us: Number(((p.againstP50Ns * p.estimate.overhead_pct) / 100 / 1000).toFixed(3)),
    runs_n: p.estimate.runs_n,
    per_run_pct: p.estimate.per_run_pct.map((x) => r3(x)!),
    p_value: p.estimate.p_value === null ? null : Number(p.estimate.p_value.toPrecision(4)),
    p_adjusted: adjusted.has(p) ? Number(adjusted.get(p)!.toPrecision(4)) : null,
    family_size: tested.length,
    fail_on_regression_pct: boundPct,
    verdict: verdictOf(p.estimate, boundPct, adjusted.get(p) ?? null),
    method: 'paired_t_matched_log_ratio',
  }));
}

/** A regression beyond the bound: a cell whose whole interval lies above it. */
export const isRegression = (r: Pick<AbRecord, 'ci_low_pct' | 'fail_on_regression_pct'>) => r.fail_on_regression_pct !== null && r.ci_low_pct !== null && r.ci_low_pct > r.fail_on_regression_pct;

/** The gate over every ab record of the run: the exit code and why (null: nothing to gate, exit 0). */
export function gateOf(records: readonly Pick<AbRecord, 'ci_low_pct' | 'ci_high_pct' | 'fail_on_regression_pct' | 'verdict' | 'test_name' | 'agent_count' | 'operation'>[], boundPct: number | null): { exitCode: number; reason: string } | null {
  if (boundPct === null) return null;
  const where = (r: (typeof records)[number]) => `${r.test_name} @ ${r.agent_count} ${r.operation.replace('message_', '')}`;
  const bad = records.filter(isRegression);
  if (bad.length > 0) return { exitCode: EXIT_REGRESSION, reason: `regression beyond ${boundPct}%: ${bad.map(where).join(', ')}` };
  if (records.length === 0) return { exitCode: EXIT_INCONCLUSIVE, reason: `nothing of B could be compared with A: inconclusive against ${boundPct}%` };
  const unsure = records.filter((r) => r.verdict === 'inconclusive');
  if (unsure.length > 0) return { exitCode: EXIT_INCONCLUSIVE, reason: `inconclusive against ${boundPct}% (interval reaches it or there is none): ${unsure.map(where).join(', ')}` };
  return null;
}
