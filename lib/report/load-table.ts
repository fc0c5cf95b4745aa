import Table from 'cli-table3';
import type { BenchRecord, LoadRecord, StatisticsRecord } from '../records/schema.ts';
import { CONFIGS } from '../core/words.ts';

/** One config at one scale of an open-loop run: latency from intended and from actual send times, and how the schedule held. */
export interface LoadRow {
  config: string;
  agents: number;
  offered_msgs_per_s: number;
  arrivals: string;
  wait: string;
  /** [p50, p99, p999] in ms: from the intended send time, and from the actual one. */
  intended: [number, number, number] | null;
  actual: [number, number, number] | null;
  scheduled: number;
  late: number;
  late_pct: number;
}

const triple = (s: StatisticsRecord | undefined): [number, number, number] | null => (s ? [s.p50_ms, s.p99_ms, s.p999_ms ?? s.max_ms] : null);

/** The open-loop rows of a file (statistical runs only; none for a closed-loop file). */
export function loadRows(records: readonly BenchRecord[]): LoadRow[] {
  const loads = records.filter((r): r is LoadRecord => r.type === 'load' && !r.warmup);
  const stats = records.filter((r): r is StatisticsRecord => r.type === 'statistics');
  const groups = new Map<string, LoadRecord[]>();
  for (const l of loads) {
    const k = `${l.test_name}|${l.agent_count}`;
    groups.set(k, [...(groups.get(k) ?? []), l]);
  }
  const rows: LoadRow[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    const stat = (op: string) => stats.find((s) => s.test_name === first.test_name && s.agent_count === first.agent_count && s.operation === op);
    const scheduled = list.reduce((a, l) => a + l.scheduled, 0);
    const late = list.reduce((a, l) => a + l.late, 0);
    rows.push({
      config: first.test_name,
      agents: first.agent_count,
      offered_msgs_per_s: first.offered_msgs_per_s,
      arrivals: first.arrivals,
      wait: first.wait,
      intended: triple(stat('delivery_intended')),
      actual: triple(stat('delivery')),
      scheduled,
      late,
      late_pct: scheduled > 0 ? (late * 100) / scheduled : 0,
    });
  }
  return rows.sort((a, b) => CONFIGS.indexOf(a.config as never) - CONFIGS.indexOf(b.config as never) || a.agents - b.agents);
}

const msCell = (t: [number, number, number] | null) => (t ? t.map((x) => (x >= 10 ? x.toFixed(1) : x.toFixed(2))).join(' / ') : '–');

/** The open loop's table: empty for a closed-loop file. */
export function renderLoadTable(records: readonly BenchRecord[], colour: boolean): string {
  const rows = loadRows(records);
  if (rows.length === 0) return '';
  const t = new Table({ head: ['config', 'agents', 'offered', 'delivery from intended p50/p99/p999', 'from actual send p50/p99/p999', 'sends', 'late > 1 ms'], style: { head: colour ? ['cyan'] : [], border: colour ? ['grey'] : [] } });
  for (const r of rows) t.push([r.config, String(r.agents), `${r.offered_msgs_per_s.toFixed(0)}/s`, `${msCell(r.intended)} ms`, `${msCell(r.actual)} ms`, String(r.scheduled), `${r.late} (${r.late_pct.toFixed(2)}%)`]);
  const how = `${rows[0]!.arrivals} arrivals, receivers ${rows[0]!.wait}`;
  return `\nOpen loop (${how}): delivery latency from each message's intended send time (free of coordinated omission) and from when it was actually sent; sends that began more than 1 ms late\n${t.toString()}\n`;
}
