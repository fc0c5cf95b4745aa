import type { DriverRows } from './rows.ts';

interface Metric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}

/**
 * Bencher Metric Format: { benchmark name: { measure slug: { value, lower_value?, upper_value? } } }.
 * Benchmark names are `busbench/CONFIG@AGENTS/OPERATION`. Measures:
 *   latency            the median per call, in nanoseconds (Bencher's built-in measure and unit)
 *   latency-p95        the 95th percentile per call, ns
 *   overhead-percent   a layer's overhead vs the bare bus, %, with its 95 % interval as bounds
 * plus one benchmark `busbench/resolution@AGENTS/OPERATION` with `resolution-percent` (noop half-width).
 * A file of several drivers names each benchmark `busbench/DRIVER/…`.
 */
export function renderBmf(sets: readonly DriverRows[]): string {
  const out: Record<string, Record<string, Metric>> = {};
  const ns = (us: number) => Math.round(us * 1000);
  for (const { driver, rows } of sets) {
    const at = driver === null ? 'busbench' : `busbench/${driver}`;
    addBenchmarks(out, at, rows, ns);
  }
  return JSON.stringify(out, null, 2) + '\n';
}

function addBenchmarks(out: Record<string, Record<string, Metric>>, at: string, rows: DriverRows['rows'], ns: (us: number) => number): void {
  for (const m of rows.metrics) {
    const name = `${at}/${m.config}@${m.agents}/${m.operation}`;
    const b: Record<string, Metric> = { latency: { value: ns(m.p50_us) }, 'latency-p95': { value: ns(m.p95_us) } };
    if (m.overhead) {
      const o: Metric = { value: m.overhead.pct };
      if (m.overhead.lo !== null && m.overhead.hi !== null) {
        o.lower_value = m.overhead.lo;
        o.upper_value = m.overhead.hi;
      }
      b['overhead-percent'] = o;
    }
    out[name] = b;
  }
  for (const r of rows.resolution) {
    if (r.half_pct !== null) out[`${at}/resolution@${r.agents}/${r.operation}`] = { 'resolution-percent': { value: r.half_pct } };
  }
}
