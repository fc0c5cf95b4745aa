import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize } from '../../lib/stats/summary.ts';
import { matchedLogRatio, overheadFromRuns } from '../../lib/stats/overhead.ts';
import { t975 } from '../../lib/stats/tdist.ts';
import { madOutliers } from '../../lib/stats/outliers.ts';
import { mulberry32, seededShuffle } from '../../lib/stats/rng.ts';

const close = (a: number | null, b: number, eps = 1e-6) => assert.ok(a !== null && Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test('summarize: mean, sample sd and type-7 percentiles, by hand', () => {
  // 1..10: mean 5.5, sample variance 82.5/9, p50 = 5.5, p95 at index 8.55 → 9.55, p99 at 8.91 → 9.91.
  const s = summarize([10, 3, 7, 1, 2, 9, 4, 8, 6, 5]);
  assert.equal(s.n, 10);
  close(s.mean, 5.5);
  close(s.stddev, Math.sqrt(82.5 / 9));
  close(s.p50, 5.5);
  close(s.p95, 9.55);
  close(s.p99, 9.91);
  assert.equal(s.min, 1);
  assert.equal(s.max, 10);
});

test('summarize: one sample has zero spread; none is an error', () => {
  const s = summarize(Float64Array.of(42));
  assert.deepEqual([s.n, s.stddev, s.p50, s.p99], [1, 0, 42, 42]);
  assert.throws(() => summarize([]), /no samples/);
});

test('t975 matches the table and approaches the normal quantile', () => {
  close(t975(1), 12.706);
  close(t975(4), 2.776);
  close(t975(30), 2.042);
  assert.ok(Math.abs(t975(60) - 2.0003) < 2e-3, `t975(60)=${t975(60)}`);
  assert.ok(Math.abs(t975(1000) - 1.9623) < 1e-3);
  assert.throws(() => t975(0));
});

test('overheadFromRuns: paired t-interval on per-run log ratios, by hand', () => {
  // ratios 1.10, 1.20, 1.15: d = ln r; mean and sd computed by hand below.
  const d = [Math.log(1.1), Math.log(1.2), Math.log(1.15)];
  const m = (d[0]! + d[1]! + d[2]!) / 3;
  const sd = Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / 2);
  const half = (4.303 * sd) / Math.sqrt(3);
  const e = overheadFromRuns(d);
  close(e.overhead_pct, (Math.exp(m) - 1) * 100);
  close(e.ci_low_pct, (Math.exp(m - half) - 1) * 100);
  close(e.ci_high_pct, (Math.exp(m + half) - 1) * 100);
  assert.equal(e.significant, true);
  assert.equal(e.runs_n, 3);
  close(e.per_run_pct[1]!, 20);
});

test('overheadFromRuns: an interval that includes 0 is not significant; one run has no interval', () => {
  const e = overheadFromRuns([Math.log(1.01), Math.log(0.99), Math.log(1.005)]);
  assert.equal(e.significant, false);
  assert.ok(e.ci_low_pct! < 0 && e.ci_high_pct! > 0);
  const one = overheadFromRuns([Math.log(1.05)]);
  close(one.overhead_pct, 5);
  assert.equal(one.ci_low_pct, null);
  assert.equal(one.significant, null);
  assert.throws(() => overheadFromRuns([]));
});

test('matchedLogRatio: the median of ln(layer/base) over calls matched by message key, by hand', () => {
  const k = (values: number[], keys: number[]) => ({ values: Float64Array.from(values), keys: Float64Array.from(keys) });
  // Baseline on two workers; the layer's samples come in another order and worker split.
  // Pairs by key: 1: 11/10, 2: 30/20, 3: 9/10, 4: 22/20; key 5 has no partner (a rejected send).
  // ln ratios: 0.0953, 0.4055, −0.1054, 0.0953 → sorted −0.1054, 0.0953, 0.0953, 0.4055 → median ln 1.1.
  const base = [k([10, 20], [1, 2]), k([10, 20], [3, 4])];
  const layer = [k([22, 9], [4, 3]), k([30, 50, 11], [2, 5, 1])];
  close(matchedLogRatio(layer, base), Math.log(1.1));
  // Matched by position instead, or as a ratio of the two medians, the answer would differ:
  // medians 22 and 15 → ln(22/15) = 0.38; the keys are what makes it 0.095.
  // A pair with a zero time is skipped; a NaN key never matches; no keys or no partner gives null.
  close(matchedLogRatio([k([0, 12], [1, 2])], [k([10, 10], [1, 2])]), Math.log(1.2));
  close(matchedLogRatio([k([12, 13], [1, Number.NaN])], [k([10, 10], [1, Number.NaN])]), Math.log(1.2));
  assert.equal(matchedLogRatio([{ values: Float64Array.of(1) }], [{ values: Float64Array.of(1) }]), null);
  assert.equal(matchedLogRatio([k([5], [9])], [k([5], [8])]), null);
  assert.equal(matchedLogRatio([], []), null);
});

test('madOutliers flags by modified z-score > 3.5 and never on flat data', () => {
  // median 10, MAD 1 → M = 0.6745·(x − 10): 16 gives 4.05 (outlier), 15 gives 3.37 (not).
  const v = [8, 9, 9, 10, 10, 10, 11, 11, 12, 15, 16].sort((a, b) => a - b);
  assert.deepEqual(madOutliers(v), { high: 1, low: 0 });
  // And below: 4 gives −4.05 (a low outlier), 5 gives −3.37 (not).
  assert.deepEqual(madOutliers([4, 5, 8, 9, 9, 10, 10, 10, 11, 11, 12]), { high: 0, low: 1 });
  assert.deepEqual(madOutliers([5, 5, 5, 5, 100]), { high: 0, low: 0 });
});

test('seeded shuffle is a permutation and repeats with the seed', () => {
  const items = Array.from({ length: 20 }, (_, i) => i);
  const a = seededShuffle(items, mulberry32(7));
  const b = seededShuffle(items, mulberry32(7));
  const c = seededShuffle(items, mulberry32(8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.deepEqual([...a].sort((x, y) => x - y), items);
  assert.notDeepEqual(a, items);
});
