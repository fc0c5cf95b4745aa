/**
 * Calibration of the shell driver, in a worker before the matrix (nothing is subtracted):
 *  - the floor: the library's own send and receive, called in a bare bash loop inside an agent
 *    shell (no layers, no per-call timing, no reports);
 *  - the bus: the same send and receive through busbench's agent shell, as the cells time them;
 *  - how long 100 agent shells take to start together (bash, sourcing the libraries, `init`), and
 *    what an empty function call costs when timed exactly as operations are ($EPOCHREALTIME
 *    before and after, 1 µs steps).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { median } from 'simple-statistics';
import type { ShellCalibration } from '../../core/words.ts';
import type { DriverCalibration } from '../contract.ts';
import { fields } from './reports.ts';
import type { ShellSettings } from './index.ts';
import { filler, startShells, stopAll } from './start.ts';

const LAYER = { capacity: 1000, backoffMs: 1, maxRetries: 5, healthIntervalMs: 0, noopDelayUs: 0 };

export async function calibrateShell(dir: string, s: ShellSettings, shells = 100, rounds = 5000): Promise<DriverCalibration> {
  mkdirSync(dir, { recursive: true });
  const agents = Array.from({ length: shells }, (_, i) => i);
  const t0 = performance.now();
  const started = await startShells({ dir, config: 'baseline', scale: shells, layer: LAYER, shell: s.config, opTimeoutMs: s.opTimeoutS * 1000, fill: filler(256) }, agents);
  const startMs = performance.now() - t0;
  try {
    const first = started[0]!;
    const lines = await first.ask(`c ${rounds}`, (l) => l.startsWith('T '));
    const c = lines.find((l) => l.startsWith('C'));
    if (!c) throw new Error('shell calibration: no samples reported');
    const us = c.split(' ').slice(1).map(Number);
    const shell: ShellCalibration = {
      empty_command_p50_us: median(us),
      empty_command_mean_us: Number((us.reduce((a, b) => a + b, 0) / us.length).toFixed(3)),
      empty_command_n: us.length,
      shells_started: shells,
      shells_start_ms: Math.round(startMs),
    };
    // The bus through the agent shell: send to itself, then receive, timed inside the shell.
    const n = 200;
    const sends: number[] = [];
    const trips: number[] = [];
    for (let k = 0; k < n; k++) {
      const s1 = (await first.ask(`s 0 ${k}`, (l) => l.startsWith('S '))).find((l) => l.startsWith('S '));
      const r = await first.ask('r', (l) => l.startsWith('R ') && (l.startsWith('R 2 ') || fields(l)[4] === '0'));
      const got = r.find((l) => l.startsWith('R 0 ') && fields(l)[4] !== '0');
      // A library that failed, rejected or lost this one message gives no sample (the cells count such messages).
      if (!s1 || !s1.startsWith('S 0 ') || !got) continue;
      sends.push(Number(fields(s1)[2]));
      trips.push(Number(fields(s1)[2]) + Number(fields(got)[2]));
    }
    if (trips.length < n / 2) throw new Error(`shell calibration: only ${trips.length} of ${n} messages the library sent to itself came back`);
    // The floor: the same calls in a bare loop, the fastest of 5 blocks.
    let floor = Infinity;
    for (let b = 0; b < 5; b++) {
      const line = (await first.ask(`b ${n}`, (l) => l.startsWith('B ') || l.startsWith('F '))).pop()!;
      if (!line.startsWith('B ')) throw new Error(`shell calibration: bare loop failed: ${line}`);
      floor = Math.min(floor, Number(fields(line)[1]) / n);
    }
    return {
      floor_name: "the library's send + receive in a bare bash loop",
      floor_round_trip_us: floor,
      bus_round_trip_us: median(trips),
      bus_send_us: median(sends),
      extra: { shell },
    };
  } finally {
    await stopAll(started);
    rmSync(dir, { recursive: true, force: true });
  }
}
