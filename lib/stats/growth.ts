import { linearRegression } from 'simple-statistics';
import { rSquaredFromSse } from './r2.ts';

/**
 * How a latency (or any positive cost) grows with the number of agents N. Two candidate models,
 * both fitted by ordinary least squares (simple-statistics' linearRegression):
 *
 *   linear   y = a + b·N          OLS on (N, y)
 *   power    y = a·N^b            OLS on (ln N, ln y), then a = e^intercept
 *
 * The one with the higher R² on the original scale, R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)², is kept
 * (comparing on the same scale keeps the choice fair; the log-space R² of the power model would
 * flatter it). Needs at least GROWTH_MIN_POINTS distinct N; values must be > 0.
 */
export type GrowthModel = 'linear' | 'power';

export interface GrowthPoint {
  agents: number;
  value: number;
}

export const GROWTH_MIN_POINTS = 3;

export type GrowthFit = { status: 'too few points'; points_n: number } | { status: 'ok'; points_n: number; model: GrowthModel; a: number; b: number; r2: number };

export function growthValue(fit: { model: GrowthModel; a: number; b: number }, n: number): number {
  return fit.model === 'linear' ? fit.a + fit.b * n : fit.a * n ** fit.b;
}

/** The N at which the fitted curve reaches `target`; null when it never does (flat or falling). */
export function growthSolve(fit: { model: GrowthModel; a: number; b: number }, target: number): number | null {
  if (fit.b <= 0) return null;
  if (fit.model === 'linear') return (target - fit.a) / fit.b;
  if (fit.a <= 0) return null;
  return (target / fit.a) ** (1 / fit.b);
}

function r2Of(points: readonly GrowthPoint[], f: (n: number) => number): number {
  return rSquaredFromSse(points.map((p) => p.value), points.reduce((a, p) => a + (p.value - f(p.agents)) ** 2, 0));
}

export function fitGrowth(points: readonly GrowthPoint[]): GrowthFit {
  const good = points.filter((p) => Number.isFinite(p.value) && p.value > 0 && p.agents >= 1);
  const distinct = new Set(good.map((p) => p.agents)).size;
  if (distinct < GROWTH_MIN_POINTS) return { status: 'too few points', points_n: distinct };
  const lin = linearRegression(good.map((p) => [p.agents, p.value]));
  const pow = linearRegression(good.map((p) => [Math.log(p.agents), Math.log(p.value)]));
  const candidates = [
    { model: 'linear' as const, a: lin.b, b: lin.m },
    { model: 'power' as const, a: Math.exp(pow.b), b: pow.m },
  ].map((c) => ({ ...c, r2: r2Of(good, (n) => growthValue(c, n)) }));
  const best = candidates[0]!.r2 >= candidates[1]!.r2 ? candidates[0]! : candidates[1]!;
  return { status: 'ok', points_n: distinct, ...best };
}
