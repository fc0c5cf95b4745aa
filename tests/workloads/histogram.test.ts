/** Histograms that merge exactly: per worker, added in the orchestrator, against figures worked out by hand and raw samples. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyHistogram, summarizeHistograms } from '../../lib/measure/histogram.ts';
import { mulberry32 } from '../../lib/stats/rng.ts';
import { cells, type Cells } from './cells.ts';

/** Within 0.1 % above the exact value, never below (HdrHistogram at 3 significant digits reports a bucket's highest value). */
function near(got: number, want: number, what: string): void {
  assert.ok(got >= want && got <= want * 1.001, `${what}: ${got}, exact ${want}`);
}

test('three histograms of 1..100000 µs, split at random, merge to the exact count, min and max and percentiles to 0.1 %', () => {
  const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
  const one = new LatencyHistogram();
  const random = mulberry32(9);
  for (let v = 1; v <= 100_000; v++) {
    parts[Math.floor(random() * 3)]!.record(v * 1000);
    one.record(v * 1000);
  }
  const s = summarizeHistograms(parts.map((p) => p.encode()));
  assert.deepEqual([s.n, s.min, s.max], [100_000, 1000, 100_000_000]);
  // Nearest rank: the 50,000th, 99,000th and 99,900th smallest values.
  near(s.p50, 50_000_000, 'p50');
  near(s.p99, 99_000_000, 'p99');
  near(s.p999, 99_900_000, 'p99.9');
  near(s.mean, 50_000_500, 'mean');
  // Merging is addition of counts: the same figures as one histogram of every value.
  assert.deepEqual(s, summarizeHistograms([one.encode()]));
  // An empty worker's histogram changes nothing.
  assert.deepEqual(summarizeHistograms([...parts.map((p) => p.encode()), new LatencyHistogram().encode()]), s);
});

describe('open-loop latency from real workers', () => {
  let c: Cells;
  before(async () => (c = await cells(2)));
  after(() => c.close());

  test('with --raw: the merged histogram of both workers agrees with every raw sample to 0.1 %; n, min and max exactly', async () => {
    const res = await c.run({ rate: '100', duration: '400ms', raw: true }, { scale: 4 });
    const part = res.parts[0]!;
    const hists = part.histograms!.get('delivery_intended')!;
    assert.equal(hists.length, 2, 'one histogram per worker');
    const raw = Float64Array.from(part.samples.get('delivery_intended')!.flatMap((s) => Array.from(s.values))).sort();
    // 100/s per agent for 0.4 s at 4 agents: 160 messages, each with its latency from its intended send time.
    assert.equal(raw.length, 160);
    const s = summarizeHistograms(hists);
    assert.deepEqual([s.n, s.min, s.max], [160, Math.round(raw[0]!), Math.round(raw[159]!)]);
    const rank = (q: number) => Math.round(raw[Math.ceil(q * raw.length) - 1]!);
    near(s.p50, rank(0.5), 'p50');
    near(s.p99, rank(0.99), 'p99');
    // The schedule's latencies are not kept as samples without --raw.
    const plain = await c.run({ rate: '100', duration: '100ms' }, { scale: 4 });
    assert.equal(plain.parts[0]!.samples.get('delivery_intended'), undefined);
    assert.equal(summarizeHistograms(plain.parts[0]!.histograms!.get('delivery_intended')!).n, 40);
  });
});
