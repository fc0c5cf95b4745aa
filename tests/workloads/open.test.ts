/** The open loop: its schedule, its options, and a small real run on tmpfs that keeps to the schedule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentSchedule, mergeSchedules } from '../../lib/workloads/schedule.ts';
import { getFormat } from '../../lib/report/formats.ts';
import { busbench, newTag, taggedPids } from '../helpers/cli.ts';
import { shmDir } from '../helpers/tmpfs.ts';
import { readdirSync } from 'node:fs';
import { problemsOf, runWith } from './helpers.ts';

test('constant arrivals: every 1/R s, agent i of n starting i/n of a period in, none at or after the end', () => {
  // 20 messages/s for 1 s: a period of 50 ms; agent 1 of 4 starts 12.5 ms in.
  const s = agentSchedule({ ratePerAgent: 20, arrivals: 'constant', durationMs: 1000, seed: 0 }, 1, 4);
  assert.equal(s.length, 20);
  assert.deepEqual(Array.from(s.slice(0, 3)), [12.5e6, 62.5e6, 112.5e6]);
  assert.equal(s[19], 962.5e6);
});

test('poisson arrivals: the same seed gives the same schedule, another seed another; gaps average 1/R', () => {
  const spec = { ratePerAgent: 1000, arrivals: 'poisson' as const, durationMs: 100_000, seed: 42 };
  const a = agentSchedule(spec, 3, 10);
  assert.deepEqual(a, agentSchedule(spec, 3, 10));
  assert.notDeepEqual(a.slice(0, 10), agentSchedule({ ...spec, seed: 43 }, 3, 10).slice(0, 10));
  assert.notDeepEqual(a.slice(0, 10), agentSchedule(spec, 4, 10).slice(0, 10));
  // About 100,000 arrivals; the count of a Poisson process has sd √100000 ≈ 316: 1 % is 3 sd.
  assert.ok(Math.abs(a.length - 100_000) < 1000, `${a.length} arrivals`);
  // Exponential gaps: the share of gaps under the mean is 1 − 1/e ≈ 0.632 (sd of the share ≈ 0.0015).
  let under = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! - a[i - 1]! < 1e6) under++;
  assert.ok(Math.abs(under / (a.length - 1) - (1 - 1 / Math.E)) < 0.01, `share of gaps under 1 ms: ${under / (a.length - 1)}`);
});

test("a worker's agents' schedules merge into one in time order", () => {
  const m = mergeSchedules([Float64Array.from([0, 10, 20]), Float64Array.from([5, 15]), new Float64Array(0)]);
  assert.deepEqual(Array.from(m.atNs), [0, 5, 10, 15, 20]);
  assert.deepEqual(Array.from(m.slot), [0, 1, 0, 1, 0]);
  assert.deepEqual(Array.from(m.seq), [0, 0, 1, 1, 2]);
});

test('bad open-loop options: each one named with its fix', () => {
  const one = (flags: Record<string, unknown>, re: RegExp) => {
    const p = problemsOf(flags);
    assert.ok(p.some((x) => re.test(x)), `${JSON.stringify(flags)} gave ${JSON.stringify(p)}`);
  };
  one({ rate: '10', duration: '20' }, /^--duration: "20" has no unit; use e\.g\. --duration 20s/);
  one({ rate: '0' }, /^--rate: 0 messages\/s sends nothing/);
  one({ rate: '-3' }, /^--rate: -3 messages\/s sends nothing/);
  one({ 'rate-total': 'fast' }, /^--rate-total: "fast" is not a number/);
  one({ rate: '5', 'rate-total': '50' }, /--rate and --rate-total: give one of them/);
  one({ duration: '5s' }, /^--duration: only used by the open loop; add --rate/);
  one({ rate: '5', arrivals: 'bursty' }, /^--arrivals: unknown arrivals "bursty"; choose constant or poisson/);
  one({ rate: '5', wait: 'sleep' }, /^--wait: "sleep" is not a way to wait; use poll:INTERVAL/);
  one({ rate: '5', wait: 'watch', driver: 'shell' }, /^--wait watch: the shell driver cannot notify a receiver of new mail .* use --wait poll:INTERVAL/);
  one({ rate: '100000', duration: '1h' }, /messages per agent .* lower the rate or shorten --duration/);
  assert.deepEqual(problemsOf({ rate: '20', duration: '1.5s', arrivals: 'poisson', wait: 'poll:250us' }), []);
});

test('a duration without a unit: exit 2 naming --duration, nothing created, nothing left running', async () => {
  const base = shmDir();
  const tag = newTag();
  const r = await busbench(['overhead', '--rate', '10', '--duration', '20', '--base-dir', base, '--out', `${base}/o.jsonl`], { tag });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--duration: "20" has no unit/);
  assert.deepEqual(readdirSync(base), []);
  assert.deepEqual(taggedPids(tag), []);
});

test('open loop on tmpfs: the schedule is kept (sends spread over --duration), every message counted, latency from intended ≥ from actual', async () => {
  // 40 messages/s per agent for 0.5 s at 2 agents: 20 sends per agent, 40 per config, the last 487.5 ms after the start.
  const r = await runWith({ rate: '40', duration: '500ms' });
  assert.equal(r.outcome.exitCode, 0, r.warnings.join('\n'));
  const loads = r.of('load');
  assert.deepEqual(loads.map((l) => [l.test_name, l.scheduled, l.offered_msgs_per_s, l.wait, l.arrivals]).sort(), [
    ['baseline', 40, 80, 'poll:1ms', 'constant'],
    ['noop', 40, 80, 'poll:1ms', 'constant'],
  ]);
  for (const l of loads) assert.ok(l.late >= 0 && l.late <= l.scheduled && l.lag_max_ms !== null);
  for (const i of r.of('integrity')) assert.deepEqual([i.sent, i.received + i.drained, i.lost], [40, 40, 0]);
  // Open-loop configs run in cells of their own, each with its own wall time: at least the span of the schedule.
  const res = r.of('resource');
  assert.equal(res.length, 2);
  for (const x of res) assert.ok(x.workload_ms! >= 487.5, `workload ${x.workload_ms} ms: the sends did not wait for their times`);
  const stat = (config: string, op: string) => r.of('statistics').find((s) => s.test_name === config && s.operation === op)!;
  for (const config of ['baseline', 'noop']) {
    const intended = stat(config, 'delivery_intended');
    const actual = stat(config, 'delivery');
    assert.equal(intended.n, 40);
    // The intended time is never after the send began, so no message's latency from it can be smaller.
    assert.ok(intended.min_ms >= actual.min_ms && intended.p50_ms >= actual.p50_ms && intended.max_ms >= actual.max_ms);
    assert.ok(intended.p999_ms! <= intended.max_ms && intended.p999_ms! >= intended.p99_ms);
  }
  const table = getFormat('table')!.render(r.outcome.records);
  assert.match(table, /Open loop \(constant arrivals, receivers poll:1ms\)/);
  assert.match(table, /│ baseline │ 2 +│ 80\/s +│ [\d.]+ \/ [\d.]+ \/ [\d.]+ ms/);
  assert.deepEqual(r.left, []);
});

test('--wait watch on tmpfs: receivers woken by inotify take each message within a few ms; polling every 20 ms makes it wait ~10 ms', async () => {
  // 100 messages/s per agent for 0.4 s at 2 agents (each on its own worker): 80 per config. A
  // receiver that looks every 20 ms finds a message ~10 ms after it arrived, on average (half the
  // interval); one woken by the arrival takes it at once.
  const [watched, polled] = await Promise.all([runWith({ rate: '100', duration: '400ms', wait: 'watch' }), runWith({ rate: '100', duration: '400ms', wait: 'poll:20ms' })]);
  for (const r of [watched, polled]) {
    assert.equal(r.outcome.exitCode, 0, r.warnings.join('\n'));
    for (const i of r.of('integrity')) assert.deepEqual([i.sent, i.received + i.drained, i.lost], [80, 80, 0]);
    assert.deepEqual(r.left, []);
  }
  assert.deepEqual(watched.of('load').map((l) => l.wait), ['watch', 'watch']);
  const p50 = (r: typeof watched) => r.of('statistics').find((s) => s.test_name === 'baseline' && s.operation === 'delivery')!.p50_ms;
  assert.ok(p50(polled) >= 5, `polling every 20 ms: delivery p50 ${p50(polled)} ms`);
  assert.ok(p50(watched) < p50(polled) / 2, `watched: delivery p50 ${p50(watched)} ms, against ${p50(polled)} ms polling`);
});

test('the closed loop stays the default: no load records, no delivery_intended, configs interleaved', async () => {
  const r = await runWith({ iterations: '5' });
  assert.equal(r.outcome.exitCode, 0);
  assert.deepEqual(r.of('load'), []);
  assert.ok(!r.of('statistics').some((s) => s.operation === 'delivery_intended'));
  assert.equal(r.of('run')[0]!.interleaved, true);
  assert.equal(getFormat('table')!.render(r.outcome.records).includes('Open loop'), false);
});

test('busbench capacity refuses the open loop (its sweep repeats cells to a message count): exit 2 naming --rate', async () => {
  const { resolveCapacity } = await import('../../lib/capacity/flags.ts');
  assert.throws(() => resolveCapacity({ flags: { _: [], rate: '10' }, env: {}, cores: 2 }), /--rate: the capacity sweep runs the closed loop/);
  assert.throws(() => resolveCapacity({ flags: { _: [], 'rate-total': '10' }, env: {}, cores: 2 }), /--rate-total: the capacity sweep runs the closed loop/);
});
