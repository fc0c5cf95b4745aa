import type { ConfigName } from '../layers/names.ts';
import { mulberry32, seededShuffle } from '../stats/rng.ts';

export interface PlannedCell {
  /** 0 is the warm-up pass; statistical runs count from 1. */
  run: number;
  config: ConfigName;
  scale: number;
  iterations: number;
}

/**
 * The run matrix: an optional warm-up pass, then `runs` statistical runs. Inside each run every
 * (config, scale) cell is measured once, in a freshly shuffled order, so machine drift falls on
 * every config alike instead of on whichever ran last.
 */
export function planMatrix(p: { configs: readonly ConfigName[]; scales: readonly number[]; runs: number; iterations: number; warmup: number; seed: number }): PlannedCell[] {
  const random = mulberry32(p.seed);
  const cells: PlannedCell[] = [];
  const base = p.configs.flatMap((config) => p.scales.map((scale) => ({ config, scale })));
  const first = p.warmup > 0 ? 0 : 1;
  for (let run = first; run <= p.runs; run++) {
    const iterations = run === 0 ? p.warmup : p.iterations;
    for (const c of seededShuffle(base, random)) cells.push({ run, iterations, ...c });
  }
  return cells;
}
