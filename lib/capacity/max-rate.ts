/**
 * The highest sustainable rate (`busbench capacity --find-max-rate`): per config, the offered
 * rate is doubled from START_RATE until a step breaks the budget, then the gap between the highest
 * rate that held and the lowest that broke is halved until it is within PRECISION (or the steps
 * run out). A step holds when the open loop's p99 delivery latency from the intended send time is
 * within the budget and no message was lost; a growing inbox backlog shows in that p99 (every
 * message waiting behind the backlog carries the wait from its intended send time).
 */
import type { ConfigName } from '../core/words.ts';
import type { MaxRatePoint } from '../records/schema.ts';

/** Messages per second per sending agent of the first step. */
export const START_RATE = 10;
/** The search ends once the highest rate that held is within this fraction of the lowest that broke. */
export const PRECISION = 0.1;

/** One config's search: the rates it held and broke, and what it asks for next. */
export class RateSearch {
  lo: number | null = null;
  hi: number | null = null;
  steps = 0;
  readonly points: MaxRatePoint[] = [];
  constructor(readonly config: ConfigName, readonly maxSteps: number) {}

  /** The next rate to measure (per agent), or null when the search is over. */
  next(): number | null {
    if (this.steps >= this.maxSteps) return null;
    if (this.hi === null) return this.lo === null ? START_RATE : this.lo * 2;
    if (this.lo === null) return this.hi / 2 >= START_RATE / 64 ? this.hi / 2 : null;
    return this.hi / this.lo > 1 + PRECISION ? (this.lo + this.hi) / 2 : null;
  }

  record(point: MaxRatePoint): void {
    this.steps++;
    this.points.push(point);
    const r = point.rate_per_agent_msgs_per_s;
    if (point.held) this.lo = Math.max(this.lo ?? r, r);
    else this.hi = Math.min(this.hi ?? r, r);
  }

  /** found: a rate held and a higher one broke; step limit: every rate tried held; none held: not even the lowest. */
  status(): 'found' | 'step limit' | 'none held' {
    if (this.lo === null) return 'none held';
    return this.hi === null ? 'step limit' : 'found';
  }
}

/**
 * Run every config's search to its end: each step measures, at one rate, every config that asks
 * for that rate (`measure` gets the rate and the configs, and returns one point per config).
 */
export async function searchMaxRates(searches: readonly RateSearch[], measure: (ratePerAgent: number, configs: ConfigName[]) => Promise<Map<ConfigName, MaxRatePoint>>, stop: () => boolean = () => false): Promise<void> {
  for (;;) {
    if (stop()) return;
    const wanted = new Map<number, RateSearch[]>();
    for (const s of searches) {
      const r = s.next();
      if (r !== null) wanted.set(r, [...(wanted.get(r) ?? []), s]);
    }
    if (wanted.size === 0) return;
    // The lowest rate first: the configs still doubling in step keep measuring together.
    const [rate, group] = [...wanted.entries()].sort((a, b) => a[0] - b[0])[0]!;
    const points = await measure(rate, group.map((s) => s.config));
    for (const s of group) {
      const p = points.get(s.config);
      if (!p) throw new Error(`the step at ${rate}/s measured nothing for ${s.config}`);
      s.record(p);
    }
  }
}
