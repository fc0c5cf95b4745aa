/**
 * Two-sided 95 % critical values of Student's t (the 0.975 quantile) for df = 1…30, from the
 * standard tables (e.g. NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.2).
 * simple-statistics has no inverse t CDF.
 */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08,
  2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * t(0.975, df). Beyond the table, the Cornish–Fisher expansion around the normal quantile
 * z = 1.959964 (Abramowitz & Stegun 26.7.5), accurate to better than 1e-3 for df > 30.
 */
export function t975(df: number): number {
  if (!Number.isFinite(df) || df < 1) throw new Error(`t975: degrees of freedom must be ≥ 1, got ${df}`);
  const d = Math.floor(df);
  if (d <= T975.length) return T975[d - 1]!;
  const z = 1.959964;
  const z3 = z ** 3;
  const z5 = z ** 5;
  return z + (z3 + z) / (4 * d) + (5 * z5 + 16 * z3 + 3 * z) / (96 * d * d);
}
