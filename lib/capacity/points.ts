/**
 * Records of a sweep → what each config measured at each scale. Throughput is the median over the
 * statistical runs of each cell's messages delivered per second of workload; latencies come from
 * the statistics records (samples pooled over the runs); CPU is Σ CPU time / Σ wall time of the
 * scale's cells. Failed cells (error records) are counted; a scale where every run failed keeps
 * its error and no figures, and is left out of every fit.
 */
import { median } from 'simple-statistics';
import type { ConfigName } from '../core/words.ts';
import type { BenchRecord, CapacityPoint, ErrorRecord, LatencyOperation, ResourceRecord, StatisticsRecord } from '../records/schema.ts';
import { ofType as of } from '../records/select.ts';
import { MIN_CPU_SPAN_MS } from '../measure/resources.ts';

const round = (x: number | null, d: number) => (x === null || !Number.isFinite(x) ? null : Number(x.toFixed(d)));

export function sweepScales(records: readonly BenchRecord[]): number[] {
  const run = records.find((r) => r.type === 'run');
  const fromRun = run && run.type === 'run' && Array.isArray(run.config.scales) ? (run.config.scales as number[]) : [];
  const seen = [...of(records, 'resource'), ...of(records, 'error'), ...of(records, 'statistics')].map((r) => r.agent_count);
  return [...new Set([...fromRun, ...seen])].sort((a, b) => a - b);
}

export function sweepConfigs(records: readonly BenchRecord[]): ConfigName[] {
  const run = records.find((r) => r.type === 'run');
  if (run && run.type === 'run') return [...run.configs];
  return [...new Set([...of(records, 'statistics').map((r) => r.test_name), ...of(records, 'resource').flatMap((r) => (r.test_name === 'interleaved' ? [] : [r.test_name]))])];
}

/** A config's figures per scale; `interleaved`: the resource use of the cells all configs shared (no latencies). */
export function measuredPoints(records: readonly BenchRecord[], config: ConfigName | 'interleaved'): CapacityPoint[] {
  const stats = of(records, 'statistics') as StatisticsRecord[];
  const resources = (of(records, 'resource') as ResourceRecord[]).filter((r) => r.run > 0 && r.test_name === config);
  const errors = (of(records, 'error') as ErrorRecord[]).filter((r) => r.run > 0 && r.test_name === config);
  const stat = (c: ConfigName | 'interleaved', n: number, op: StatisticsRecord['operation']) => stats.find((s) => s.test_name === c && s.agent_count === n && s.operation === op);
  const cost = (c: ConfigName | 'interleaved', n: number) => {
    const s = stat(c, n, 'message_send');
    const r = stat(c, n, 'message_receive');
    return s && r ? s.p50_ms + r.p50_ms : null;
  };

  return sweepScales(records).map((n): CapacityPoint => {
    const rs = resources.filter((r) => r.agent_count === n);
    const es = errors.filter((e) => e.agent_count === n);
    const tputs = rs.map((r) => r.throughput_msgs_per_s).filter((x): x is number => typeof x === 'number' && x > 0);
    const wall = rs.reduce((a, r) => a + r.wall_ms, 0);
    const cpuMs = rs.reduce((a, r) => a + r.cpu_time_ms, 0);
    const delivered = rs.reduce((a, r) => a + (r.delivered ?? 0), 0);
    const cpuPct = wall >= MIN_CPU_SPAN_MS ? (100 * cpuMs) / wall : null;
    const rss = rs.length > 0 ? rs.reduce((a, r) => a + r.rss_avg_mb, 0) / rs.length : null;
    const mine = cost(config, n);
    const base = config === 'baseline' ? null : cost('baseline', n);
    const p = (op: StatisticsRecord['operation'], k: 'p50_ms' | 'p95_ms' | 'p99_ms') => stat(config, n, op)?.[k] ?? null;
    return {
      agent_count: n,
      runs_ok: rs.length,
      runs_failed: es.length,
      error: es.length > 0 && rs.length === 0 ? es[0]!.message : null,
      throughput_msgs_per_s: round(tputs.length > 0 ? median(tputs) : null, 1),
      send_p50_ms: p('message_send', 'p50_ms'),
      send_p95_ms: p('message_send', 'p95_ms'),
      receive_p50_ms: p('message_receive', 'p50_ms'),
      receive_p95_ms: p('message_receive', 'p95_ms'),
      delivery_p50_ms: p('delivery', 'p50_ms'),
      delivery_p95_ms: p('delivery', 'p95_ms'),
      delivery_p99_ms: p('delivery', 'p99_ms'),
      message_cost_p50_ms: round(mine, 6),
      overhead_pct: round(mine !== null && base !== null && base > 0 ? (100 * (mine - base)) / base : null, 3),
      cpu_pct: round(cpuPct, 1),
      cpu_pct_per_agent: round(cpuPct === null ? null : cpuPct / n, 3),
      cpu_us_per_message: round(delivered > 0 ? (cpuMs * 1000) / delivered : null, 2),
      rss_mb: round(rss, 1),
      rss_mb_per_agent: round(rss === null ? null : rss / n, 3),
      tmpfs_max_bytes: maxPresent(rs.map((r) => r.tmpfs_max_bytes)),
      tmpfs_max_files: maxPresent(rs.map((r) => r.tmpfs_max_files)),
    };
  });
}

/** Where a point keeps the p50 and p95 of each latency operation. */
export const LATENCY_FIELDS = {
  delivery: { p50: 'delivery_p50_ms', p95: 'delivery_p95_ms', label: 'e2e' },
  message_send: { p50: 'send_p50_ms', p95: 'send_p95_ms', label: 'send' },
  message_receive: { p50: 'receive_p50_ms', p95: 'receive_p95_ms', label: 'receive' },
} as const satisfies Record<LatencyOperation, { p50: keyof CapacityPoint; p95: keyof CapacityPoint; label: string }>;

/** A point the model may use: at least one run succeeded and delivered messages. */
export function isGood(p: CapacityPoint): boolean {
  return p.runs_ok > 0 && p.throughput_msgs_per_s !== null;
}

/** The largest of the figures that were measured; null when none was (a bus with nothing on tmpfs). */
function maxPresent(xs: readonly (number | null)[]): number | null {
  const ok = xs.filter((x): x is number => x !== null);
  return ok.length > 0 ? Math.max(...ok) : null;
}
