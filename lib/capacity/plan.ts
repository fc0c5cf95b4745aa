import type { PlannedCell } from '../run/matrix.ts';

/**
 * Messages per agent for a measured cell: at least `iterations`, and enough that the cell sends
 * `cellMessages` in all. At 1 agent and 100 messages a cell lasts a few milliseconds, too short
 * for its throughput (or its CPU time, counted in 10 ms ticks) to mean much; large scales are long
 * enough already and keep `iterations`.
 */
export function perAgentIterations(iterations: number, agents: number, cellMessages: number): number {
  return Math.max(iterations, Math.ceil(cellMessages / agents));
}

/** The capacity sweep's plan: measured cells get perAgentIterations; the warm-up pass is left alone. */
export function stretchSmallCells(cells: readonly PlannedCell[], cellMessages: number): PlannedCell[] {
  return cells.map((c) => (c.run === 0 ? c : { ...c, iterations: perAgentIterations(c.iterations, c.scale, cellMessages) }));
}
