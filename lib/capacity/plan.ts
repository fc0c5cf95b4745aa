import type { PlannedCell } from '../run/matrix.ts';

/** Most times one cell is measured per statistical run. */
export const MAX_REPEATS = 20;

/**
 * How many times to measure a cell in each run so that it sends at least `cellMessages` in all.
 * At 1 agent and 100 messages a cell lasts a few milliseconds: one such cell gives a shaky
 * throughput and no CPU figure (CPU time comes in 10 ms ticks). Repeating the same cell, rather
 * than letting each agent send more, keeps every cell's workload the same at every scale: the
 * agents do not pace each other, so a longer cell lets the workers drift further apart and
 * would inflate the end-to-end latency of small scales only.
 */
export function repeatsFor(iterations: number, agents: number, cellMessages: number): number {
  if (cellMessages <= 0) return 1;
  return Math.min(MAX_REPEATS, Math.max(1, Math.ceil(cellMessages / (agents * iterations))));
}

/** The capacity sweep's plan: each measured cell repeated (back to back) per repeatsFor; the warm-up is left alone. */
export function repeatSmallCells(cells: readonly PlannedCell[], cellMessages: number): PlannedCell[] {
  return cells.flatMap((c) => (c.run === 0 ? [c] : Array.from({ length: repeatsFor(c.iterations, c.scale, cellMessages) }, () => ({ ...c }))));
}
