import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incompleteBeta, tCdf, tQuantile, tTwoSidedP } from '../../lib/stats/student.ts';
import { t975 } from '../../lib/stats/tdist.ts';

test('tQuantile(0.975) reproduces the t table for df 1…30', () => {
  for (let df = 1; df <= 30; df++) assert.ok(Math.abs(tQuantile(0.975, df) - t975(df)) < 6e-4, `df ${df}: ${tQuantile(0.975, df)} vs ${t975(df)}`);
});

test('tCdf and quantiles against reference values', () => {
  // R: pt(2, 10) = 0.9633062; qt(0.995, 10) = 3.169273; pt(1, 1) = 0.75 (Cauchy); qt(0.9, 4.5) = 1.5055
  assert.ok(Math.abs(tCdf(2, 10) - 0.9633062) < 1e-6);
  assert.ok(Math.abs(tQuantile(0.995, 10) - 3.169273) < 1e-5);
  assert.ok(Math.abs(tCdf(1, 1) - 0.75) < 1e-9);
  assert.ok(Math.abs(tCdf(-1, 1) - 0.25) < 1e-9);
  assert.ok(Math.abs(tTwoSidedP(2.228139, 10) - 0.05) < 1e-5);
  assert.equal(tQuantile(0.5, 3), 0);
  assert.ok(Math.abs(tQuantile(0.025, 10) + tQuantile(0.975, 10)) < 1e-9);
  // I_x(a, 1) = x^a; I_0.5(a, a) = 0.5
  assert.ok(Math.abs(incompleteBeta(0.3, 2.5, 1) - 0.3 ** 2.5) < 1e-12);
  assert.ok(Math.abs(incompleteBeta(0.5, 3.7, 3.7) - 0.5) < 1e-12);
});
