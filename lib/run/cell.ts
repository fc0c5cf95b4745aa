import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CallErrors, CellDone, CellSpec, Drained, FromWorker, Operation } from '../agents/protocol.ts';
import { agentId, agentsOfWorker, configDir } from '../agents/workload.ts';
import type { WorkerPool } from '../agents/pool.ts';
import { layout } from '../drivers/tmpfs/layout.ts';
import { layersOf, type ConfigName } from '../core/words.ts';
import { shellLayersOf } from '../drivers/shell/compose.ts';
import { ShutdownLayer } from '../drivers/tmpfs/layers/shutdown.ts';
import type { ResourceMonitor, ResourceSummary } from '../measure/resources.ts';
import type { Options } from '../config/options.ts';
import { countIntegrity, type IntegrityCounts } from './integrity.ts';
import type { PlannedCell } from './matrix.ts';
import { layerOptions, shellSpec } from './specs.ts';
import type { KeyedSamples } from '../stats/overhead.ts';

/** What one config of a cell measured, counted over every worker. */
export interface ConfigResult {
  config: ConfigName;
  /** Per operation, one entry per worker (the drain's: one for all). */
  samples: Map<Operation, KeyedSamples[]>;
  integrity: IntegrityCounts & { rejected: number; leftover: number; failedSends: number };
  /** Shell driver: failed library calls in this cell. */
  calls: CallErrors[];
}

export interface CellResult {
  /** One per config of the cell, in the plan's order. */
  parts: ConfigResult[];
  timedOut: boolean;
  resources: ResourceSummary;
  /** Wall time of the workload across every worker: first send anywhere to last receipt anywhere. */
  workloadMs: number;
}

const isDone = (m: FromWorker): m is CellDone => m.type === 'cell-done';
const isDrained = (m: FromWorker): m is Drained => m.type === 'drained';
const isRequested = (m: FromWorker): m is { type: 'shutdown-requested'; id: number } => m.type === 'shutdown-requested';

/**
 * One cell: a fresh directory with one bus directory per config, N agents spread over the
 * workers, every agent sending its messages through each config and receiving its share, then
 * the end-of-cell drain (the coordinated shutdown for configs with the shutdown layer), the
 * message count per config, and the directory removed.
 */
