/** The highest-rate search, on systems whose knee is known: the steps and answers worked out by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateSearch, searchMaxRates } from '../../lib/capacity/max-rate.ts';
import type { ConfigName } from '../../lib/core/words.ts';
import type { MaxRatePoint } from '../../lib/records/schema.ts';

/** A system that holds every rate up to its knee (per agent) and breaks above it. */
function system(knees: Partial<Record<ConfigName, number>>, measured: [number, ConfigName[]][]) {
  return async (rate: number, configs: ConfigName[]) => {
    measured.push([rate, configs]);
    const out = new Map<ConfigName, MaxRatePoint>();
    for (const c of configs) {
      const held = rate <= knees[c]!;
      out.set(c, { rate_per_agent_msgs_per_s: rate, offered_msgs_per_s: rate * 10, held, reason: held ? null : 'p99', delivery_intended_p99_ms: null, delivery_p99_ms: null, late_pct: null, lost: 0 });
    }
    return out;
  };
}

test('doubling from 10/s until a step breaks, then halving the gap to within 10 %; configs measured together while they ask for the same rate', async () => {
  const a = new RateSearch('baseline', 20);
  const b = new RateSearch('full_integration', 20);
  const measured: [number, ConfigName[]][] = [];
  await searchMaxRates([a, b], system({ baseline: 437, full_integration: 150 }, measured));
  // baseline: 10 … 320 hold, 640 breaks; 480 breaks, 400 holds, 440 breaks; 440/400 = 1.1: done.
  assert.deepEqual(a.points.map((p) => p.rate_per_agent_msgs_per_s), [10, 20, 40, 80, 160, 320, 640, 480, 400, 440]);
  assert.deepEqual([a.lo, a.hi, a.status()], [400, 440, 'found']);
  // full_integration: 10 … 80 hold, 160 breaks; 120, 140, 150 hold; 160/150 < 1.1: done.
  assert.deepEqual(b.points.map((p) => p.rate_per_agent_msgs_per_s), [10, 20, 40, 80, 160, 120, 140, 150]);
  assert.deepEqual([b.lo, b.hi, b.status()], [150, 160, 'found']);
  // Lowest rate first: full_integration's narrowing runs before baseline's doubling goes on.
  assert.deepEqual(measured.map(([r]) => r), [10, 20, 40, 80, 160, 120, 140, 150, 320, 640, 480, 400, 440]);
  assert.deepEqual(measured[0]![1], ['baseline', 'full_integration']);
  assert.deepEqual(measured[5]![1], ['full_integration']);
});

test('nothing holds: halving down to 10/64 per second, then "none held"; every rate holds: "step limit"', async () => {
  const none = new RateSearch('baseline', 20);
  await searchMaxRates([none], system({ baseline: 0 }, []));
  assert.deepEqual(none.points.map((p) => p.rate_per_agent_msgs_per_s), [10, 5, 2.5, 1.25, 0.625, 0.3125, 0.15625]);
  assert.deepEqual([none.lo, none.status()], [null, 'none held']);
  const all = new RateSearch('baseline', 3);
  await searchMaxRates([all], system({ baseline: Infinity }, []));
  assert.deepEqual([all.points.length, all.lo, all.hi, all.status()], [3, 40, null, 'step limit']);
});
