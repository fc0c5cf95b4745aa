/**
 * What the layers did under --fault, from the `fault` records: per fault, scale and config with a
 * health query, how soon the coordinator's health query found the struck agent stale (nearest-rank
 * percentiles over the cells), how often it did at all, and the coordinated shutdown's drain.
 */
import type { BenchRecord, FaultRecord } from '../records/schema.ts';

export interface FaultRow {
  fault: string;
  agents: number;
  config: string;
  /** Cells in which the fault struck and this config's health query watched for it. */
  watched: number;
  detected: number;
  p50_ms: number | null;
  p95_ms: number | null;
  max_ms: number | null;
  /** Slowest coordinated drain-and-stop of that config in those cells (configs with shutdown). */
  drain_max_ms: number | null;
}

const faultsOf = (records: readonly BenchRecord[]) => records.filter((r): r is FaultRecord => r.type === 'fault');

/** Nearest-rank percentile of ascending values (q in 0-100); null for none. */
export function nearestRank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((q / 100) * sorted.length) - 1)]!;
}

/** Every health detection time (ms) in the records, optionally at one scale; undetected ones are not times. */
export function detectTimes(records: readonly BenchRecord[], agents: number | null = null): { times: number[]; undetected: number } {
  const times: number[] = [];
  let undetected = 0;
  for (const f of faultsOf(records)) {
    if (agents !== null && f.agent_count !== agents) continue;
    for (const ms of Object.values(f.health_detect_ms ?? {})) {
      if (ms === null) undetected++;
      else times.push(ms);
    }
  }
  return { times: times.sort((a, b) => a - b), undetected };
}

export function faultRows(records: readonly BenchRecord[]): FaultRow[] {
  const groups = new Map<string, { fault: string; agents: number; config: string; times: number[]; watched: number; drains: number[] }>();
  const group = (f: FaultRecord, config: string) => {
    const key = `${f.fault}|${f.agent_count}|${config}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { fault: f.fault, agents: f.agent_count, config, times: [], watched: 0, drains: [] }));
    return g;
  };
  for (const f of faultsOf(records)) {
    for (const [config, ms] of Object.entries(f.health_detect_ms ?? {})) {
      const g = group(f, config);
      g.watched++;
      if (ms !== null) g.times.push(ms);
    }
    for (const [config, ms] of Object.entries(f.shutdown_drain_ms ?? {})) group(f, config).drains.push(ms);
  }
  return [...groups.values()]
    .sort((a, b) => a.fault.localeCompare(b.fault) || a.agents - b.agents || a.config.localeCompare(b.config))
    .map((g) => {
      const t = g.times.sort((a, b) => a - b);
      return { fault: g.fault, agents: g.agents, config: g.config, watched: g.watched, detected: t.length, p50_ms: nearestRank(t, 50), p95_ms: nearestRank(t, 95), max_ms: t.length ? t[t.length - 1]! : null, drain_max_ms: g.drains.length ? Math.max(...g.drains) : null };
    });
}
