import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCapacityRows, msUnit } from '../../lib/report/capacity-rows.ts';
import type { BudgetCrossing, CapacityRecord } from '../../lib/records/schema.ts';
import type { ConfigName } from '../../lib/core/words.ts';

function cap(config: ConfigName, overhead: BudgetCrossing): CapacityRecord {
  return {
    schema: 1,
    timestamp: 't',
    driver: 'tmpfs',
    type: 'capacity',
    test_name: config,
    status: 'too few points',
    method: 'usl_least_squares',
    points_n: 2,
    sigma: null,
    kappa: null,
    lambda: null,
    r2: null,
    peak_agents: null,
    peak_throughput_msgs_per_s: null,
    peak_extrapolated: null,
    latency_fit: { operation: 'delivery', statistic: 'p95', status: 'ok', model: 'linear', a: 0.5, b: -0.002, r2: 0.5 },
    rss_mb_per_extra_agent: null,
    points: [],
    predictions: [],
    budget_p95_ms: null,
    p95_budget: null,
    budget_overhead_pct: 1,
    overhead_budget: overhead,
    warnings: [],
  };
}
const at = (n: number | null, value: number | null): BudgetCrossing => ({ broken_at_agents: n, last_ok_agents: null, source: n === null ? 'none' : 'measured', extrapolated: false, value_at_break: value });

test('first to break: the fewest agents, and among equals the larger overhead there', () => {
  const rows = buildCapacityRows([cap('metrics', at(1, 12)), cap('health', at(1, 40)), cap('shutdown', at(5, 90)), cap('noop', at(null, null))]);
  assert.deepEqual(
    rows.budgets.map((b) => [b.config, b.limit, b.first]),
    [
      ['metrics', 'overhead ≤ 1%', false],
      ['health', 'overhead ≤ 1%', true],
      ['shutdown', 'overhead ≤ 1%', false],
      ['noop', 'overhead ≤ 1%', false],
    ],
  );
});

test('latency fit as text, in a fitting unit and with the sign of the slope', () => {
  const rows = buildCapacityRows([cap('metrics', at(null, null))]);
  assert.equal(rows.models[0]!.latency, '500 µs − 2.00 µs·N (R² 0.50)');
  assert.equal(msUnit(6.58), '6.58 ms');
  assert.equal(msUnit(0.0123), '12.3 µs');
  assert.equal(msUnit(2500), '2.50 s');
});
