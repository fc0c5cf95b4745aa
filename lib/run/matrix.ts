import type { ConfigName } from '../core/words.ts';
import { mulberry32, seededShuffle } from '../stats/rng.ts';

export interface PlannedCell {
  /** 0 is the warm-up pass; statistical runs count from 1. */
  run: number;
  /** One config, or (interleaved) every config of the run, taking turns round by round. */
  configs: ConfigName[];
  scale: number;
  iterations: number;
  /** Seeds the per-round order of an interleaved cell's configs. */
  orderSeed: number;
}

/**
 * The run matrix: `runs` statistical runs, each after its own warm-up pass (optional). Inside each run every
 * (config, scale) pair is measured once, in a freshly shuffled order, so machine drift falls on
 * every config alike instead of on whichever ran last.
 *
 * Interleaved (the default for the reference bus), a run holds one cell per scale in which every
 * config takes its turn in every round, in a freshly shuffled order each round: a layer and the
 * baseline it is compared with are then measured milliseconds apart, under the same machine
 * state, instead of in separate cells seconds apart. Otherwise each (config, scale) is its own cell.
 */
export function planMatrix(p: { configs: readonly ConfigName[]; scales: readonly number[]; runs: number; iterations: number; warmup: number; seed: number; interleave: boolean }): PlannedCell[] {
  const random = mulberry32(p.seed);
  const cells: PlannedCell[] = [];
  const base = p.interleave ? p.scales.map((scale) => ({ configs: [...p.configs], scale })) : p.configs.flatMap((config) => p.scales.map((scale) => ({ configs: [config], scale })));
  const pass = (run: number, iterations: number) => {
    // The order seeds come from the same stream only when interleaving, so a plan of separate cells
    // stays what the same --seed gave before interleaving existed.
    for (const c of seededShuffle(base, random)) cells.push({ run, iterations, ...c, orderSeed: p.interleave ? Math.floor(random() * 2 ** 32) : 0 });
  };
  for (let run = 1; run <= p.runs; run++) {
    // Every statistical run starts on fresh worker processes (runner.ts), so each gets its own
    // warm-up pass (run 0, discarded) first.
    if (p.warmup > 0) pass(0, p.warmup);
    pass(run, p.iterations);
  }
  return cells;
}
