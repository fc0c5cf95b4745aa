/**
 * Latency histograms that merge exactly (HdrHistogram, the hdr-histogram-js package): each worker
 * records its latencies in ns into its own histogram, which crosses to the orchestrator as a
 * compressed string; the orchestrator adds the histograms of every worker and statistical run
 * bucket by bucket (addition of counts: exact), so p99, p99.9 and max stay right at any message
 * count without keeping every sample. Values are kept to 3 significant digits (a bucket is at most
 * 0.1 % wide); the count and the smallest and largest value recorded travel beside the histogram
 * and are exact.
 */
import { createRequire } from 'node:module';
import type * as Hdr from 'hdr-histogram-js';
import type { Summary } from '../stats/summary.ts';
import type { EncodedHistogram } from '../core/protocol.ts';
export type { EncodedHistogram } from '../core/protocol.ts';

const SETTINGS = { lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 32, autoResize: true, useWebAssembly: false } as const;

/** The package, loaded on first use: it takes about 50 ms to load, and most processes (a worker of a closed-loop run, `busbench check`) never need it. */
let loaded: typeof Hdr | undefined;
const hdr = (): typeof Hdr => (loaded ??= createRequire(import.meta.url)('hdr-histogram-js') as typeof Hdr);


export class LatencyHistogram {
  private readonly h = hdr().build(SETTINGS);
  private n = 0;
  private min = Infinity;
  private max = -Infinity;

  /** One latency in ns (rounded to a whole ns; below 1 ns counts as 1). */
  record(ns: number): void {
    const v = ns < 1 ? 1 : Math.round(ns);
    this.h.recordValue(v);
    this.n++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  get length(): number {
    return this.n;
  }

  encode(): EncodedHistogram {
    return { counts: hdr().encodeIntoCompressedBase64(this.h), n: this.n, min: this.min, max: this.max };
  }
}

/** The sum of every histogram given, and its exact count, minimum and maximum. */
export function mergeHistograms(list: readonly EncodedHistogram[]): { h: Hdr.Histogram; n: number; min: number; max: number } {
  const h = hdr().build(SETTINGS);
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const e of list) {
    if (e.n === 0) continue;
    h.add(hdr().decodeFromCompressedBase64(e.counts, 32, false));
    n += e.n;
    min = Math.min(min, e.min);
    max = Math.max(max, e.max);
  }
  return { h, n, min, max };
}

/**
 * The summary of merged histograms: percentiles are HdrHistogram's (the highest value equivalent
 * to the recorded one at that rank: at most 0.1 % above it, never above the exact maximum); mean
 * and standard deviation from the bucket midpoints.
 */
export function summarizeHistograms(list: readonly EncodedHistogram[]): Summary {
  const m = mergeHistograms(list);
  if (m.n === 0) throw new Error('summarizeHistograms: no values');
  const at = (p: number) => Math.min(m.max, m.h.getValueAtPercentile(p));
  return { n: m.n, mean: m.h.mean, stddev: m.h.stdDeviation, min: m.min, max: m.max, p50: at(50), p95: at(95), p99: at(99), p999: at(99.9) };
}
