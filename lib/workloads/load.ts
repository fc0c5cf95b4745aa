/**
 * The orchestrator's side of the workload: the load each cell's workers get from the options,
 * and what the workers report of their schedule, summarised for the `load` record.
 */
import type { Arrivals } from '../core/protocol.ts';
import type { LoadRecord } from '../records/schema.ts';
import { sorted } from '../stats/summary.ts';
import { quantileSorted } from 'simple-statistics';
import { LATE_NS, type OpenLoad } from './open.ts';
import type { Pattern } from './pattern.ts';
import { messagesPerRound, patternOf, sendersAt } from './index.ts';

/**
 * A cell's open-loop load, or undefined for the closed loop. --rate-total is shared evenly by the
 * sending agents at the cell's scale. The warm-up pass (run 0) sends at the same rate for
 * --warmup messages per agent's worth of time (at most --duration). Poisson schedules are seeded
 * from --seed, the run and the scale: reproducible, yet not the same draw in every cell.
 */
/** The options the open loop is made from (a subset of config/options.ts Options). */
export interface LoadOptions {
  readonly pattern: string;
  readonly rate: number | null;
  readonly rateTotal: number | null;
  readonly durationMs: number;
  readonly warmup: number;
  readonly seed: number;
  readonly arrivals: Arrivals;
  readonly wait: string;
  /** --find-max-rate sets it for its steps (its p99 budget): OpenLoad.giveUpLateNs. */
  readonly giveUpLateMs?: number;
}

export function openLoadOf(opts: LoadOptions, cell: { run: number; scale: number }): OpenLoad | undefined {
  const pattern = patternOf(opts.pattern);
  if (opts.rate === null && opts.rateTotal === null) return undefined;
  const senders = Math.max(1, sendersAt(pattern, cell.scale));
  const ratePerAgent = opts.rate ?? opts.rateTotal! / senders;
  const durationMs = cell.run === 0 ? Math.min(opts.durationMs, Math.max(1, (opts.warmup / ratePerAgent) * 1000)) : opts.durationMs;
  const seed = (opts.seed ^ Math.imul(cell.run + 1, 0x85ebca6b) ^ Math.imul(cell.scale, 0xc2b2ae35)) >>> 0;
  return { ratePerAgent, arrivals: opts.arrivals, durationMs, seed, wait: opts.wait, ...(opts.giveUpLateMs !== undefined ? { giveUpLateNs: opts.giveUpLateMs * 1e6 } : {}) };
}

const ms = (ns: number) => Number((ns / 1e6).toFixed(6));

/**
 * The schedule's figures for one config of one cell at scale n, from every worker's per-send lag
 * and the sends the workers gave up (`unsent`: scheduled, counted late, with no lag of their own).
 */
export function scheduleFigures(load: OpenLoad, pattern: Pattern, n: number, lags: readonly Float64Array[], unsent = 0): Omit<LoadRecord, 'schema' | 'timestamp' | 'driver' | 'type' | 'test_name' | 'agent_count' | 'run' | 'warmup' | 'pattern'> {
  const all = sorted(lags.flatMap((l) => Array.from(l)));
  const scheduled = all.length + unsent;
  const late = all.filter((x) => x > LATE_NS).length + unsent;
  return {
    loop: 'open',
    arrivals: load.arrivals,
    wait: load.wait,
    rate_per_agent_msgs_per_s: Number(load.ratePerAgent.toFixed(6)),
    offered_msgs_per_s: Number((load.ratePerAgent * messagesPerRound(pattern, n)).toFixed(3)),
    senders: sendersAt(pattern, n),
    duration_ms: load.durationMs,
    scheduled,
    late,
    unsent,
    late_threshold_ms: LATE_NS / 1e6,
    late_pct: scheduled > 0 ? Number(((late * 100) / scheduled).toFixed(4)) : 0,
    lag_p50_ms: all.length > 0 ? ms(quantileSorted(all, 0.5)) : null,
    lag_p99_ms: all.length > 0 ? ms(quantileSorted(all, 0.99)) : null,
    lag_max_ms: all.length > 0 ? ms(all[all.length - 1]!) : null,
  };
}
