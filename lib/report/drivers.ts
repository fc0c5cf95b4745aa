/**
 * Drivers side by side, per scale: the bare bus's latencies, what all layers together add, the
 * throughput and the messages lost. Built from the same records as every other table.
 */
import type { Operation } from '../core/words.ts';
import type { BenchRecord } from '../records/schema.ts';
import { driversOf, ofType } from '../records/select.ts';

export interface DriverRow {
  agents: number;
  driver: string;
  /** µs, bare bus (baseline config). */
  send_p50_us: number | null;
  send_p99_us: number | null;
  receive_p50_us: number | null;
  receive_p99_us: number | null;
  delivery_p50_us: number | null;
  delivery_p99_us: number | null;
  /** full_integration vs the bare bus, send and receive (median of matched ratios, %). */
  full_send_pct: number | null;
  full_receive_pct: number | null;
  /** Mean of the cells' whole-system throughput (cells of one config only; interleaved cells have none). */
  throughput_msgs_per_s: number | null;
  lost: number;
}

export function buildDriverRows(records: readonly BenchRecord[]): DriverRow[] {
  const drivers = driversOf(records);
  const stats = ofType(records, 'statistics');
  const overheads = ofType(records, 'overhead');
  const scales = [...new Set(stats.map((s) => s.agent_count))].sort((a, b) => a - b);
  const rows: DriverRow[] = [];
  for (const n of scales) {
    for (const d of drivers) {
      const st = (op: Operation) => stats.find((s) => s.driver === d && s.test_name === 'baseline' && s.agent_count === n && s.operation === op);
      const us = (op: Operation, f: 'p50_ms' | 'p99_ms') => {
        const s = st(op);
        return s ? Number((s[f] * 1000).toFixed(1)) : null;
      };
      const full = (op: Operation) => overheads.find((o) => o.driver === d && o.test_name === 'full_integration' && o.agent_count === n && o.operation === op)?.overhead_pct ?? null;
      const tp = ofType(records, 'resource')
        .filter((r) => r.driver === d && r.agent_count === n && r.run > 0 && typeof r.throughput_msgs_per_s === 'number')
        .map((r) => r.throughput_msgs_per_s as number);
      rows.push({
        agents: n,
        driver: d,
        send_p50_us: us('message_send', 'p50_ms'),
        send_p99_us: us('message_send', 'p99_ms'),
        receive_p50_us: us('message_receive', 'p50_ms'),
        receive_p99_us: us('message_receive', 'p99_ms'),
        delivery_p50_us: us('delivery', 'p50_ms'),
        delivery_p99_us: us('delivery', 'p99_ms'),
        full_send_pct: full('message_send'),
        full_receive_pct: full('message_receive'),
        throughput_msgs_per_s: tp.length > 0 ? Math.round(tp.reduce((a, b) => a + b, 0) / tp.length) : null,
        lost: ofType(records, 'integrity')
          .filter((r) => r.driver === d && r.agent_count === n)
          .reduce((a, r) => a + r.lost, 0),
      });
    }
  }
  return rows;
}

export const DRIVER_HEAD = ['agents', 'driver', 'send p50/p99 µs', 'receive p50/p99 µs', 'delivery p50/p99 µs', 'full: send / receive', 'msgs/s', 'lost'];

/** The table cells of one row, shared by the terminal and markdown renderers. */
export function driverCells(r: DriverRow): string[] {
  const pair = (a: number | null, b: number | null) => `${a ?? '–'} / ${b ?? '–'}`;
  const pct = (x: number | null) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`);
  return [String(r.agents), r.driver, pair(r.send_p50_us, r.send_p99_us), pair(r.receive_p50_us, r.receive_p99_us), pair(r.delivery_p50_us, r.delivery_p99_us), `${pct(r.full_send_pct)} / ${pct(r.full_receive_pct)}`, r.throughput_msgs_per_s === null ? '–' : String(r.throughput_msgs_per_s), String(r.lost)];
}

export const DRIVER_NOTE =
  'the bare bus of each driver (baseline config); full = all layers together vs that bus; msgs/s only for cells of one config (--separate-cells), an interleaved cell shares its wall time among its configs';
