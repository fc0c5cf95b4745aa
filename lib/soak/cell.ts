/**
 * A soak's cell: one bus per config, created once and used for the whole soak; the agents send at
 * a steady pace until the deadline (the worker's soak mode keeps counts, not samples), while the
 * sampler records every resource each interval. Then the agents take the rest of their mail as in
 * any cell, the drain counts what is left, and everything of the cell is removed.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CellDone, Drained, FromWorker } from '../core/protocol.ts';
import { configDir, type CellBus } from '../drivers/contract.ts';
import { ResourceMonitor } from '../measure/resources.ts';
import type { ConfigName } from '../core/words.ts';
import { cellName, cellResult, coordinate, workerSpecs, type CellContext, type CellResult, type ConfigResult } from '../run/cell.ts';
import type { PlannedCell } from '../run/matrix.ts';
import type { SoakOptions } from './flags.ts';
import { SoakSampler, type SoakSeries, type Watched } from './sampler.ts';

const isDone = (m: FromWorker): m is CellDone => m.type === 'cell-done';
const isDrained = (m: FromWorker): m is Drained => m.type === 'drained';

/** What a soaked cell leaves for the records: its configs, scale and every series sampled. */
export interface SoakedCell {
  configs: ConfigName[];
  scale: number;
  durationS: number;
  series: SoakSeries[];
}

/** The cell runner a soak gives the matrix run (RunExtension.cell); each soaked cell is handed to `keep`. */
export function soakCell(soak: SoakOptions, keep: (c: SoakedCell) => void) {
  return async (id: number, cell: PlannedCell, ctx: CellContext): Promise<CellResult> => {
    const { opts, pool } = ctx;
    const dir = join(ctx.runDir, `soak-${id}`);
    mkdirSync(dir, { recursive: true });
    const workers = Math.min(pool.size, cell.scale);
    const timeoutMs = soak.durationMs + opts.cellTimeoutS * 1000 * cell.configs.length;
    // Two figures for the resource record (CPU over the whole soak): the sampler keeps the curves.
    const monitor = new ResourceMonitor(Math.min(2 ** 31 - 1, soak.durationMs), null);
    let stopListening: () => void = () => undefined;
    let timer: NodeJS.Timeout | null = null;
    let bus: CellBus | null = null;
    let pids: number[] = [];
    try {
      bus = await ctx.bus.openCell({ id, dir, configs: cell.configs, scale: cell.scale });
      const usage = bus.usage ?? null;
      pids = [process.pid, ...pool.pids(), ...ctx.bus.pids()];
      // Per config where each has a directory of its own (tmpfs, shell), else the bus's one.
      const watched: Watched[] = usage === null ? [] : usage.dir === dir ? cell.configs.map((c) => ({ config: c, dir: configDir(dir, c), ignore: usage.ignore })) : [{ config: null, dir: usage.dir, ignore: usage.ignore }];
      const sampler = new SoakSampler(() => ({ harness: [process.pid], workers: pool.pids(), server: ctx.bus.pids() }), watched);
      const specs = workerSpecs(id, dir, cell, ctx, bus.spec, workers, {
        iterations: 1,
        receiveTimeoutMs: Math.max(1000, (opts.cellTimeoutS * 1000) / 2),
        soakMs: soak.durationMs,
        soakEveryMs: 1000 / soak.rate,
      });
      let counts: number[][] = [];
      let t0 = 0;
      stopListening = coordinate(pool, id, cell, workers, {
        go: () => {
          t0 = performance.now();
          sampler.sample(0);
          monitor.start(pids, usage, { cell: id, test_name: cellName(cell.configs), agent_count: cell.scale, run: cell.run });
          timer = setInterval(() => sampler.sample((performance.now() - t0) / 1000), soak.intervalMs);
        },
        sent: (c) => (counts = c),
      });
      const done = await Promise.all(specs.map((spec, w) => pool.request(w, { type: 'cell', cell: spec }, isDone, timeoutMs)));
      clearInterval(timer!);
      timer = null;
      const resources = await monitor.stop(pids, usage);
      const drained = await Promise.all(specs.map((_, w) => pool.request(w, { type: 'drain', id, coordinated: [] }, isDrained, timeoutMs)));

      // Counted, not matched message by message (a soak keeps no per-message record).
      const parts: ConfigResult[] = [];
      for (const [k, config] of cell.configs.entries()) {
        const sent = counts[k]!.reduce((a, n) => a + n, 0);
        const received = done.reduce((a, d) => a + d.parts[k]!.receivedN, 0);
        const drainedN = drained.reduce((a, d) => a + d.parts[k]!.drained.length / 2, 0);
        parts.push({
          config,
          samples: new Map(),
          integrity: {
            sent,
            received,
            drained: drainedN,
            lost: Math.max(0, sent - received - drainedN),
            duplicated: Math.max(0, received + drainedN - sent),
            unknown: 0,
            failedSends: 0,
            rejected: done.reduce((a, d) => a + d.parts[k]!.rejected, 0),
            leftover: await bus.leftover(config),
          },
          calls: drained.flatMap((d) => d.parts[k]!.calls),
        });
      }
      keep({ configs: cell.configs, scale: cell.scale, durationS: soak.durationMs / 1000, series: sampler.series() });
      return cellResult(parts, done, resources);
    } catch (e) {
      await pool.restartAll();
      throw e;
    } finally {
      if (timer !== null) clearInterval(timer);
      stopListening();
      await monitor.stop(pids, bus?.usage ?? null).catch(() => undefined);
      await bus?.close().catch(() => undefined);
      if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    }
  };
}
