/** The highest-rate search, on systems whose knee is known: the steps and answers worked out by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateSearch, searchMaxRates } from '../../lib/capacity/max-rate.ts';
import { nearFloor } from '../../lib/capacity/max-rate-run.ts';
import type { ConfigName } from '../../lib/core/words.ts';
import type { MaxRatePoint } from '../../lib/records/schema.ts';

/**
 * A system that holds every rate up to its knee (per agent) and breaks its p99 above it;
 * `noise`: per config, the outcomes of the first steps at a rate, whatever the knee says
 * (a spurious break, a lucky hold), one entry used per step.
 */
function system(knees: Partial<Record<ConfigName, number>>, measured: [number, ConfigName[]][], noise: Partial<Record<ConfigName, Record<number, boolean[]>>> = {}) {
  return async (rate: number, configs: ConfigName[]) => {
    measured.push([rate, configs]);
    const out = new Map<ConfigName, MaxRatePoint>();
    for (const c of configs) {
      const held = noise[c]?.[rate]?.shift() ?? rate <= knees[c]!;
      out.set(c, { rate_per_agent_msgs_per_s: rate, offered_msgs_per_s: rate * 10, held, reason: held ? null : 'p99', delivery_intended_p99_ms: null, delivery_p99_ms: null, late_pct: null, unsent: 0, rejected: 0, lost: 0 });
    }
    return out;
  };
}

test('doubling from 10/s until a rate breaks (two steps), then halving the gap to within 10 %; configs measured together while they ask for the same rate', async () => {
  const a = new RateSearch('baseline', 20);
  const b = new RateSearch('full_integration', 20);
  const measured: [number, ConfigName[]][] = [];
  await searchMaxRates([a, b], system({ baseline: 437, full_integration: 150 }, measured));
  // baseline: 10 … 320 hold, 640 breaks twice; 480 twice, 400 holds, 440 breaks twice; 440/400 = 1.1: done.
  assert.deepEqual(a.points.map((p) => p.rate_per_agent_msgs_per_s), [10, 20, 40, 80, 160, 320, 640, 640, 480, 480, 400, 440, 440]);
  assert.deepEqual([a.lo, a.hi, a.status()], [400, 440, 'found']);
  // full_integration: 10 … 80 hold, 160 breaks twice; 120, 140, 150 hold; 160/150 < 1.1: done.
  assert.deepEqual(b.points.map((p) => p.rate_per_agent_msgs_per_s), [10, 20, 40, 80, 160, 160, 120, 140, 150]);
  assert.deepEqual([b.lo, b.hi, b.status()], [150, 160, 'found']);
  // Lowest rate first: full_integration's confirmation and narrowing run before baseline's doubling goes on.
  assert.deepEqual(measured.map(([r]) => r), [10, 20, 40, 80, 160, 160, 120, 140, 150, 320, 640, 640, 480, 480, 400, 440, 440]);
  assert.deepEqual(measured[0]![1], ['baseline', 'full_integration']);
  assert.deepEqual(measured[5]![1], ['full_integration']);
});

test('a spurious break far below the knee is measured again and does not end the search; one lucky hold above it is outvoted', async () => {
  const measured: [number, ConfigName[]][] = [];
  const a = new RateSearch('baseline', 30);
  // 40/s breaks once (a late wake-up), then holds twice; 640/s breaks, holds once (luck), breaks.
  await searchMaxRates([a], system({ baseline: 437 }, measured, { baseline: { 40: [false], 640: [false, true] } }));
  assert.deepEqual(a.points.map((p) => [p.rate_per_agent_msgs_per_s, p.held]), [
    [10, true], [20, true], [40, false], [40, true], [40, true], [80, true], [160, true], [320, true],
    [640, false], [640, true], [640, false], [480, false], [480, false], [400, true], [440, false], [440, false],
  ]);
  // The same answer as without the noise.
  assert.deepEqual([a.lo, a.hi, a.status()], [400, 440, 'found']);
  // A loss is not noise: it breaks the rate at once.
  const b = new RateSearch('baseline', 30);
  await searchMaxRates([b], async (rate) => new Map([['baseline', { rate_per_agent_msgs_per_s: rate, offered_msgs_per_s: rate * 10, held: rate < 20, reason: rate < 20 ? null : 'lost', delivery_intended_p99_ms: null, delivery_p99_ms: null, late_pct: null, unsent: 0, rejected: 0, lost: rate < 20 ? 0 : 1 }]]));
  assert.deepEqual(b.points.map((p) => p.rate_per_agent_msgs_per_s), [10, 20, 15, 17.5, 18.75]);
});

test('nothing holds: halving down to 10/64 per second, then "none held"; every rate holds: "step limit"', async () => {
  const none = new RateSearch('baseline', 20);
  await searchMaxRates([none], system({ baseline: 0 }, []));
  assert.deepEqual(none.points.map((p) => p.rate_per_agent_msgs_per_s), [10, 10, 5, 5, 2.5, 2.5, 1.25, 1.25, 0.625, 0.625, 0.3125, 0.3125, 0.15625, 0.15625]);
  assert.deepEqual([none.lo, none.status()], [null, 'none held']);
  const all = new RateSearch('baseline', 3);
  await searchMaxRates([all], system({ baseline: Infinity }, []));
  assert.deepEqual([all.points.length, all.lo, all.hi, all.status()], [3, 40, null, 'step limit']);
});

test('nearFloor: a warning when the lowest rate measured already used more than half the budget, from that lowest rate', () => {
  const point = (rate: number, p99: number | null): MaxRatePoint => ({ rate_per_agent_msgs_per_s: rate, offered_msgs_per_s: rate * 10, held: p99 !== null && p99 <= 5, reason: null, delivery_intended_p99_ms: p99, delivery_p99_ms: null, late_pct: null, unsent: 0, rejected: 0, lost: 0 });
  // Measured out of order (a search narrows back down): the lowest rate is 10/s, with 3.2 ms of 5.
  assert.match(nearFloor([point(20, 1.1), point(10, 3.2), point(40, 4.9)], 5)!, /^at the lowest rate, 10\/s per agent, p99 was already 3\.2 ms of the 5 ms budget/);
  assert.equal(nearFloor([point(10, 2.5), point(20, 4.9)], 5), null, 'exactly half is not near');
  assert.equal(nearFloor([point(10, null)], 5), null, 'a failed step says nothing');
  assert.equal(nearFloor([], 5), null);
});
