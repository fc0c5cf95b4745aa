/** Patterns: who sends to whom, and every message of each counted (real workers, real tmpfs). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PATTERNS, patternOf } from '../../lib/workloads/index.ts';
import { busbench, newTag, taggedPids } from '../helpers/cli.ts';
import { shmDir } from '../helpers/tmpfs.ts';
import { readdirSync } from 'node:fs';
import { problemsOf } from './helpers.ts';
import { cells, type Cells } from './cells.ts';
import { summarizeHistograms } from '../../lib/measure/histogram.ts';
import type { CellResult } from '../../lib/run/cell.ts';

/** Values recorded in one operation's histograms (every worker's), or null when it has none. */
function histogramCount(res: CellResult, op: 'round_trip' | 'delivery_intended'): number | null {
  const h = res.parts[0]!.histograms?.get(op);
  return h ? summarizeHistograms(h).n : null;
}

/** Messages each agent receives in one round at scale n: recipient → count. */
function inbound(name: string, n: number): number[] {
  const p = patternOf(name);
  const got = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < p.perRound(i, n); j++) got[p.to(i, j, n)]!++;
  return got;
}

test('who receives what in one round at 4 agents (worked out by hand from each pattern\'s definition)', () => {
  assert.deepEqual(inbound('rotation', 4), [1, 1, 1, 1]);
  assert.deepEqual(inbound('ring', 4), [1, 1, 1, 1]);
  assert.deepEqual([0, 1, 2, 3].map((i) => patternOf('ring').to(i, 7, 4)), [1, 2, 3, 0]);
  assert.deepEqual(inbound('fan-in', 4), [3, 0, 0, 0]);
  assert.deepEqual(inbound('fan-out', 4), [0, 1, 1, 1]);
  assert.deepEqual(inbound('broadcast', 4), [3, 3, 3, 3]);
  // Broadcast: agent 2's three messages of a round reach 3, 0 and 1, never itself.
  assert.deepEqual([0, 1, 2].map((j) => patternOf('broadcast').to(2, j, 4)), [3, 0, 1]);
  assert.deepEqual(inbound('request-reply', 4), [1, 1, 1, 1]);
  assert.deepEqual(PATTERNS.map((p) => p.name), ['rotation', 'ring', 'fan-in', 'fan-out', 'broadcast', 'request-reply']);
});

test('a pattern the scale cannot hold: named with --pattern and --scales; exit 2, nothing created, nothing left running', async () => {
  const p = problemsOf({ pattern: 'fan-in', scales: '1,10' });
  assert.deepEqual(p, ['--pattern fan-in needs at least 2 agents, but --scales has 1; drop it from --scales or choose --pattern rotation']);
  assert.ok(problemsOf({ pattern: 'star' })[0]!.startsWith('--pattern: unknown pattern "star"; choose from rotation, ring,'));
  assert.match(problemsOf({ pattern: 'broadcast', scales: '2000', iterations: '1000' })[0]!, /^--iterations: up to 1999000 messages per agent at 2000 agents with --pattern broadcast/);
  const base = shmDir();
  const tag = newTag();
  const r = await busbench(['overhead', '--pattern', 'fan-in', '--scales', '1', '--base-dir', base, '--out', `${base}/o.jsonl`], { tag });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--pattern fan-in needs at least 2 agents, but --scales has 1/);
  assert.deepEqual(readdirSync(base), []);
  assert.deepEqual(taggedPids(tag), []);
});

describe('every pattern on real workers', () => {
let c: Cells;
before(async () => (c = await cells(2)));
after(() => c.close());

// Expected counts by hand: agents × messages per round × rounds (request-reply: each request and its answer).
const EXPECTED: [string, number][] = [
  ['rotation', 3 * 4],
  ['ring', 3 * 4],
  ['fan-in', 2 * 4],
  ['fan-out', 2 * 4],
  ['broadcast', 3 * 2 * 4],
  ['request-reply', 2 * 3 * 4],
];

for (const [pattern, sent] of EXPECTED) {
  test(`${pattern}, closed loop at 3 agents on 2 workers: ${sent} messages sent, every one received, none lost`, async () => {
    const res = await c.run({ pattern }, { scale: 3, iterations: 4 });
    const i = res.parts[0]!.integrity;
    assert.deepEqual([i.sent, i.received + i.drained, i.lost, i.duplicated, i.unknown], [sent, sent, 0, 0, 0]);
    assert.equal(res.timedOut || res.quietEnded, false, 'the agents knew what they were to receive');
    const rt = res.parts[0]!.histograms?.get('round_trip');
    if (pattern === 'request-reply') {
      const sum = summarizeHistograms(rt!);
      assert.equal(sum.n, 12, 'one round trip per request');
      // A round trip holds the request's delivery and the answer's: longer than the shortest delivery.
      const delivery = Math.min(...res.parts[0]!.samples.get('delivery')!.flatMap((s) => Array.from(s.values)));
      assert.ok(sum.min > delivery);
    } else assert.equal(rt, undefined);
  });
}

test('request-reply, open loop: a round trip per request, and every request and answer counted', async () => {
  // 20 requests/s per agent for 300 ms at 3 agents: 6 each (constant arrivals), 18 requests, 18 answers.
  const res = await c.run({ pattern: 'request-reply', rate: '20', duration: '300ms' }, { scale: 3 });
  const i = res.parts[0]!.integrity;
  assert.deepEqual([i.sent, i.received + i.drained, i.lost], [36, 36, 0]);
  assert.equal(histogramCount(res, 'round_trip'), 18);
  // Only requests are on the schedule: 18 latencies from an intended send time.
  assert.equal(histogramCount(res, 'delivery_intended'), 18);
});
});

test('request-reply with a request the bus drops: that request lost, its answer never sent, the rest counted', async () => {
  // The fault driver drops the 2nd send of the worker running agent 0 (a request: answers follow takes).
  const f = await cells(2, 'fault', { 'fault-plan': 'drop@2' });
  try {
    const res = await f.run({ pattern: 'request-reply' }, { scale: 3, iterations: 4 });
    const i = res.parts[0]!.integrity;
    // 12 requests, 11 of them answered.
    assert.deepEqual([i.sent, i.received + i.drained, i.lost, i.duplicated], [23, 22, 1, 0]);
    assert.equal(histogramCount(res, 'round_trip'), 11);
  } finally {
    await f.close();
  }
});
