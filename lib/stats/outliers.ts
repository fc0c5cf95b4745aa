import { medianAbsoluteDeviation, medianSorted } from 'simple-statistics';

/**
 * Outliers by the modified z-score of Iglewicz & Hoaglin (1993): M_i = 0.6745 (x_i − median) / MAD,
 * an outlier when |M_i| > 3.5. Robust to the outliers themselves (unlike mean ± k·sd). Returns the
 * count of high and low outliers; samples are never dropped. MAD = 0 (half the samples equal)
 * counts nothing.
 */
export function madOutliers(sortedValues: readonly number[], threshold = 3.5): { high: number; low: number } {
  if (sortedValues.length < 3) return { high: 0, low: 0 };
  const med = medianSorted(sortedValues as number[]);
  const mad = medianAbsoluteDeviation(sortedValues as number[]);
  if (mad === 0) return { high: 0, low: 0 };
  let high = 0;
  let low = 0;
  for (const x of sortedValues) {
    const z = (0.6745 * (x - med)) / mad;
    if (z > threshold) high++;
    else if (z < -threshold) low++;
  }
  return { high, low };
}
