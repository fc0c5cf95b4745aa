/**
 * Cells run straight through the orchestrator's runCell (real worker processes, the real tmpfs
 * bus), without a whole run's calibration: many small workloads in a few seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { WorkerPool } from '../../lib/agents/pool.ts';
import { resolveOptions } from '../../lib/config/options.ts';
import { driverEntry } from '../../lib/drivers/registry.ts';
import type { DriverRun } from '../../lib/drivers/contract.ts';
import { ResourceMonitor } from '../../lib/measure/resources.ts';
import { runCell, type CellResult } from '../../lib/run/cell.ts';
import type { ConfigName } from '../../lib/core/words.ts';

export interface Cells {
  run(flags: Record<string, unknown>, cell: { scale: number; iterations?: number; configs?: ConfigName[] }): Promise<CellResult>;
  /** Stop the workers and the buses, remove the directory. */
  close(): Promise<void>;
}

/** A pool of `workers` workers and a tmpfs (or fault) bus per cell, in a directory on /dev/shm; close() when done. */
export async function cells(workers = 2, driver = 'tmpfs', driverFlags: Record<string, unknown> = {}): Promise<Cells> {
  const base = mkdtempSync('/dev/shm/busbench-test-');
  const pool = await WorkerPool.start(workers);
  const runs: DriverRun[] = [];
  let id = 0;
  return {
    async close() {
      await pool.close();
      for (const r of runs) await r.close();
      rmSync(base, { recursive: true, force: true });
    },
    async run(flags, cell) {
      const { options } = resolveOptions({ flags: { _: [], 'base-dir': base, out: join(base, 'o.jsonl'), workers: String(workers), scales: String(cell.scale), driver, ...driverFlags, ...flags }, env: {}, cores: workers, randomSeed: () => 5 });
      const settings = options.driverSettings[driver];
      const host = await driverEntry(driver).host();
      const bus = await host.open({ settings, runDir: join(base, `run-${id}`), prefix: `bbt${id}`, warn: () => undefined });
      runs.push(bus);
      const me = id++;
      return runCell(me, { run: 1, configs: cell.configs ?? ['baseline'], scale: cell.scale, iterations: cell.iterations ?? options.iterations, orderSeed: 1 }, {
        opts: options,
        runDir: base,
        pool,
        monitor: new ResourceMonitor(1000, null),
        bus,
        driver: { name: driver, settings, shared: bus.shared },
        skipped: [],
      });
    },
  };
}
