/**
 * The highest sustainable rate (`busbench capacity --find-max-rate`): per config, the offered
 * rate is doubled from START_RATE until a step breaks the budget, then the gap between the highest
 * rate that held and the lowest that broke is halved until it is within PRECISION (or the steps
 * run out). A step holds when the open loop's p99 delivery latency from the intended send time is
 * within the budget and no message was lost; a growing inbox backlog shows in that p99 (every
 * message waiting behind the backlog carries the wait from its intended send time).
 *
 * A p99 from a few seconds of a lightly loaded machine is noisy: one garbage collection or one
 * wake-up late by a few ms breaks a 5 ms budget at a rate far below the knee, and a search that
 * believed it stopped there (three searches with the defaults found 320, 320 and 130/s for the bare
 * bus here, docs/capacity.md). So a rate
 * whose step breaks the p99 budget is measured again: it breaks when two of its steps break, and
 * holds when two hold (a third step decides between one and one). A step that held settles its
 * rate at once, and so does a loss or a failed step (those are not noise).
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
  /** Per rate: its steps that held and broke (while it is not settled). */
  private readonly tally = new Map<number, { held: number; broke: number }>();
  /** A rate whose steps disagree or whose only step broke its p99: measured again before anything else. */
  private unsettled: number | null = null;
  constructor(readonly config: ConfigName, readonly maxSteps: number) {}

  /** The next rate to measure (per agent), or null when the search is over. */
  next(): number | null {
    if (this.steps >= this.maxSteps) return null;
    if (this.unsettled !== null) return this.unsettled;
    if (this.hi === null) return this.lo === null ? START_RATE : this.lo * 2;
    if (this.lo === null) return this.hi / 2 >= START_RATE / 64 ? this.hi / 2 : null;
    return this.hi / this.lo > 1 + PRECISION ? (this.lo + this.hi) / 2 : null;
  }

  record(point: MaxRatePoint): void {
    this.steps++;
    this.points.push(point);
    const r = point.rate_per_agent_msgs_per_s;
    const t = this.tally.get(r) ?? { held: 0, broke: 0 };
    this.tally.set(r, t);
    if (point.held) t.held++;
    else t.broke++;
    this.unsettled = null;
    if (point.held && t.broke === 0) this.settle(r, true);
    else if (!point.held && point.reason !== 'p99') this.settle(r, false);
    else if (t.held >= 2 || t.broke >= 2) this.settle(r, t.held > t.broke);
    else this.unsettled = r;
  }

  private settle(r: number, held: boolean): void {
    this.tally.delete(r);
    if (held) this.lo = Math.max(this.lo ?? r, r);
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
