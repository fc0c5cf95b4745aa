/**
 * A resource's growth over a soak: the slope of its value over time by ordinary least squares
 * (simple-statistics' linearRegression, as lib/stats/growth.ts fits its curves), with the 95 %
 * interval of the slope from Student's t on n − 2 degrees of freedom:
 *
 *   b ± t(0.975, n−2) · √( Σ(y − ŷ)² / (n − 2) / Σ(t − t̄)² )
 *
 * and a verdict: it grows (or shrinks) when the interval excludes 0 and the growth fitted over the
 * span is at least the resource's resolution (a page of RSS noise is not a leak); else stable.
 */
import { linearRegression } from 'simple-statistics';
import { t975 } from '../stats/tdist.ts';

export interface Trend {
  n: number;
  /** Per minute, in the resource's unit. */
  slope: number;
  low: number;
  high: number;
  verdict: 'grows' | 'shrinks' | 'stable' | 'too few samples';
}

/** Samples a trend needs for an interval (n − 2 ≥ 1). */
export const MIN_TREND_SAMPLES = 3;

/** points: [seconds, value]; `floor`: the least growth over the span that counts (same unit). */
export function fitTrend(points: readonly (readonly [number, number])[], floor: number): Trend {
  const n = points.length;
  if (n < MIN_TREND_SAMPLES) return { n, slope: NaN, low: NaN, high: NaN, verdict: 'too few samples' };
  const xs = points.map((p) => p[0] / 60);
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  const sxx = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  if (sxx === 0) return { n, slope: NaN, low: NaN, high: NaN, verdict: 'too few samples' };
  const { m, b } = linearRegression(points.map((p, i) => [xs[i]!, p[1]]));
  const sse = points.reduce((a, p, i) => a + (p[1] - (b + m * xs[i]!)) ** 2, 0);
  const half = t975(n - 2) * Math.sqrt(sse / (n - 2) / sxx);
  const span = xs[n - 1]! - xs[0]!;
  const material = Math.abs(m) * span >= floor;
  const verdict = m - half > 0 && material ? 'grows' : m + half < 0 && material ? 'shrinks' : 'stable';
  return { n, slope: m, low: m - half, high: m + half, verdict };
}
