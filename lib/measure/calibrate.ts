import { median } from 'simple-statistics';
import type { Calibration } from '../core/words.ts';
import type { DriverCalibration } from '../core/words.ts';
import { Samples } from './samples.ts';

const hr = process.hrtime.bigint;

/**
 * Per-iteration time of `fn` run `rounds` times in a row, in the fastest of `blocks` blocks: the
 * block least disturbed by the rest of the machine (preemption only ever adds time). `between`
 * runs untimed after each block (to reset state, e.g. empty an inbox).
 */
export function perCall(rounds: number, blocks: number, fn: (i: number) => void, between: () => void = () => {}): number {
  const per: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const t0 = hr();
    for (let i = 0; i < rounds; i++) fn(i);
    per.push(Number(hr() - t0) / rounds);
    between();
  }
  return Math.min(...per);
}

/**
 * For the drivers' calibrations: several async operations timed in blocks that alternate (after
 * one untimed warm-up block each, block b of every operation runs before block b+1 of any), so
 * machine drift and JIT warm-up fall on all of them alike instead of on whichever would have run
 * first. Each operation's figure is its fastest block's per-call mean (ns), with that block's
 * index (0-based, warm-up excluded) for anything the caller counted per block. `between` runs
 * untimed after each of the operation's blocks (to reset state, e.g. empty an inbox).
 */
export async function interleavedAsync<K extends string>(
  blocks: number,
  fns: Record<K, { rounds: number; fn: () => Promise<unknown>; between?: () => Promise<unknown> }>,
): Promise<Record<K, { perCallNs: number; block: number }>> {
  const keys = Object.keys(fns) as K[];
  const best = Object.fromEntries(keys.map((k) => [k, { perCallNs: Infinity, block: -1 }])) as Record<K, { perCallNs: number; block: number }>;
  for (let b = -1; b < blocks; b++) {
    for (const k of keys) {
      const { rounds, fn, between } = fns[k];
      const t0 = hr();
      for (let i = 0; i < rounds; i++) await fn();
      const per = Number(hr() - t0) / rounds;
      if (b >= 0 && per < best[k].perCallNs) best[k] = { perCallNs: per, block: b };
      await between?.();
    }
  }
  return best;
}

export interface HarnessCalibration {
  timer_empty_p50_ns: number;
  harness_cost_per_call_ns: number;
  await_empty_p50_ns: number;
}

/**
 * What timing a call costs the harness, measured in a worker before the matrix, whatever the bus:
 *  - timer_empty_p50_ns: median of an empty timed region (two clock reads);
 *  - harness_cost_per_call_ns: extra time per call of timing it and storing the sample (fastest block);
 *  - await_empty_p50_ns: median of a timed `await` of a resolved promise, the least an awaited
 *    call of an async bus pays for the event loop.
 */
export async function calibrateHarness(rounds: number): Promise<HarnessCalibration> {
  const empty = new Samples(rounds);
  for (let i = 0; i < rounds; i++) {
    const t0 = hr();
    const t1 = hr();
    empty.push(Number(t1 - t0));
  }
  let sink = 0;
  const work = (i: number) => {
    sink = (sink + i * 7) % 1013;
  };
  const blocks = 11;
  const untimed = perCall(rounds, blocks, work);
  const s = new Samples(rounds * blocks);
  const timed = perCall(rounds, blocks, (i) => {
    const t0 = hr();
    work(i);
    s.push(Number(hr() - t0));
  });
  const awaited = new Samples(rounds);
  const resolved = Promise.resolve();
  for (let i = 0; i < rounds; i++) {
    const t0 = hr();
    await resolved;
    awaited.push(Number(hr() - t0));
  }
  return {
    timer_empty_p50_ns: round(median(Array.from(empty.values())), 1),
    harness_cost_per_call_ns: round(Math.max(0, timed - untimed), 1),
    await_empty_p50_ns: round(median(Array.from(awaited.values())), 1),
  };
}

/** The run's calibration: the harness's figures beside the driver's floor and bus. */
export function combine(h: HarnessCalibration, d: DriverCalibration): Calibration {
  return {
    ...h,
    floor_name: d.floor_name,
    floor_round_trip_us: round(d.floor_round_trip_us, 3),
    bus_round_trip_us: round(d.bus_round_trip_us, 3),
    bus_send_us: round(d.bus_send_us, 3),
    bus_vs_floor_ratio: round(d.bus_round_trip_us / d.floor_round_trip_us, 3),
    harness_pct_of_send: round((100 * h.harness_cost_per_call_ns) / (d.bus_send_us * 1000), 4),
    ...(d.extra ?? {}),
  };
}

function round(x: number, d: number): number {
  return Number(x.toFixed(d));
}
