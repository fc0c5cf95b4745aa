import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countIntegrity } from '../../lib/run/integrity.ts';
import { planMatrix, type PlannedCell } from '../../lib/run/matrix.ts';
import { createRunDir, MARK, NotOurs, removeRunDir } from '../../lib/run/rundir.ts';
import { Aggregator } from '../../lib/run/aggregate.ts';
import { calibrationEffort } from '../../lib/run/runner.ts';
import { agentsOfWorker, peerOf } from '../../lib/workloads/messages.ts';
import { shmDir } from '../helpers/tmpfs.ts';

const pairs = (...xs: number[]) => Uint32Array.from(xs);
/** Per round k of one sender: 1 sent, 0 not sent (rejected), 2 the send's call failed. */
const marks = (...xs: number[]) => Uint8Array.from(xs);

test('integrity: sent = received + drained when nothing is lost', () => {
  const c = countIntegrity([marks(1, 1), marks(1)], [pairs(0, 0, 1, 0)], [pairs(0, 1)]);
  assert.deepEqual(c, { sent: 3, received: 2, drained: 1, lost: 0, duplicated: 0, unknown: 0, failedSends: 0 });
});

test('integrity: a missing message is lost, a second sighting a duplicate, a stranger unknown', () => {
  const c = countIntegrity([marks(1, 1, 1), marks(1, 1)], [pairs(0, 0, 0, 0, 1, 1, 7, 0)], [pairs(0, 2, 1, 5)]);
  // seen: (0,0) (1,1) (0,2); duplicate: (0,0) again; unknown: sender 7, and round 5 of sender 1; lost: (1,0)
  assert.deepEqual(c, { sent: 5, received: 2, drained: 1, lost: 2, duplicated: 1, unknown: 2, failedSends: 0 });
});

test('integrity: a rejected round is not sent (its number arriving is unknown); a failed send that never arrives is not lost', () => {
  // Sender 0: round 1 rejected, rounds 0 and 2 sent. Sender 1: round 0 sent, round 1's call failed.
  const c = countIntegrity([marks(1, 0, 1), marks(1, 2)], [pairs(0, 0, 0, 2, 0, 1)], [pairs(1, 0)]);
  // (0,1) was never sent: unknown. (1,1) failed and never turned up: neither received nor lost.
  assert.deepEqual(c, { sent: 4, received: 2, drained: 1, lost: 0, duplicated: 0, unknown: 1, failedSends: 1 });
  // The failed send that did arrive counts as received.
  assert.deepEqual(countIntegrity([marks(2)], [pairs(0, 0)], []), { sent: 1, received: 1, drained: 0, lost: 0, duplicated: 0, unknown: 0, failedSends: 1 });
});

test('workload: every agent receives exactly one message per round, from every peer in turn', () => {
  for (const n of [1, 2, 3, 10, 100]) {
    for (let k = 0; k < 2 * n; k++) {
      const got = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) {
        const to = peerOf(i, k, n);
        if (n > 1) assert.notEqual(to, i, 'never to itself when it has peers');
        got[to]!++;
      }
      assert.ok(got.every((g) => g === 1), `n=${n} k=${k}`);
    }
    // Every peer in turn: over n − 1 rounds each agent has written to every other agent once.
    for (let i = 0; i < n && n > 1; i++) {
      const peers = new Set(Array.from({ length: n - 1 }, (_, k) => peerOf(i, k, n)));
      assert.equal(peers.size, n - 1, `n=${n} agent ${i}`);
      assert.ok(!peers.has(i));
    }
  }
  assert.deepEqual(agentsOfWorker(1, 3, 8), [1, 4, 7]);
});

test('matrix, separate cells: each run after its own warm-up pass; every (config, scale) once per pass, shuffled, repeatable by seed', () => {
  const p = { configs: ['baseline', 'noop', 'metrics'] as const, scales: [1, 10], runs: 3, iterations: 50, warmup: 5, seed: 42, interleave: false };
  const cells = planMatrix({ ...p, configs: [...p.configs] });
  assert.equal(cells.length, 6 * 6, '3 warm-up passes + 3 runs, 6 cells each');
  assert.deepEqual(
    cells.map((c) => c.run).filter((r, i, a) => i === 0 || r !== a[i - 1]),
    [0, 1, 0, 2, 0, 3],
    'a warm-up pass right before every run (each run starts on fresh workers)',
  );
  assert.ok(cells.filter((c) => c.run === 0).every((c) => c.iterations === 5));
  assert.ok(cells.filter((c) => c.run > 0).every((c) => c.iterations === 50));
  assert.ok(cells.every((c) => c.configs.length === 1));
  const key = (c: PlannedCell) => `${c.configs[0]}@${c.scale}`;
  for (let run = 1; run <= 3; run++) {
    const keys = cells.filter((c) => c.run === run).map(key);
    assert.deepEqual([...keys].sort(), ['baseline@1', 'baseline@10', 'metrics@1', 'metrics@10', 'noop@1', 'noop@10'], `run ${run}`);
  }
  const orders = [1, 2, 3].map((run) => cells.filter((c) => c.run === run).map(key).join());
  assert.ok(new Set(orders).size > 1, 'the order changes between runs');
  assert.deepEqual(planMatrix({ ...p, configs: [...p.configs] }), cells, 'same seed, same plan');
  assert.equal(planMatrix({ ...p, configs: [...p.configs], warmup: 0 }).length, 18, 'no warm-up passes with --warmup 0');
});

