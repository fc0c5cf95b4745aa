import { max, mean, min, quantileSorted, sampleStandardDeviation } from 'simple-statistics';

export interface Summary {
  n: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
}

/** Ascending copy as a plain array (simple-statistics works on arrays). */
export function sorted(values: ArrayLike<number>): number[] {
  return Array.from(Float64Array.from(values).sort());
}

/**
 * Summary of every sample (not of run means). Percentiles by linear interpolation between order
 * statistics (Hyndman & Fan type 7, as numpy and R default: simple-statistics' quantileSorted).
 * The standard deviation is the sample one (n − 1); 0 for a single sample.
 */
export function summarize(values: ArrayLike<number>): Summary {
  if (values.length === 0) throw new Error('summarize: no samples');
  const s = sorted(values);
  return {
    n: s.length,
    mean: mean(s),
    stddev: s.length > 1 ? sampleStandardDeviation(s) : 0,
    min: min(s),
    max: max(s),
    p50: quantileSorted(s, 0.5),
    p95: quantileSorted(s, 0.95),
    p99: quantileSorted(s, 0.99),
    p999: quantileSorted(s, 0.999),
  };
}
