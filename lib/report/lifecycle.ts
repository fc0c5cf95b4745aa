/**
 * The lifecycle table: per scale, over the cells of every run, how long agents took to become
 * ready (the median of the cells' p50, the largest p95 and max) and RSS per kind of process (the
 * mean of the cells' idle and under-load figures, the largest peak).
 */
import type { BenchRecord, LifecycleRecord } from '../records/schema.ts';
import { PROCESS_KINDS, type ProcessKind } from '../measure/lifecycle.ts';

export interface LifecycleRow {
  agents: number;
  cells: number;
  what: string | null;
  ready_p50_ms: number | null;
  ready_p95_ms: number | null;
  ready_max_ms: number | null;
  open_max_ms: number | null;
  rss: Record<ProcessKind, { idle: number | null; load: number | null; peak: number | null }>;
}

const median = (xs: number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : null);
const max = (xs: number[]) => (xs.length ? Math.max(...xs) : null);
const nums = (xs: (number | null | undefined)[]) => xs.filter((x): x is number => typeof x === 'number');

export function lifecycleRows(records: readonly BenchRecord[]): LifecycleRow[] {
  const by = new Map<number, LifecycleRecord[]>();
  for (const r of records) if (r.type === 'lifecycle') by.set(r.agent_count, [...(by.get(r.agent_count) ?? []), r]);
  return [...by.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([agents, rs]) => {
      const rss = {} as LifecycleRow['rss'];
      for (const k of PROCESS_KINDS) {
        rss[k] = { idle: mean(nums(rs.map((r) => r.rss_mb?.[k].idle_mb))), load: mean(nums(rs.map((r) => r.rss_mb?.[k].load_avg_mb))), peak: max(nums(rs.map((r) => r.rss_mb?.[k].peak_mb))) };
      }
      return {
        agents,
        cells: rs.length,
        what: rs.find((r) => r.agents_ready)?.agents_ready?.what ?? null,
        ready_p50_ms: median(nums(rs.map((r) => r.agents_ready?.p50_ms))),
        ready_p95_ms: max(nums(rs.map((r) => r.agents_ready?.p95_ms))),
        ready_max_ms: max(nums(rs.map((r) => r.agents_ready?.max_ms))),
        open_max_ms: max(nums(rs.map((r) => r.open?.max_ms))),
        rss,
      };
    });
}
