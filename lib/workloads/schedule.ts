/**
 * The open loop's send schedule, fixed before the first send: for each sending agent, the times
 * (ns after the cell's start) at which it is to send its messages 0, 1, 2, … Every worker can
 * compute any agent's schedule, so a receiver knows when each message it takes was meant to be
 * sent: latency from that intended time is free of coordinated omission (a sender held up by a
 * slow bus does not hide the wait its late messages suffered).
 */
import { mulberry32 } from '../stats/rng.ts';
import { MAX_SENDS_PER_AGENT } from './flags.ts';
import type { ScheduleSpec } from '../core/protocol.ts';
export type { ScheduleSpec } from '../core/protocol.ts';


/**
 * Agent `agent`'s send times at scale n (ns from the start, ascending, all before the end).
 * constant: every 1/R s, agent i starting i/n of a period in, so the agents' sends are spread
 * evenly instead of all at once. poisson: exponential gaps of mean 1/R s from a generator seeded
 * by the seed and the agent (the same schedule on every worker and in every repetition).
 */
export function agentSchedule(s: ScheduleSpec, agent: number, n: number): Float64Array {
  const periodNs = 1e9 / s.ratePerAgent;
  const endNs = s.durationMs * 1e6;
  const out: number[] = [];
  if (s.arrivals === 'constant') {
    const phase = (periodNs * agent) / n;
    for (let j = 0; ; j++) {
      const t = phase + j * periodNs;
      if (t >= endNs || out.length >= MAX_SENDS_PER_AGENT) break;
      out.push(t);
    }
  } else {
    const random = mulberry32((s.seed ^ Math.imul(agent + 1, 0x9e3779b1)) >>> 0);
    let t = 0;
    for (;;) {
      t += -Math.log(1 - random()) * periodNs;
      if (t >= endNs || out.length >= MAX_SENDS_PER_AGENT) break;
      out.push(t);
    }
  }
  return Float64Array.from(out);
}

/** Every scheduled send of a worker's agents in time order: when, which local slot, which message. */
export interface LocalSchedule {
  atNs: Float64Array;
  slot: Uint32Array;
  seq: Uint32Array;
}

export function mergeSchedules(perSlot: readonly Float64Array[]): LocalSchedule {
  const total = perSlot.reduce((a, x) => a + x.length, 0);
  const order = new Uint32Array(total);
  const at = new Float64Array(total);
  const slot = new Uint32Array(total);
  const seq = new Uint32Array(total);
  let i = 0;
  perSlot.forEach((times, s) =>
    times.forEach((t, k) => {
      at[i] = t;
      slot[i] = s;
      seq[i] = k;
      order[i] = i;
      i++;
    }),
  );
  order.sort((a, b) => at[a]! - at[b]! || slot[a]! - slot[b]!);
  return { atNs: Float64Array.from(order, (o) => at[o]!), slot: Uint32Array.from(order, (o) => slot[o]!), seq: Uint32Array.from(order, (o) => seq[o]!) };
}
