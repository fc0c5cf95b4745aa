/**
 * busbench soak: steady traffic through the chosen configs for --duration on one long-lived bus
 * per config (lib/soak/cell.ts), every resource sampled each --soak-interval, each one's growth
 * fitted with its interval (`soak` records). The rest is the matrix run's: drivers, workers,
 * calibration, the run, integrity and resource records, thresholds, the summary, the cleanup.
 */
import type { Options } from '../config/options.ts';
import { runMatrix, type RunIO, type RunOutcome } from '../run/runner.ts';
import { soakCell, type SoakedCell } from './cell.ts';
import type { SoakOptions } from './flags.ts';
import { soakRecords } from './records.ts';

export function runSoak(options: Options, soak: SoakOptions, io: RunIO): Promise<RunOutcome> {
  const soaked: SoakedCell[] = [];
  return runMatrix(options, io, {
    config: { soak_duration_s: soak.durationMs / 1000, soak_interval_s: soak.intervalMs / 1000, soak_rate: soak.rate },
    // The traffic is the soak itself: no warm-up pass.
    plan: (cells) => cells.filter((c) => c.run > 0),
    cell: soakCell(soak, (c) => soaked.push(c)),
    finish: (_, emit) => {
      for (const c of soaked.splice(0)) for (const r of soakRecords(c)) emit(r);
    },
  });
}
