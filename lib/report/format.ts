import type { Cell } from './rows.ts';

const sign = (x: number, d = 1) => `${x >= 0 ? '+' : ''}${x.toFixed(d)}`;

/** What a cell whose interval includes 0 shows instead of its misleading estimate. */
export const NOT_MEASURABLE = 'n.m.';

/**
 * "+3.2% ±1.1": estimate and the half-width of its 95 % interval. When the interval includes 0
 * the estimate is not shown: "n.m. ±4.0" (not measurable at this resolution; ± the half-width).
 */
export function pctCell(c: Cell | null | undefined, notMeasurable = NOT_MEASURABLE): string {
  if (!c) return '–';
  if (c.half === null) return `${sign(c.pct)}%`;
  return c.significant ? `${sign(c.pct)}% ±${c.half.toFixed(1)}` : `${notMeasurable} ±${c.half.toFixed(1)}`;
}

export function us(x: number | null | undefined, d = 1): string {
  return x === null || x === undefined ? '–' : `${x.toFixed(d)} µs`;
}

export function signedUs(x: number): string {
  return `${sign(x, 2)} µs`;
}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : `${sign(x)}%`;
}

export function short(op: string): string {
  return op.replace('message_', '');
}

/** A measured amount in a unit, rounded to whole units; '–' when there is none. */
export function amount(x: number | null | undefined, unit: '%' | 'MB' | 'KB' | ''): string {
  if (x === null || x === undefined) return '–';
  return unit === '' ? x.toFixed(0) : unit === '%' ? `${x.toFixed(0)}%` : `${x.toFixed(0)} ${unit}`;
}

/** full ÷ Σ layers: "×0.97", or '–'. */
export function times(x: number | null): string {
  return x === null ? '–' : `×${x.toFixed(2)}`;
}

/** A resolution (noop half-width): "±0.6%", or "no interval" with one run. */
export function halfWidth(half: number | null): string {
  return half === null ? 'no interval' : `±${half.toFixed(1)}%`;
}

/** The thresholds' heading: "all passed" or "2 of 5 failed". */
export function thresholdsVerdict(rows: readonly { passed: boolean }[]): string {
  const failed = rows.filter((r) => !r.passed).length;
  return failed === 0 ? 'all passed' : `${failed} of ${rows.length} failed`;
}
