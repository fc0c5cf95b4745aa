import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitGrowth, growthSolve, growthValue } from '../../lib/stats/growth.ts';

const close = (a: number | null | undefined, b: number, eps = 1e-9) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test('linear growth, by hand: y = 2 + 0.5 N', () => {
  const fit = fitGrowth([1, 2, 4, 8].map((n) => ({ agents: n, value: 2 + 0.5 * n })));
  assert.equal(fit.status, 'ok');
  if (fit.status !== 'ok') return;
  assert.equal(fit.model, 'linear');
  close(fit.a, 2);
  close(fit.b, 0.5);
  close(fit.r2, 1);
  close(growthValue(fit, 500), 252);
  // 2 + 0.5 N = 5 → N = 6
  close(growthSolve(fit, 5), 6);
});

test('power growth, by hand: y = 0.1 N^1.5', () => {
  const fit = fitGrowth([1, 4, 9, 16, 100].map((n) => ({ agents: n, value: 0.1 * n ** 1.5 })));
  if (fit.status !== 'ok') return assert.fail('fitted');
  assert.equal(fit.model, 'power');
  close(fit.a, 0.1, 1e-9);
  close(fit.b, 1.5, 1e-9);
  close(growthValue(fit, 400), 0.1 * 8000, 1e-6);
  // 0.1 N^1.5 = 100 → N = 1000^(2/3) = 100
  close(growthSolve(fit, 100), 100, 1e-6);
});

test('least squares with noise: slope and intercept as computed by hand', () => {
  // x = 1,2,3; y = 1,3,2: x̄ = 2, ȳ = 2, Sxy = (−1)(−1) + 0 + (1)(0) = 1, Sxx = 2 → b = 0.5, a = 1.
  const fit = fitGrowth([
    { agents: 1, value: 1 },
    { agents: 2, value: 3 },
    { agents: 3, value: 2 },
  ]);
  if (fit.status !== 'ok') return assert.fail('fitted');
  assert.equal(fit.model, 'linear', 'on these points the line fits better than a power law');
  close(fit.a, 1);
  close(fit.b, 0.5);
  // SSE = 0.25 + 1 + 0.25 = 1.5 (ŷ = 1.5, 2, 2.5), SST = 2 → R² = 0.25
  close(fit.r2, 0.25);
});

test('flat or falling curves never reach a target; too few points refused', () => {
  assert.equal(growthSolve({ model: 'linear', a: 5, b: 0 }, 10), null);
  assert.equal(growthSolve({ model: 'power', a: 5, b: -0.2 }, 10), null);
  assert.deepEqual(fitGrowth([{ agents: 1, value: 1 }, { agents: 2, value: 2 }]), { status: 'too few points', points_n: 2 });
});
