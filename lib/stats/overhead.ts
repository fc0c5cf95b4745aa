import { mean, medianSorted, sampleStandardDeviation } from 'simple-statistics';
import { t975 } from './tdist.ts';

export interface OverheadEstimate {
  /** (exp(mean over runs of d_r) − 1) × 100. */
  overhead_pct: number;
  ci_low_pct: number | null;
  ci_high_pct: number | null;
  /** The 95 % interval excludes 0; null when there is no interval (one run). */
  significant: boolean | null;
  runs_n: number;
  per_run_pct: number[];
}

/**
 * One run's figure for a layer against the baseline: the median, over matched pairs of timed
 * calls, of ln(layer call / baseline call).
 *
 * Calls are matched by position: the i-th call of an operation on worker w under the layer with
 * the i-th under the baseline. Every config runs the same workload, so the i-th send is by the
 * same agent, to the same peer, in the same round (and, interleaved, a few hundred µs apart); the
 * i-th receipt is that agent's i-th message. Matching removes what the two calls share (which
 * agent, which peer, where in the round, the moment's machine state), so the median of the
 * matched ratios varies far less from run to run than the ratio of two separate medians does.
 * Pairs with a non-positive time are skipped; arrays of unequal length (rejected sends) are matched
 * up to the shorter one. Returns null when nothing could be matched.
 */
export function matchedLogRatio(layer: readonly Float64Array[], base: readonly Float64Array[]): number | null {
  const d: number[] = [];
  for (let w = 0; w < Math.min(layer.length, base.length); w++) {
    const l = layer[w]!;
    const b = base[w]!;
    for (let i = 0; i < Math.min(l.length, b.length); i++) if (l[i]! > 0 && b[i]! > 0) d.push(Math.log(l[i]! / b[i]!));
  }
  if (d.length === 0) return null;
  return medianSorted(d.sort((x, y) => x - y));
}

/**
 * Overhead of a layer against the baseline, paired by statistical run.
 *
 * Every run measures every config under the same conditions (interleaved in one cell, or in
 * cells shuffled within the run), so each run r gives one figure d_r (matchedLogRatio). Then
 *   estimate = exp(mean d) − 1
 *   95 % CI  = exp(mean d ± t(0.975, R−1) · sd(d) / √R) − 1
 * i.e. a paired t-interval on log ratios (the ratio scale makes runs of different absolute speed
 * comparable; the log makes the interval symmetric for ratios). Runs are the independent
 * replicates, so whatever moves a run's figure widens the interval instead of hiding in it. With
 * one run there is no interval. All figures in percent.
 */
export function overheadFromRuns(logRatios: readonly number[]): OverheadEstimate {
  const d = logRatios.filter((x) => Number.isFinite(x));
  if (d.length === 0) throw new Error('overheadFromRuns: no run with a finite figure');
  const pct = (x: number) => (Math.exp(x) - 1) * 100;
  const m = mean(d);
  const per_run_pct = d.map(pct);
  if (d.length < 2) {
    return { overhead_pct: pct(m), ci_low_pct: null, ci_high_pct: null, significant: null, runs_n: d.length, per_run_pct };
  }
  const half = (t975(d.length - 1) * sampleStandardDeviation(d)) / Math.sqrt(d.length);
  const lo = pct(m - half);
  const hi = pct(m + half);
  return { overhead_pct: pct(m), ci_low_pct: lo, ci_high_pct: hi, significant: lo > 0 || hi < 0, runs_n: d.length, per_run_pct };
}
