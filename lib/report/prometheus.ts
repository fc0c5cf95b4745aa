import type { DriverRows, Rows } from './rows.ts';

/**
 * Prometheus text exposition format (version 0.0.4). Every series is a gauge of the last run.
 *   busbench_latency_seconds{config,agents,operation,quantile}   per-call latency (quantile 0.5, 0.95, 0.99)
 *   busbench_overhead_percent{config,agents,operation,bound}     layer vs bare bus (bound estimate|lower|upper)
 *   busbench_resolution_percent{agents,operation}                noop interval half-width
 *   busbench_messages{agents,state}                              sent|received|drained|lost|duplicated
 *   busbench_threshold_passed{expression}                        1 passed, 0 failed
 *   busbench_run_success                                         1 when the run's status is ok
 * A file of several drivers adds a `driver` label to every series of a driver's measurements.
 */
export function renderPrometheus(sets: readonly DriverRows[]): string {
  const out: string[] = [];
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const labels = (l: Record<string, string | number>) => `{${Object.entries(l).map(([k, v]) => `${k}="${esc(String(v))}"`).join(',')}}`;
  const num = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(12))) : x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN');
  type Series = [Record<string, string | number>, number][];
  /** Every driver's series of one family, each labelled with its driver where the file has several. */
  const per = (f: (rows: Rows) => Series): Series => sets.flatMap(({ driver, rows }) => f(rows).map(([l, v]): Series[number] => [driver === null ? l : { driver, ...l }, v]));
  const rows = sets[0]!.rows;
  const family = (name: string, help: string, series: Series) => {
    if (series.length === 0) return;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [l, v] of series) out.push(`${name}${Object.keys(l).length ? labels(l) : ''} ${num(v)}`);
  };
  family(
    'busbench_latency_seconds',
    'Latency per call on the bus, by config, agent count, operation and quantile.',
    per((rows) => rows.metrics.flatMap((m) => ([[0.5, m.p50_us], [0.95, m.p95_us], [0.99, m.p99_us]] as const).map(([q, v]) => [{ config: m.config, agents: m.agents, operation: m.operation, quantile: q }, v / 1e6] as [Record<string, string | number>, number]))),
  );
  family(
    'busbench_overhead_percent',
    'Overhead of a layer vs the bare bus (median of matched per-call ratios), in percent, with its 95 % interval bounds.',
    per((rows) => rows.metrics.flatMap((m) => {
      const o = m.overhead;
      if (!o) return [];
      const l = { config: m.config, agents: m.agents, operation: m.operation };
      const s: [Record<string, string | number>, number][] = [[{ ...l, bound: 'estimate' }, o.pct]];
      if (o.lo !== null && o.hi !== null) s.push([{ ...l, bound: 'lower' }, o.lo], [{ ...l, bound: 'upper' }, o.hi]);
      return s;
    })),
  );
  family('busbench_resolution_percent', 'Resolution of the run: half-width of the noop layer\'s 95 % interval, in percent.', per((rows) => rows.resolution.flatMap((r) => (r.half_pct === null ? [] : [[{ agents: r.agents, operation: r.operation }, r.half_pct] as [Record<string, string | number>, number]]))));
  family(
    'busbench_messages',
    'Messages counted over every cell of a scale, by state.',
    per((rows) => rows.resources.flatMap((r) => (['sent', 'received', 'drained', 'lost', 'duplicated'] as const).map((k) => [{ agents: r.agents, state: k }, r[k]] as [Record<string, string | number>, number]))),
  );
  // Thresholds and the run's status belong to the whole run, not to one driver.
  family('busbench_threshold_passed', 'Threshold verdicts: 1 passed, 0 failed.', rows.thresholds.map((t) => [{ expression: t.expression }, t.passed ? 1 : 0]));
  if (rows.summary) family('busbench_run_success', 'Whether the run ended with status ok (1) or not (0).', [[{}, rows.summary.status === 'ok' ? 1 : 0]]);
  return out.join('\n') + '\n';
}
