#!/usr/bin/env -S node --import tsx
// What recording one latency costs a worker, in ns per value (fastest of N blocks; the loop that
// reads the value is included, and timed alone beside them): into an HdrHistogram (lib/measure/histogram.ts, the open loop's latencies) and
// into a sample array (lib/measure/samples.ts, every other operation).
//   node --import tsx scripts/record-cost.ts [--rounds 1000000] [--blocks 15]
// Prints one line per way of recording. Timing figures: quiet the machine first.
import { argv } from 'zx';
import { perCall } from '../lib/measure/calibrate.ts';
import { LatencyHistogram } from '../lib/measure/histogram.ts';
import { Samples } from '../lib/measure/samples.ts';
import { mulberry32 } from '../lib/stats/rng.ts';

const rounds = Number(argv.rounds ?? 1_000_000);
const blocks = Number(argv.blocks ?? 15);
// Latencies spread log-uniformly over 50 µs..50 ms (ns), as delivery times are.
const random = mulberry32(1);
const values = Float64Array.from({ length: 1 << 16 }, () => Math.round(50_000 * 1000 ** random()));
const mask = values.length - 1;

let sink = 0;
const bare = perCall(rounds, blocks, (i) => {
  sink += values[i & mask]!;
});
const h = new LatencyHistogram();
const hist = perCall(rounds, blocks, (i) => h.record(values[i & mask]!));
let s = new Samples(rounds);
const samples = perCall(
  rounds,
  blocks,
  (i) => s.push(values[i & mask]!),
  () => (s = new Samples(rounds)),
);
const line = (what: string, ns: number) => console.log(`${what.padEnd(44)} ${ns.toFixed(1).padStart(6)} ns per value`);
console.log(`node ${process.version}, ${rounds} values per block, fastest of ${blocks} blocks`);
line('HdrHistogram record (hdr-histogram-js)', hist);
line('sample array push', samples);
line('the loop alone (read a value, add it up)', bare);
if (sink === -1) console.log('');
