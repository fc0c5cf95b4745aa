import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateThreshold } from '../../lib/verdict/evaluate.ts';
import { parseThreshold } from '../../lib/verdict/syntax.ts';
import { scopeProblems } from '../../lib/verdict/scope.ts';
import { fixtureRecords } from './fixture.ts';

const records = fixtureRecords(); // metrics ≈ +0.5 % ±0.1 at scales 1 and 10; baseline p50 ≈ 20 µs

const judge = (text: string) => evaluateThreshold(parseThreshold(text), records);

test('an overhead threshold without @ is checked at every scale', () => {
  const r = judge('overhead(metrics).message_send.p50 < 1%');
  assert.equal(r.passed, true);
  assert.deepEqual(r.checks.map((c) => c.agent_count), [1, 10]);
  assert.ok(r.checks.every((c) => Math.abs(c.value! - 0.5) < 0.01));
  assert.equal(judge('overhead(metrics).message_send.p50 < 0.4%').passed, false);
});

test('upper() judges the interval bound, lower() the other one', () => {
  // estimate ≈ 0.5, interval ≈ [0.4, 0.6]
  assert.equal(judge('overhead(metrics)@10.message_send.p50 < 0.55%').passed, true);
  const up = judge('upper(overhead(metrics)@10.message_send.p50) < 0.55%');
  assert.equal(up.passed, false);
  assert.ok(Math.abs(up.worst! - 0.6) < 0.01, String(up.worst));
  assert.equal(judge('lower(overhead(metrics)@10.message_send.p50) > 0.3%').passed, true);
  // 0.45 lies between the lower bound (≈ 0.4) and the estimate (≈ 0.5): only the bound fails it.
  const low = judge('lower(overhead(metrics)@10.message_send.p50) > 0.45%');
  assert.equal(low.passed, false);
  assert.ok(Math.abs(low.worst! - 0.4) < 0.01, String(low.worst));
});

test('latency thresholds compare µs; the worst value is reported', () => {
  const r = judge('baseline@10.message_send.p95 < 200us');
  assert.equal(r.passed, true);
  assert.ok(Math.abs(r.worst! - 60.12) < 0.1, String(r.worst)); // p95 = 3 × p50 = 3 × 20.04 µs
  assert.equal(judge('baseline.message_send.p95 < 50us').passed, false);
});

test('integrity counters add up over the cells; resolution is the noop half-width', () => {
  const lost = judge('integrity.lost == 0');
  assert.equal(lost.passed, true);
  assert.equal(judge('integrity@10.sent == 3000').passed, true); // 3 configs × 100 × 10
  const res = judge('resolution@10.message_send < 1%');
  assert.equal(res.passed, true);
  assert.ok(Math.abs(res.worst! - 0.25) < 1e-6);
});

test('a threshold on data that is not there fails, never passes by default', () => {
  const r = judge('overhead(health).message_send.p50 < 1%');
  assert.equal(r.passed, false);
  assert.equal(r.checks.length, 0);
  assert.match(r.reason!, /no matching records/);
  assert.equal(judge('baseline@100.message_send.p50 < 1s').passed, false);
});

test('before a run, thresholds on unplanned scales or layers are usage problems', () => {
  const ts = ['overhead(metrics)@100.message_send.p50 < 1%', 'overhead(health).message_send.p50 < 1%', 'integrity.lost == 0'].map(parseThreshold);
  const problems = scopeProblems(ts, { scales: [1, 10], configs: ['baseline', 'metrics'] });
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /100 agents is not measured by this run \(--scales 1,10\)/);
  assert.match(problems[1]!, /health is not measured by this run/);
});
