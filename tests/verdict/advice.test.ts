import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advice, runsFor } from '../../lib/report/advice.ts';
import { buildRows } from '../../lib/report/rows.ts';
import { parseThreshold } from '../../lib/verdict/syntax.ts';
import { t975 } from '../../lib/stats/tdist.ts';
import { fixtureRecords } from './fixture.ts';

test('runsFor: the least n with t(n−1)·sd/√n ≤ wanted, sd taken from the measured half-width', () => {
  // 5 runs, half-width 4 % → sd = 4·√5 / t(4); want 1 %.
  const sd = (4 * Math.sqrt(5)) / t975(4);
  const n = runsFor(4, 5, 1);
  assert.ok((t975(n - 1) * sd) / Math.sqrt(n) <= 1);
  assert.ok((t975(n - 2) * sd) / Math.sqrt(n - 1) > 1);
  assert.equal(runsFor(0.5, 5, 1), 5);
  assert.equal(runsFor(1000, 5, 0.001), Infinity);
});

test('advice: too-short runs, thresholds finer than the resolution, outliers', () => {
  const records = fixtureRecords(); // noop half-width 0.25 %, 3 outliers in 500 samples per cell
  const rows = buildRows(records);
  assert.deepEqual(advice({ rows, records, wantedPct: 1 }), []);
  const short = advice({ rows, records, wantedPct: 0.1 });
  assert.equal(short.length, 1);
  assert.match(short[0]!, /run too short for the resolution wanted \(±0\.1%, --resolution\): 1 agents send ±0\.3%/);
  assert.match(short[0]!, /about --runs \d+ would reach it/);
  assert.doesNotMatch(short[0]!, /--separate-cells/, 'an interleaved run (or one from before the mode) is not told to interleave');
  const separate = records.map((r) => (r.type === 'run' ? { ...r, interleaved: false } : r));
  assert.match(advice({ rows: buildRows(separate), records: separate, wantedPct: 0.1 })[0]!, /without --separate-cells the configs take turns inside one cell/);
  const fine = advice({ rows, records, wantedPct: 1, thresholds: [parseThreshold('overhead(metrics)@10.message_send.p50 < 0.2%')] });
  assert.equal(fine.length, 1);
  assert.match(fine[0]!, /bounds at 0\.2% but the resolution there is ±0\.3% at 10 agents/);
  const noisy = records.map((r) => (r.type === 'statistics' ? { ...r, outliers_high: 50 } : r));
  const out = advice({ rows, records: noisy, wantedPct: 1 });
  assert.equal(out.length, 1);
  assert.match(out[0]!, /600 of 6000 samples \(10\.0%\) are outliers .*Iglewicz & Hoaglin.*none was dropped/);
});
