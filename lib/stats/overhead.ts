import { mean, sampleStandardDeviation } from 'simple-statistics';
import { t975 } from './tdist.ts';

/** One statistical run's figure for a layer and for the baseline (same operation, same scale). */
export interface RunPair {
  layer: number;
  base: number;
}

export interface OverheadEstimate {
  /** (geometric mean of layer/base over runs − 1) × 100. */
  overhead_pct: number;
  ci_low_pct: number | null;
  ci_high_pct: number | null;
  /** The 95 % interval excludes 0; null when there is no interval (one run). */
  significant: boolean | null;
  runs_n: number;
  per_run_pct: number[];
}

/**
 * Overhead of a layer against the baseline, paired by statistical run.
 *
 * Every run measures every config once in a shuffled order, so each run gives one pair
 * (layer median, baseline median) exposed to the same machine state. For runs r = 1…R:
 *   d_r = ln(layer_r / base_r)
 *   estimate = exp(mean d) − 1
 *   95 % CI  = exp(mean d ± t(0.975, R−1) · sd(d) / √R) − 1
 * i.e. a paired t-interval on log ratios (the ratio scale makes runs of different absolute speed
 * comparable; the log makes the interval symmetric for ratios). Runs are the independent
 * replicates, so drift between runs widens the interval instead of hiding in it. With one run
 * there is no interval. All figures in percent.
 */
export function overheadFromRuns(pairs: readonly RunPair[]): OverheadEstimate {
  const valid = pairs.filter((p) => p.layer > 0 && p.base > 0);
  if (valid.length === 0) throw new Error('overheadFromRuns: no run with positive figures');
  const d = valid.map((p) => Math.log(p.layer / p.base));
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
