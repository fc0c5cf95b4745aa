import { nelderMead } from './minimize.ts';
import { rSquaredFromSse } from './r2.ts';

/**
 * The Universal Scalability Law (Gunther, "Guerrilla Capacity Planning", 2007, ch. 4–5):
 *
 *   X(N) = λN / (1 + σ(N − 1) + κN(N − 1))
 *
 * λ: throughput of one agent alone; σ: contention (the serialised share of the work, Amdahl);
 * κ: coherency (the cost of agents keeping each other consistent, which makes throughput fall
 * past a peak). The peak is at N* = √((1 − σ)/κ).
 *
 * Fitting method (documented in docs/capacity.md, tested in tests/stats/usl.test.ts):
 * least squares on the measured throughputs, Σ (X_i − X(N_i))², with σ, κ ∈ [0, 1] and λ > 0,
 * as the R package `usl` (Möding) does with nls. For fixed σ, κ the model is linear in λ, so λ is
 * profiled out in closed form — with g_i = N_i / (1 + σ(N_i − 1) + κN_i(N_i − 1)),
 * λ̂ = Σ X_i g_i / Σ g_i² — leaving a two-parameter problem. It is started from the best point of
 * a grid over σ ∈ {0} ∪ [1e-6, 1] and κ ∈ {0} ∪ [1e-9, 1] (log-spaced; the error surface has long
 * flat valleys, so a good start matters more than the optimiser) and polished with Nelder–Mead.
 * R² = 1 − SSE / Σ (X_i − X̄)², on throughput.
 */
export interface UslParams {
  sigma: number;
  kappa: number;
  lambda: number;
}

export interface UslPoint {
  agents: number;
  throughput: number;
}

export const USL_MIN_POINTS = 6;
/** Below this R² the fit is reported but flagged "poor fit". */
export const USL_POOR_R2 = 0.9;

export type UslFit =
  | { status: 'too few points'; points_n: number }
  | {
      status: 'ok' | 'poor fit';
      points_n: number;
      params: UslParams;
      r2: number;
      sse: number;
      /** N* (real, not rounded); null when κ = 0: throughput never turns down. */
      peakAgents: number | null;
      /** X(N*), or the ceiling λ/σ approached as N → ∞ when κ = 0 (null when σ = κ = 0: unbounded). */
      peakThroughput: number | null;
    };

export function uslThroughput(n: number, p: UslParams): number {
  return (p.lambda * n) / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}

/**
 * N* = √((1 − σ)/κ); null when κ = 0 (no peak). Never below 1: when √((1 − σ)/κ) < 1 (e.g. σ = 1)
 * throughput only falls from the first agent on, so the peak is at one agent.
 */
export function uslPeakAgents(sigma: number, kappa: number): number | null {
  if (kappa <= 0) return null;
  return Math.max(1, Math.sqrt(Math.max(0, 1 - sigma) / kappa));
}

/** The λ minimising the squared error for fixed σ, κ: Σ X g / Σ g². */
export function profileLambda(points: readonly UslPoint[], sigma: number, kappa: number): number {
  let xg = 0;
  let gg = 0;
  for (const { agents: n, throughput: x } of points) {
    const g = n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
    xg += x * g;
    gg += g * g;
  }
  return gg > 0 ? xg / gg : 0;
}

export function sumSquaredError(points: readonly UslPoint[], p: UslParams): number {
  return points.reduce((a, q) => a + (q.throughput - uslThroughput(q.agents, p)) ** 2, 0);
}

export function rSquared(points: readonly UslPoint[], sse: number): number {
  return rSquaredFromSse(points.map((q) => q.throughput), sse);
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function logGrid(lo: number, hi: number, steps: number): number[] {
  const out = [0];
  for (let i = 0; i < steps; i++) out.push(lo * (hi / lo) ** (i / (steps - 1)));
  return out;
}

/** Fit the USL to throughput measured at distinct agent counts (one point per count). */
export function fitUsl(points: readonly UslPoint[]): UslFit {
  const good = points.filter((p) => Number.isFinite(p.throughput) && p.throughput > 0 && p.agents >= 1);
  const distinct = new Set(good.map((p) => p.agents)).size;
  if (distinct < USL_MIN_POINTS) return { status: 'too few points', points_n: distinct };
  const sse = (sigma: number, kappa: number) => sumSquaredError(good, { sigma, kappa, lambda: profileLambda(good, sigma, kappa) });

  let best = { sigma: 0, kappa: 0, v: sse(0, 0) };
  for (const sigma of logGrid(1e-6, 1, 61)) {
    for (const kappa of logGrid(1e-9, 1, 91)) {
      const v = sse(sigma, kappa);
      if (v < best.v) best = { sigma, kappa, v };
    }
  }
  const scale = Math.max(best.v, 1e-300);
  const polished = nelderMead(
    ([s, k]) => sse(clamp01(s!), clamp01(k!)) / scale,
    [best.sigma, best.kappa],
    [Math.max(best.sigma * 0.2, 1e-6), Math.max(best.kappa * 0.2, 1e-9)],
    { maxIter: 4000, tol: 1e-14 },
  );
  let sigma = clamp01(polished.point[0]!);
  let kappa = clamp01(polished.point[1]!);
  if (sse(sigma, kappa) > best.v) ({ sigma, kappa } = best);
  const params = { sigma, kappa, lambda: profileLambda(good, sigma, kappa) };
  const err = sumSquaredError(good, params);
  const r2 = rSquared(good, err);
  const peakAgents = uslPeakAgents(sigma, kappa);
  const peakThroughput = peakAgents !== null ? uslThroughput(Math.max(1, peakAgents), params) : sigma > 0 ? params.lambda / sigma : null;
  return { status: r2 < USL_POOR_R2 ? 'poor fit' : 'ok', points_n: distinct, params, r2, sse: err, peakAgents, peakThroughput };
}
