/** `busbench capacity --find-max-rate`: its flags, and a short real search on tmpfs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveCapacity } from '../../lib/capacity/flags.ts';
import { UsageError } from '../../lib/core/errors.ts';
import type { MaxRateRecord } from '../../lib/records/schema.ts';
import { busbench, newTag, taggedPids } from '../helpers/cli.ts';
import { shmDir } from '../helpers/tmpfs.ts';

function problems(flags: Record<string, unknown>): string[] {
  try {
    resolveCapacity({ flags: { _: [], ...flags }, env: {}, cores: 2 });
    return [];
  } catch (e) {
    if (e instanceof UsageError) return [...e.problems];
    throw e;
  }
}

test('--find-max-rate: its budget required, --budget-p99 only with it, no --rate of the user, a time with a unit', () => {
  assert.deepEqual(problems({ 'find-max-rate': true }), ['--find-max-rate: needs --budget-p99 TIME, the p99 latency a rate must keep to, e.g. --budget-p99 5ms']);
  assert.deepEqual(problems({ 'budget-p99': '5ms' }), ['--budget-p99: only used with --find-max-rate; add it, or use --budget-p95 for the sweep']);
  assert.deepEqual(problems({ 'find-max-rate': true, 'budget-p99': '5ms', rate: '10' }), ['--find-max-rate: finds the rate itself; drop --rate/--rate-total']);
  assert.match(problems({ 'find-max-rate': true, 'budget-p99': '5' })[0]!, /^--budget-p99: "5" has no unit/);
  assert.match(problems({ 'find-max-rate': 'fast', 'budget-p99': '5ms' })[0]!, /^--find-max-rate: takes no value/);
  // Defaults of the search: one scale (10), 2 s steps, the open loop's flags accepted.
  const r = resolveCapacity({ flags: { _: [], 'find-max-rate': true, 'budget-p99': '5ms', wait: 'poll:500us' }, env: {}, cores: 2 });
  assert.deepEqual([r.options.scales, r.options.durationMs, r.options.rate, r.options.wait, r.capacity.budgetP99Ms, r.capacity.rateSteps], [[10], 2000, null, 'poll:500us', 5, 16]);
  // Receivers wait for the bus's notice where every driver has one, else poll every millisecond.
  const waitOf = (flags: Record<string, unknown>) => resolveCapacity({ flags: { _: [], 'find-max-rate': true, 'budget-p99': '5ms', ...flags }, env: {}, cores: 2 }).options.wait;
  assert.equal(waitOf({}), 'watch');
  assert.equal(waitOf({ driver: 'tmpfs,nats' }), 'watch');
  assert.equal(waitOf({ driver: 'tmpfs,shell', 'driver-config': 'lib/drivers/shell/example/busbench.json' }), 'poll:1ms');
});

test('a real search cut at 2 steps: 10/s and 20/s per agent measured for each config, every one within a 1 s budget: "step limit" at 20/s; nothing left behind', async () => {
  const base = shmDir();
  const out = join(base, 'mr.jsonl');
  const tag = newTag();
  const r = await busbench(['capacity', '--find-max-rate', '--budget-p99', '1s', '--rate-steps', '2', '--scales', '2', '--layers', 'noop', '--duration', '300ms', '--warmup', '0', '--workers', '2', '--base-dir', base, '--out', out], { tag });
  assert.equal(r.code, 0, r.stderr);
  const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  const mr = recs.filter((x): x is MaxRateRecord => x.type === 'max_rate');
  assert.deepEqual(mr.map((x) => [x.test_name, x.agent_count, x.status, x.max_rate_per_agent_msgs_per_s, x.max_offered_msgs_per_s, x.broke_at_per_agent_msgs_per_s]), [
    ['baseline', 2, 'step limit', 20, 40, null],
    ['noop', 2, 'step limit', 20, 40, null],
  ]);
  for (const x of mr) {
    assert.deepEqual(x.points.map((p) => [p.rate_per_agent_msgs_per_s, p.offered_msgs_per_s, p.held, p.lost]), [[10, 20, true, 0], [20, 40, true, 0]]);
    for (const p of x.points) assert.ok(p.delivery_intended_p99_ms! > 0 && p.delivery_intended_p99_ms! < 1000 && p.delivery_p99_ms! > 0);
  }
  assert.equal(recs.at(-1)!.type, 'summary');
  assert.match(r.stdout, /Highest sustainable rate: open loop, rotation, constant arrivals, receivers watch, 0.3 s per step/);
  assert.deepEqual(readdirSync(base).filter((n) => n !== 'mr.jsonl'), []);
  assert.deepEqual(taggedPids(tag), []);
});

test('a step that has broken its budget for sure stops sending (its worker gives up, the other sends all); a step in which the bus refused a send breaks at once, the refusals counted', async () => {
  const base = shmDir();
  const out = join(base, 'mr.jsonl');
  // The fault driver acts on the worker that runs agent 0: its noop sends 1 to 4 stall 200 ms each (Atomics.wait, no
  // CPU burnt); its 2nd metrics send is refused, as rate limiting refuses a send to a full inbox.
  const plan = [...[1, 2, 3, 4].map((n) => `stall@${n}:noop`), 'reject@2:metrics'].join(',');
  const r = await busbench(['capacity', '--find-max-rate', '--budget-p99', '150ms', '--rate-steps', '1', '--driver', 'fault', '--fault-plan', plan, '--scales', '2', '--layers', 'noop,metrics', '--duration', '1s', '--warmup', '0', '--workers', '2', '--base-dir', base, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const mr = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MaxRateRecord).filter((x) => x.type === 'max_rate');
  const point = (c: string) => mr.find((x) => x.test_name === c)!.points[0]!;
  const [baseline, noop, metrics] = [point('baseline'), point('noop'), point('metrics')];
  assert.deepEqual([baseline.held, baseline.unsent, baseline.rejected], [true, 0, 0]);
  // 2 agents × 10 sends at 10/s, one agent per worker: 20 scheduled, so a worker gives up at its second send over
  // 150 ms late. Agent 0's sends begin about 0, 100, 200, 300 ms late (each waits for the stalls before it): it gives
  // up after the 4th (after the 3rd or 2nd if the machine adds 50 ms or more), leaving 6 to 8 of its 10; agent 1's
  // worker sends all 10 (more than 10 unsent would mean it gave up too).
  assert.deepEqual([noop.held, noop.reason], [false, 'p99']);
  assert.ok(noop.unsent! >= 6 && noop.unsent! <= 8, `unsent ${noop.unsent}`);
  assert.match(r.stdout, /no \(p99; gave up, \d+ unsent\)/);
  assert.deepEqual([metrics.held, metrics.reason, metrics.rejected, metrics.lost, metrics.unsent], [false, 'rejected', 1, 0, 0]);
  assert.match(r.stdout, /no \(1 rejected\)/);
  assert.deepEqual(readdirSync(base).filter((n) => n !== 'mr.jsonl'), []);
});
