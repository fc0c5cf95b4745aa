/**
 * Coefficient of determination from the residual sum of squares: R² = 1 − SSE/SST. With no
 * spread in the observations (SST = 0) a perfect fit counts as 1, any error as 0.
 */
export function rSquaredFromSse(observed: readonly number[], sse: number): number {
  const m = observed.reduce((a, x) => a + x, 0) / observed.length;
  const sst = observed.reduce((a, x) => a + (x - m) ** 2, 0);
  return sst > 0 ? 1 - sse / sst : sse === 0 ? 1 : 0;
}