test('matrix, interleaved: one cell per scale and pass holding every config, each with its own order seed', () => {
  const p = { configs: ['baseline', 'noop', 'metrics'] as const, scales: [1, 10, 100], runs: 4, iterations: 50, warmup: 5, seed: 7, interleave: true };
  const cells = planMatrix({ ...p, configs: [...p.configs] });
  assert.equal(cells.length, 8 * 3, '4 warm-up passes + 4 runs, one cell per scale each');
  for (let run = 1; run <= 4; run++) assert.deepEqual(cells.filter((c) => c.run === run).map((c) => c.scale).sort((a, b) => a - b), [1, 10, 100], `run ${run}`);
  assert.ok(cells.every((c) => c.configs.join() === 'baseline,noop,metrics'));
  assert.equal(new Set(cells.map((c) => c.orderSeed)).size, cells.length, 'every cell shuffles its rounds with its own seed');
  assert.ok(new Set([1, 2, 3, 4].map((run) => cells.filter((c) => c.run === run).map((c) => c.scale).join())).size > 1, 'the scales are shuffled between runs');
  assert.deepEqual(planMatrix({ ...p, configs: [...p.configs] }), cells, 'same seed, same plan');
});

test('run directory: created with a mark; removed only with the matching mark', () => {
  const base = shmDir();
  const rd = createRunDir(base);
  assert.ok(existsSync(join(rd.path, MARK)));
  mkdirSync(join(rd.path, 'cell-0', 'x'), { recursive: true });
  removeRunDir(rd);
  assert.equal(existsSync(rd.path), false);

  const stranger = join(base, 'not-ours');
  mkdirSync(stranger);
  writeFileSync(join(stranger, 'precious'), 'data');
  assert.throws(() => removeRunDir({ path: stranger, token: 'x' }), NotOurs);
  assert.ok(existsSync(join(stranger, 'precious')));

  const other = createRunDir(base);
  assert.throws(() => removeRunDir({ path: other.path, token: 'another-token' }), NotOurs);
  assert.ok(existsSync(other.path));
});

test('aggregate: statistics pool every run; overhead from calls matched by message, by hand', () => {
  const agg = new Aggregator({ interleaved: false });
  const k = (values: number[], keys: number[]) => ({ values: Float64Array.from(values), keys: Float64Array.from(keys) });
  // Every matched pair is +10 % in both runs (zero spread), though the layer's calls come in another order.
  agg.add('baseline', 10, 1, 'message_send', k([90, 100, 110], [1, 2, 3]));
  agg.add('baseline', 10, 2, 'message_send', k([190, 200, 210], [1, 2, 3]));
  agg.add('metrics', 10, 1, 'message_send', k([121, 99, 110], [3, 1, 2]));
  agg.add('metrics', 10, 2, 'message_send', k([209, 231, 220], [1, 3, 2]));
  agg.add('metrics', 10, 1, 'health_query', { values: Float64Array.of(5000) });
  const stats = agg.statistics();
  const base = stats.find((s) => s.test_name === 'baseline')!;
  assert.equal(base.n, 6);
  assert.equal(base.runs_n, 2);
  assert.equal(base.p50_ms, 0.00015); // median of 90,100,110,190,200,210 = 150 ns
  assert.equal(base.avg_ms, 0.00015);
  const [o, ...rest] = agg.overheads();
  assert.equal(rest.length, 0, 'no overhead for an operation the baseline does not have');
  assert.equal(o!.test_name, 'metrics');
  assert.ok(Math.abs(o!.overhead_pct - 10) < 1e-9);
  assert.equal(o!.ci_low_pct, 10);
  assert.equal(o!.ci_high_pct, 10);
  assert.equal(o!.significant, true);
  assert.equal(o!.overhead_us, 0.015); // 10 % of the baseline's pooled median, 150 ns
  assert.equal(o!.method, 'paired_t_matched_log_ratio');
});

test('aggregate: delivery is compared only when each config has cells of its own', () => {
  const k = (values: number[]) => ({ values: Float64Array.from(values), keys: Float64Array.from(values.map((_, i) => i)) });
  const fill = (agg: Aggregator) => {
    for (const run of [1, 2]) {
      for (const op of ['message_send', 'delivery'] as const) {
        agg.add('baseline', 10, run, op, k([100, 100]));
        agg.add('noop', 10, run, op, k([101, 102]));
      }
    }
    return agg.overheads().map((o) => o.operation);
  };
  assert.deepEqual(fill(new Aggregator({ interleaved: false })), ['message_send', 'delivery']);
  assert.deepEqual(fill(new Aggregator({ interleaved: true })), ['message_send']);
});
test('the calibration follows the run: the default suite calibrates fully, a smoke run a tenth', () => {
  // messages per agent × largest scale × runs, over 50,000 (the default suite's 100 × 100 × 5), within 0.1–1.
  assert.equal(calibrationEffort({ iterations: 100, scales: [1, 10, 100], runs: 5 }), 1);
  assert.equal(calibrationEffort({ iterations: 1000, scales: [100], runs: 5 }), 1);
  assert.equal(calibrationEffort({ iterations: 100, scales: [100], runs: 1 }), 0.2);
  assert.equal(calibrationEffort({ iterations: 20, scales: [1, 3], runs: 2 }), 0.03);
  assert.equal(calibrationEffort({ iterations: 250, scales: [10], runs: 2 }), 0.1);
});
