import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../lib/core/errors.ts';
import { capacityHelp, duration, percentage, predictList, resolveCapacity } from '../../lib/capacity/flags.ts';
import { Problem } from '../../lib/core/parse.ts';

const resolve = (flags: Record<string, unknown>, env: Record<string, string> = {}) => resolveCapacity({ flags: { _: [], ...flags }, env, cores: 2, now: new Date('2026-11-23T15:00:00Z'), randomSeed: () => 7 });

function problems(flags: Record<string, unknown>, env: Record<string, string> = {}): string[] {
  try {
    resolve(flags, env);
  } catch (e) {
    if (e instanceof UsageError) return [...e.problems];
    throw e;
  }
  return assert.fail('expected a UsageError');
}

test('defaults: the capacity sweep, baseline + full_integration, predictions at 500 and 1000', () => {
  const { options, capacity } = resolve({});
  assert.deepEqual(options.scales, [1, 2, 5, 10, 20, 50, 100, 200]);
  assert.deepEqual(options.layers, ['full_integration']);
  assert.deepEqual(capacity.predict, [500, 1000]);
  assert.equal(capacity.budgetP95Ms, null);
  assert.equal(capacity.budgetOverheadPct, null);
  assert.equal(capacity.cellMessages, 2000);
  assert.equal(capacity.latencyOp, 'delivery');
  assert.equal(resolve({ 'latency-op': 'send' }).capacity.latencyOp, 'message_send');
  assert.match(problems({ 'latency-op': 'p99' })[0]!, /^--latency-op: unknown "p99"; choose e2e, send or receive/);
  assert.match(options.out, /results\/capacity-20261123T150000Z\.jsonl$/);
});

test('flags and env: budgets with units, predictions sorted; flags win over env', () => {
  const { capacity, options } = resolve({ predict: '1000,500,750', 'budget-p95': '250us', 'budget-overhead': '1.5%', layers: 'metrics,health' }, { BENCH_BUDGET_P95: '9ms', BENCH_PREDICT: '3' });
  assert.deepEqual(capacity.predict, [500, 750, 1000]);
  assert.equal(capacity.budgetP95Ms, 0.25);
  assert.equal(capacity.budgetOverheadPct, 1.5);
  assert.deepEqual(options.layers, ['metrics', 'health']);
  assert.equal(resolve({}, { BENCH_BUDGET_P95: '2s' }).capacity.budgetP95Ms, 2000);
});

test('value parsers: units are required, never guessed', () => {
  assert.equal(duration('5ms', '--budget-p95'), 5);
  assert.equal(duration('5 µs', '--budget-p95'), 0.005);
  assert.equal(duration('0.5s', '--budget-p95'), 500);
  assert.throws(() => duration('5', '--budget-p95'), (e: Problem) => /--budget-p95: "5" has no unit; give one, e.g. --budget-p95 5ms/.test(e.message));
  assert.throws(() => duration('5 hours', '--budget-p95'), /unknown unit "hours"/);
  assert.throws(() => duration('0ms', '--budget-p95'), /positive/);
  assert.equal(percentage('1%', '--budget-overhead'), 1);
  assert.throws(() => percentage('1', '--budget-overhead'), /--budget-overhead: "1" has no unit; give it as a percentage, e.g. --budget-overhead 1%/);
  assert.throws(() => percentage('1ms', '--budget-overhead'), /unknown unit "ms"/);
  assert.deepEqual(predictList('500, 1000', '--predict'), [500, 1000]);
  assert.throws(() => predictList('0', '--predict'), /--predict: 0 is below 1/);
  assert.throws(() => predictList('-5', '--predict'), /--predict: -5 is below 1/);
  assert.throws(() => predictList('0.5', '--predict'), /below 1/);
  assert.throws(() => predictList('2.5', '--predict'), /not a whole number/);
  assert.throws(() => predictList('500,500', '--predict'), /listed twice/);
});

test('bad input: every problem at once, each naming its flag', () => {
  const p = problems({ scales: '10', predict: '0', 'budget-p95': '5', 'budget-overhead': '1', runs: 'x' });
  assert.equal(p.length, 5, p.join('\n'));
  assert.ok(p.some((x) => x.startsWith('--runs:')));
  assert.ok(p.some((x) => x.startsWith('--scales: 1 agent count given; a sweep needs at least two')));
  assert.ok(p.some((x) => x.startsWith('--predict: 0 is below 1')));
  assert.ok(p.some((x) => x.startsWith('--budget-p95: "5" has no unit')));
  assert.ok(p.some((x) => x.startsWith('--budget-overhead: "1" has no unit')));
});

test('bad input: duplicate scales, a single scale from the legacy env, an unknown flag', () => {
  assert.deepEqual(problems({ scales: '1,5,5' }), ['--scales: 5 is listed twice; list each agent count once']);
  assert.match(problems({}, { SCALE_LEVELS: '50' })[0]!, /^SCALE_LEVELS \(environment\): 1 agent count given/);
  assert.match(problems({ predcit: '5' })[0]!, /^--predcit: unknown flag/);
  assert.match(problems({ 'budget-p95': true })[0]!, /^--budget-p95: needs a value/);
});

test('fewer than six scales is allowed but warned about (the model will not be fitted)', () => {
  const { warnings } = resolve({ scales: '1,10,100' });
  assert.ok(warnings.some((w) => /needs 6 or more/.test(w)), warnings.join('\n'));
});

test('help lists the capacity flags and the capacity output name', () => {
  const h = capacityHelp('capacity', 'summary');
  for (const f of ['--predict LIST', '--budget-p95 TIME', '--budget-overhead PCT', '--cell-messages N', '--scales LIST']) assert.ok(h.includes(f), f);
  assert.ok(h.includes('results/capacity-<UTC time>.jsonl'));
  assert.ok(h.includes('1,2,5,10,20,50,100,200'));
});
