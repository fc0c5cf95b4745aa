import { mean, medianSorted, sampleStandardDeviation } from 'simple-statistics';
import { t975 } from './tdist.ts';
import { tTwoSidedP } from './student.ts';

export interface OverheadEstimate {
  /** (exp(mean over runs of d_r) − 1) × 100. */
  overhead_pct: number;
  ci_low_pct: number | null;
  ci_high_pct: number | null;
  /** The 95 % interval excludes 0; null when there is no interval (one run). */
  significant: boolean | null;
  /** Two-sided p-value of the paired t test of mean d = 0 (null with one run; 1 when every run gave the same figure 0). */
  p_value: number | null;
  runs_n: number;
  per_run_pct: number[];
}

/** Timed calls of one operation on one worker, with the key of each call's message (workload.ts messageKey). */
export interface KeyedSamples {
  values: Float64Array;
  keys?: Float64Array;
}

/**
 * One run's figure for a layer against the baseline: the median, over matched pairs of timed
 * calls, of ln(layer call / baseline call).
 *
 * Calls are matched by message: every config runs the same workload, so agent s's n-th message
 * goes to the same peer in the same round under each config, and its send under the layer is
 * matched with its send under the baseline, its receipt with its receipt. Matching removes what the
 * two calls share (which agent and peer, where in the round, and, interleaved, the machine's state
 * one round apart), so the median of the matched ratios varies far less from run to run than the
 * ratio of two separate medians. A call without a partner (a send rejected by rate limiting, a
 * message the drain took) is left out, as is a pair with a non-positive time. Returns null when
 * nothing could be matched (or the samples carry no keys).
 */
export function matchedLogRatio(layer: readonly KeyedSamples[], base: readonly KeyedSamples[]): number | null {
  const partner = new Map<number, number>();
  for (const b of base) {
    if (!b.keys) continue;
    for (let i = 0; i < b.values.length; i++) if (b.values[i]! > 0 && Number.isFinite(b.keys[i]!)) partner.set(b.keys[i]!, b.values[i]!);
  }
  const d: number[] = [];
  for (const l of layer) {
    if (!l.keys) continue;
    for (let i = 0; i < l.values.length; i++) {
      const p = partner.get(l.keys[i]!);
      if (p !== undefined && l.values[i]! > 0) d.push(Math.log(l.values[i]! / p));
    }
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
    return { overhead_pct: pct(m), ci_low_pct: null, ci_high_pct: null, significant: null, p_value: null, runs_n: d.length, per_run_pct };
  }
  const se = sampleStandardDeviation(d) / Math.sqrt(d.length);
  const half = t975(d.length - 1) * se;
  const lo = pct(m - half);
  const hi = pct(m + half);
  const p_value = se > 0 ? tTwoSidedP(m / se, d.length - 1) : m === 0 ? 1 : 0;
  return { overhead_pct: pct(m), ci_low_pct: lo, ci_high_pct: hi, significant: lo > 0 || hi < 0, p_value, runs_n: d.length, per_run_pct };
}
