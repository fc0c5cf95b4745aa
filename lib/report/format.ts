import type { Cell } from './rows.ts';

const sign = (x: number, d = 1) => `${x >= 0 ? '+' : ''}${x.toFixed(d)}`;

/** "+3.2% ±1.1": estimate and the half-width of its 95 % interval; in brackets when the interval includes 0. */
export function pctCell(c: Cell | null | undefined): string {
  if (!c) return '–';
  if (c.lo === null || c.hi === null) return `${sign(c.pct)}%`;
  const text = `${sign(c.pct)}% ±${((c.hi - c.lo) / 2).toFixed(1)}`;
  return c.significant ? text : `(${text})`;
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
