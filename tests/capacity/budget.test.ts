import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetCrossing } from '../../lib/capacity/budget.ts';
import { MAX_REPEATS, repeatsFor, repeatSmallCells } from '../../lib/capacity/plan.ts';
import { growthSolve } from '../../lib/stats/growth.ts';

const pts = (pairs: [number, number | null][]) => pairs.map(([agents, value]) => ({ agents, value }));

test('a budget broken inside the sweep is placed between two measured scales', () => {
  const c = budgetCrossing(pts([[1, 0.1], [10, 0.4], [50, 1.2], [100, 6]]), 5, () => 1e9);
  assert.deepEqual(c, { broken_at_agents: 100, last_ok_agents: 50, source: 'measured', extrapolated: false, value_at_break: 6 });
  assert.deepEqual(budgetCrossing(pts([[1, 9], [10, 12]]), 5, null), { broken_at_agents: 1, last_ok_agents: null, source: 'measured', extrapolated: false, value_at_break: 9 });
});

test('beyond the sweep the model is followed to its first crossing, to the agent', () => {
  // p95 = 0.1 + 0.01·N ms crosses 5 ms at N = 490: the first whole N over budget is 491.
  const model = { model: 'linear' as const, a: 0.1, b: 0.01 };
  const c = budgetCrossing(pts([[1, 0.11], [100, 1.1], [200, 2.1]]), 5, (n) => model.a + model.b * n);
  assert.deepEqual(c, { broken_at_agents: 491, last_ok_agents: 200, source: 'model', extrapolated: true, value_at_break: 5.01 });
  assert.equal(Math.floor(growthSolve(model, 5)!) + 1, 491);
});

test('failed scales (null) are skipped; a flat model never breaks the budget', () => {
  const c = budgetCrossing(pts([[1, 0.1], [10, null], [20, 0.2]]), 5, () => 1);
  assert.deepEqual(c, { broken_at_agents: null, last_ok_agents: 20, source: 'none', extrapolated: false, value_at_break: null });
});

test('cells of small scales are repeated until enough messages are measured; the workload stays the same', () => {
  assert.equal(repeatsFor(100, 1, 2000), 20);
  assert.equal(repeatsFor(100, 3, 2000), 7);
  assert.equal(repeatsFor(100, 20, 2000), 1);
  assert.equal(repeatsFor(100, 200, 2000), 1);
  assert.equal(repeatsFor(100, 1, 0), 1);
  assert.equal(repeatsFor(10, 1, 1_000_000), MAX_REPEATS);
  const cells = repeatSmallCells(
    [
      { run: 0, configs: ['baseline'], scale: 1, iterations: 20, orderSeed: 1 },
      { run: 1, configs: ['baseline'], scale: 1, iterations: 100, orderSeed: 2 },
      { run: 1, configs: ['full_integration'], scale: 50, iterations: 100, orderSeed: 3 },
    ],
    300,
  );
  assert.deepEqual(
    cells.map((c) => [c.run, c.scale, c.iterations]),
    [
      [0, 1, 20],
      [1, 1, 100],
      [1, 1, 100],
      [1, 1, 100],
      [1, 50, 100],
    ],
  );
});
