/**
 * Calibration of the shell driver, run in a worker before the matrix and recorded in the `run`
 * record (nothing is subtracted): how long `shells` agent shells take to start together (bash,
 * sourcing the libraries, `init`), and what an empty function call costs when timed exactly as
 * operations are timed inside an agent shell ($EPOCHREALTIME before and after, 1 µs steps).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { median } from 'simple-statistics';
import type { ShellCalibration, ShellCellSpec } from '../../agents/protocol.ts';
import { agentId } from '../../agents/workload.ts';
import { layout } from '../tmpfs/layout.ts';
import type { LayerOptions } from '../tmpfs/layers/stack.ts';
import { filler, startShells, stopAll } from './start.ts';

export async function calibrateShell(dir: string, shell: ShellCellSpec, layer: LayerOptions, shells: number, rounds: number): Promise<ShellCalibration> {
  const paths = layout(dir);
  for (let i = 0; i < shells; i++) mkdirSync(paths.inbox(agentId(i)), { recursive: true });
  mkdirSync(paths.tmp, { recursive: true });
  const agents = Array.from({ length: shells }, (_, i) => i);
  const t0 = performance.now();
  const started = await startShells({ dir, config: 'baseline', scale: shells, layer, shell: shell.config, opTimeoutMs: shell.opTimeoutMs, fill: filler(64) }, agents);
  const startMs = performance.now() - t0;
  try {
    const lines = await started[0]!.ask(`c ${rounds}`, (l) => l.startsWith('T '));
    const c = lines.find((l) => l.startsWith('C'));
    if (!c) throw new Error('shell calibration: no samples reported');
    const us = c.split(' ').slice(1).map(Number);
    const mean = us.reduce((a, b) => a + b, 0) / us.length;
    return {
      empty_command_p50_us: median(us),
      empty_command_mean_us: Number(mean.toFixed(3)),
      empty_command_n: us.length,
      shells_started: shells,
      shells_start_ms: Math.round(startMs),
    };
  } finally {
    await stopAll(started);
    rmSync(dir, { recursive: true, force: true });
  }
}
