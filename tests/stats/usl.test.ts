import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitUsl, profileLambda, rSquared, sumSquaredError, uslPeakAgents, uslThroughput, USL_MIN_POINTS } from '../../lib/stats/usl.ts';
import { mulberry32 } from '../../lib/stats/rng.ts';

const close = (a: number | null | undefined, b: number, eps = 1e-9) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= eps, `${a} ≉ ${b}`);
const within = (a: number, b: number, rel: number, what: string) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${a} not within ${rel * 100} % of ${b}`);
const SCALES = [1, 2, 5, 10, 20, 50, 100, 200];

test('USL throughput and peak, by hand', () => {
  // σ = 0.1, κ = 0.01, λ = 100 at N = 10: 1000 / (1 + 0.9 + 0.9) = 1000 / 2.8.
  const p = { sigma: 0.1, kappa: 0.01, lambda: 100 };
  close(uslThroughput(10, p), 1000 / 2.8);
  close(uslThroughput(1, p), 100);
  // N* = √(0.9 / 0.01) = √90.
  close(uslPeakAgents(0.1, 0.01), Math.sqrt(90));
  assert.equal(uslPeakAgents(0.1, 0), null);
  // σ = 1: nothing is gained from a second agent; the peak is the first agent
  assert.equal(uslPeakAgents(1, 0.001), 1);
});

test('profiled λ, SSE and R², by hand', () => {
  // σ = κ = 0: g = N, so λ̂ = Σ X·N / Σ N² = (10·1 + 18·2 + 33·4) / (1 + 4 + 16) = 178 / 21.
  const pts = [
    { agents: 1, throughput: 10 },
    { agents: 2, throughput: 18 },
    { agents: 4, throughput: 33 },
  ];
  const lambda = profileLambda(pts, 0, 0);
  close(lambda, 178 / 21);
  const sse = sumSquaredError(pts, { sigma: 0, kappa: 0, lambda });
  close(sse, (10 - lambda) ** 2 + (18 - 2 * lambda) ** 2 + (33 - 4 * lambda) ** 2);
  // mean 61/3; SST = Σ (x − 61/3)².
  const sst = (10 - 61 / 3) ** 2 + (18 - 61 / 3) ** 2 + (33 - 61 / 3) ** 2;
  close(rSquared(pts, sse), 1 - sse / sst);
});

test('fitUsl recovers exact parameters from noiseless data', () => {
  const truth = { sigma: 0.08, kappa: 0.0004, lambda: 20_000 };
  const fit = fitUsl(SCALES.map((n) => ({ agents: n, throughput: uslThroughput(n, truth) })));
  assert.equal(fit.status, 'ok');
  within(fit.params.sigma, truth.sigma, 1e-4, 'σ');
  within(fit.params.kappa, truth.kappa, 1e-4, 'κ');
  within(fit.params.lambda, truth.lambda, 1e-4, 'λ');
  close(fit.r2, 1, 1e-9);
  within(fit.peakAgents!, Math.sqrt(0.92 / 0.0004), 1e-4, 'N*');
});

test('fitUsl recovers σ, κ, λ within 10 % from data with 2 % noise', () => {
  const cases = [
    { sigma: 0.05, kappa: 0.0005, lambda: 1000 },
    { sigma: 0.2, kappa: 0.002, lambda: 15_000 },
    { sigma: 0.02, kappa: 0.0001, lambda: 40_000 },
  ];
  for (const [i, truth] of cases.entries()) {
    const random = mulberry32(100 + i);
    // Multiplicative noise, uniform in ±2 % (a sweep's run-to-run spread on a quiet machine).
    const pts = SCALES.map((n) => ({ agents: n, throughput: uslThroughput(n, truth) * (1 + 0.04 * (random() - 0.5)) }));
    const fit = fitUsl(pts);
    assert.notEqual(fit.status, 'too few points');
    if (fit.status === 'too few points') continue;
    within(fit.params.sigma, truth.sigma, 0.1, `case ${i} σ`);
    within(fit.params.kappa, truth.kappa, 0.1, `case ${i} κ`);
    within(fit.params.lambda, truth.lambda, 0.1, `case ${i} λ`);
    assert.ok(fit.r2 > 0.98, `case ${i} R² ${fit.r2}`);
  }
});

test('fitUsl recovers σ, κ, λ within 10 % on 50 noise draws each (±1 % noise)', () => {
  // With ±2 % noise a small σ (0.02) is not always identifiable to 10 % from 8 scales (worst of
  // 200 draws: 14 %); at ±1 % every draw of every case is within 10 % (worst about 7 %).
  const cases = [
    { sigma: 0.05, kappa: 0.0005, lambda: 1000 },
    { sigma: 0.2, kappa: 0.002, lambda: 15_000 },
    { sigma: 0.02, kappa: 0.0001, lambda: 40_000 },
  ];
  for (const [i, truth] of cases.entries()) {
    for (let seed = 0; seed < 50; seed++) {
      const random = mulberry32(seed);
      const fit = fitUsl(SCALES.map((n) => ({ agents: n, throughput: uslThroughput(n, truth) * (1 + 0.02 * (random() - 0.5)) })));
      if (fit.status === 'too few points') return assert.fail('fitted');
      within(fit.params.sigma, truth.sigma, 0.1, `case ${i} seed ${seed} σ`);
      within(fit.params.kappa, truth.kappa, 0.1, `case ${i} seed ${seed} κ`);
      within(fit.params.lambda, truth.lambda, 0.1, `case ${i} seed ${seed} λ`);
    }
  }
});

test('fitUsl: κ = 0 (Amdahl) gives no peak and the λ/σ ceiling', () => {
  const truth = { sigma: 0.1, kappa: 0, lambda: 500 };
  const fit = fitUsl(SCALES.map((n) => ({ agents: n, throughput: uslThroughput(n, truth) })));
  if (fit.status === 'too few points') return assert.fail('fitted');
  assert.ok(fit.params.kappa < 1e-8, `κ ${fit.params.kappa}`);
  assert.ok(fit.peakAgents === null || fit.peakAgents > 1e3, `N* ${fit.peakAgents}`);
  within(fit.peakThroughput!, 5000, 0.01, 'ceiling');
});

test('fitUsl refuses fewer than 6 distinct scales', () => {
  const truth = { sigma: 0.05, kappa: 0.0005, lambda: 1000 };
  const five = [1, 2, 5, 10, 20].map((n) => ({ agents: n, throughput: uslThroughput(n, truth) }));
  assert.equal(USL_MIN_POINTS, 6);
  assert.deepEqual(fitUsl(five), { status: 'too few points', points_n: 5 });
  // a repeated scale does not count twice; a failed (zero) point does not count at all
  assert.equal(fitUsl([...five, { agents: 20, throughput: 900 }, { agents: 50, throughput: 0 }]).status, 'too few points');
});

test('fitUsl flags a poor fit', () => {
  const zigzag = SCALES.map((n, i) => ({ agents: n, throughput: i % 2 === 0 ? 1000 : 3000 }));
  const fit = fitUsl(zigzag);
  assert.equal(fit.status, 'poor fit');
  assert.ok(fit.r2 < 0.9, `R² ${fit.r2}`);
});
