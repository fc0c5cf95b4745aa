#!/usr/bin/env node
// How late this machine wakes a process that sleeps until its next send: the open loop's workers
// sleep between sends, so a machine that overshoots by more than 1 ms often will count sends late
// whatever the bus does. Run it beside (or before) an open-loop measurement.
//
//   node scripts/wake-latency.js [--sleeps 300] [--ms 2]
//     one process, `sleeps` Atomics.wait of `ms` each: how far past its deadline each woke.
//   node scripts/wake-latency.js --schedule [--procs 2] [--rate 1000] [--seconds 10] [--spin-us 0]
//     `procs` processes (the open loop's workers), each waiting for `rate` due times a second,
//     evenly spaced, with the open loop's own wait (lib/workloads/open.ts pause) and doing nothing
//     at each: the share of due times met more than 1 ms late is the floor under the open loop's
//     late sends on this machine, with no bus and no harness. --spin-us N busy-waits the last N µs
//     before each due time instead of sleeping (stalls that remain are not slow wake-ups).
// Plain JS on plain Node, as the workers run (a TypeScript loader's own thread made every process
// here about 1 % late where plain Node was 0.2 %); the wait is compiled from the open loop's source.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { argv } from 'zx';
import { importTs } from '../lib/core/compile.js';

const { pause } = /** @type {typeof import('../lib/workloads/open.ts')} */ (await importTs(fileURLToPath(new URL('../lib/workloads/open.ts', import.meta.url))));

const hr = () => Number(process.hrtime.bigint());
/** The p-quantile (nearest rank) of ascending values. */
const quantile = (/** @type {number[]} */ sorted, /** @type {number} */ p) => sorted[Math.ceil(p * sorted.length) - 1] ?? NaN;

if (argv.child) {
  const rate = Number(argv.rate);
  const n = Math.round(rate * Number(argv.seconds));
  const gap = 1e9 / rate;
  const spin = Number(argv['spin-us'] ?? 0) * 1e3;
  const start = hr() + 20e6;
  const lags = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const due = start + i * gap;
    for (let now = hr(); now < due - spin; now = hr()) await pause(due - spin - now);
    while (hr() < due); // --spin-us: busy-wait the last stretch instead of sleeping through it
    lags[i] = hr() - due;
  }
  process.send?.(Array.from(lags));
} else if (argv.schedule) {
  const procs = Number(argv.procs ?? 2);
  const rate = Number(argv.rate ?? 1000);
  const seconds = Number(argv.seconds ?? 10);
  const self = fileURLToPath(import.meta.url);
  const each = await Promise.all(
    Array.from({ length: procs }, () => /** @type {Promise<number[]>} */ (new Promise((resolve, reject) => {
      const c = fork(self, ['--child', '--rate', String(rate), '--seconds', String(seconds), '--spin-us', String(argv['spin-us'] ?? 0)], { execArgv: [] });
      c.once('message', (m) => resolve(/** @type {number[]} */ (m)));
      c.once('error', reject);
      c.once('exit', (code) => reject(new Error(`a waiting process exited (${code}) without its lags`)));
    }))),
  );
  for (const [i, lags] of each.entries()) {
    const sorted = [...lags].sort((a, b) => a - b);
    const q = (/** @type {number} */ p) => (quantile(sorted, p) / 1e6).toFixed(3);
    const late = lags.filter((x) => x > 1e6).length;
    console.log(`process ${i + 1} of ${procs}: ${lags.length} due times at ${rate}/s: lag p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${((sorted[sorted.length - 1] ?? NaN) / 1e6).toFixed(3)} ms; over 1 ms: ${late} (${((late * 100) / lags.length).toFixed(2)} %)`);
  }
} else {
  const sleeps = Number(argv.sleeps ?? 300);
  const ms = Number(argv.ms ?? 2);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  /** @type {number[]} */
  const over = [];
  for (let i = 0; i < sleeps; i++) {
    const t0 = process.hrtime.bigint();
    Atomics.wait(cell, 0, 0, ms);
    over.push(Number(process.hrtime.bigint() - t0) / 1e6 - ms);
  }
  over.sort((a, b) => a - b);
  const q = (/** @type {number} */ p) => quantile(over, p).toFixed(3);
  const late = over.filter((x) => x > 1).length;
  console.log(`${sleeps} sleeps of ${ms} ms: overshoot p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms, max ${(over[over.length - 1] ?? NaN).toFixed(3)} ms; over 1 ms: ${late} (${((late * 100) / sleeps).toFixed(1)} %)`);
}