export async function runCell(id: number, cell: PlannedCell, opts: Options, runDir: string, pool: WorkerPool, monitor: ResourceMonitor): Promise<CellResult> {
  const dir = join(runDir, `cell-${id}`);
  for (const config of cell.configs) {
    const paths = layout(configDir(dir, config));
    for (let i = 0; i < cell.scale; i++) mkdirSync(paths.inbox(agentId(i)), { recursive: true });
    mkdirSync(paths.tmp, { recursive: true });
  }

  const workers = Math.min(pool.size, cell.scale);
  // --cell-timeout is per config: an interleaved cell does the work of all its configs.
  const timeoutMs = opts.cellTimeoutS * 1000 * cell.configs.length;
  const shell = shellSpec(opts);
  const coordinated = cell.configs.filter((c) => (shell ? shellLayersOf(c, shell.config) : layersOf(c)).includes('shutdown'));
  const pids = [process.pid, ...pool.pids()];
  monitor.start(pids, dir, { cell: id, test_name: cellName(cell.configs), agent_count: cell.scale, run: cell.run });
  try {
    const specs: CellSpec[] = Array.from({ length: workers }, (_, w) => ({
      id,
      dir,
      configs: cell.configs,
      orderSeed: cell.orderSeed,
      scale: cell.scale,
      local: agentsOfWorker(w, workers, cell.scale),
      iterations: cell.iterations,
      payloadBytes: opts.payloadBytes,
      layer: layerOptions(opts),
      healthQueryEvery: opts.healthQueryEvery,
      coordinator: w === 0,
      receiveTimeoutMs: Math.max(1000, timeoutMs / 2),
      driver: opts.driver,
      ...(shell ? { shell } : {}),
    }));
    const done = await Promise.all(specs.map((spec, w) => pool.request(w, { type: 'cell', cell: spec }, isDone, timeoutMs)));
    const resources = await monitor.stop(pids, dir);

    if (coordinated.length > 0 && shell) {
      if (shell.config.operations.shutdown_request !== undefined) await pool.request(0, { type: 'shutdown-request', id }, isRequested, timeoutMs);
    } else for (const c of coordinated) ShutdownLayer.request(layout(configDir(dir, c)));
    const drained = await Promise.all(specs.map((_, w) => pool.request(w, { type: 'drain', id, coordinated }, isDrained, timeoutMs)));

    const parts = cell.configs.map((config, k): ConfigResult => {
      const paths = layout(configDir(dir, config));
      const mine = done.map((d) => partOf(d.parts, k, config, id));
      const gone = drained.map((d) => partOf(d.parts, k, config, id));
      if (coordinated.includes(config) && shell) {
        const stopped = gone.reduce((a, d) => a + (d.stopped ?? 0), 0);
        if (gone.some((d) => d.stopped !== undefined) && stopped !== cell.scale) throw new Error(`coordinated shutdown: the library's shutdown_drain stopped ${stopped} of ${cell.scale} agents`);
      } else if (coordinated.includes(config)) {
        const stopped = ShutdownLayer.stoppedAgents(paths).length;
        if (stopped !== cell.scale) throw new Error(`coordinated shutdown (${config}): ${stopped} of ${cell.scale} agents stopped`);
      }
      let leftover = 0;
      // Files left in the reference layout's inboxes (a shell library with another layout leaves none here).
      for (let i = 0; i < cell.scale; i++) leftover += readdirSync(paths.inbox(agentId(i))).filter((n) => !n.startsWith('.')).length;

      const sentPerAgent = new Array<number>(cell.scale).fill(0);
      const samples = new Map<Operation, KeyedSamples[]>();
      const add = (op: Operation, values: Float64Array, keys?: Float64Array) => {
        const list = samples.get(op) ?? [];
        list.push(keys ? { values, keys } : { values });
        samples.set(op, list);
      };
      mine.forEach((d, w) => {
        specs[w]!.local.forEach((agent, slot) => (sentPerAgent[agent] = d.sent[slot] ?? 0));
        for (const [op, v] of Object.entries(d.samples) as [Operation, Float64Array][]) add(op, v, d.keys[op]);
      });
      const drainNs = gone.map((d) => d.drainNs).filter((x): x is number => x !== null);
      if (drainNs.length > 0) add('shutdown_drain', Float64Array.from(drainNs));

      const failed = mine.map((d) => d.failedSends).filter((f): f is Uint32Array => f !== undefined);
      const counts = countIntegrity(
        sentPerAgent,
        mine.map((d) => d.received),
        gone.map((d) => d.drained),
        failed,
      );
      return {
        config,
        samples,
        integrity: { ...counts, rejected: mine.reduce((a, d) => a + d.rejected, 0), leftover, failedSends: failed.reduce((a, f) => a + f.length / 2, 0) },
        calls: mergeCalls([...mine.flatMap((d) => d.calls ?? []), ...gone.flatMap((d) => d.calls ?? [])]),
      };
    });
    const workloadMs = (Math.max(...done.map((d) => d.endNs)) - Math.min(...done.map((d) => d.startNs))) / 1e6;
    return { parts, timedOut: done.some((d) => d.timedOut), workloadMs, resources };
  } catch (e) {
    // A worker failed or hung: replace them all before touching the directory they work in.
    await pool.restartAll();
    throw e;
  } finally {
    await monitor.stop(pids, dir).catch(() => undefined);
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** The name a cell's records carry: its config, or `interleaved` for a cell of several. */
export function cellName(configs: readonly ConfigName[]): ConfigName | 'interleaved' {
  return configs.length === 1 ? configs[0]! : 'interleaved';
}

/** A worker's answer for the k-th config of the cell; a worker answering for another config is a bug. */
function partOf<T extends { config: ConfigName }>(parts: readonly T[], k: number, config: ConfigName, id: number): T {
  const p = parts[k];
  if (!p || p.config !== config) throw new Error(`cell ${id}: a worker reported ${p ? p.config : 'nothing'} where ${config} was expected`);
  return p;
}

/** Failed calls of every worker, grouped by operation and exit status (first stderr kept). */
function mergeCalls(list: CallErrors[]): CallErrors[] {
  const out = new Map<string, CallErrors>();
  for (const c of list) {
    const key = `${c.operation}|${c.status}`;
    const g = out.get(key);
    if (g) g.count += c.count;
    else out.set(key, { ...c });
  }
  return [...out.values()];
}
