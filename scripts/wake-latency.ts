#!/usr/bin/env -S node --import tsx
// How late this machine wakes a process that sleeps until its next send: the open loop's workers
// sleep in Atomics.wait between sends, so a machine that overshoots by more than 1 ms often will
// count sends late whatever the bus does. Run it beside (or before) an open-loop measurement.
//   node --import tsx scripts/wake-latency.ts [--sleeps 300] [--ms 2]
import { argv } from 'zx';

const sleeps = Number(argv.sleeps ?? 300);
const ms = Number(argv.ms ?? 2);
const cell = new Int32Array(new SharedArrayBuffer(4));
const over: number[] = [];
for (let i = 0; i < sleeps; i++) {
  const t0 = process.hrtime.bigint();
  Atomics.wait(cell, 0, 0, ms);
  over.push(Number(process.hrtime.bigint() - t0) / 1e6 - ms);
}
over.sort((a, b) => a - b);
const q = (p: number) => over[Math.ceil(p * over.length) - 1]!.toFixed(3);
const late = over.filter((x) => x > 1).length;
console.log(`${sleeps} sleeps of ${ms} ms: overshoot p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms, max ${over.at(-1)!.toFixed(3)} ms; over 1 ms: ${late} (${((late * 100) / sleeps).toFixed(1)} %)`);
