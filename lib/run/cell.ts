import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CellDone, CellSpec, ConfigDone, Drained, DriverRef, FromWorker, Opened, ToWorker, VariantSpec, WorkerEvent } from '../core/protocol.ts';
import { agentsOfWorker } from '../workloads/messages.ts';
import type { WorkerPool } from '../agents/pool.ts';
import type { CallErrors, ConfigName, LayerName, LayerOptions, Operation } from '../core/words.ts';
import { layersOf } from '../core/words.ts';
import type { CellBus, DriverRun } from '../drivers/contract.ts';
import type { ResourceMonitor, ResourceSummary } from '../measure/resources.ts';
import type { Options } from '../config/options.ts';
import { countIntegrity, type IntegrityCounts } from './integrity.ts';
import type { PlannedCell } from './matrix.ts';
import { layerOptions } from './specs.ts';
import type { KeyedSamples } from '../stats/overhead.ts';
import { openLoadOf } from '../workloads/load.ts';
import type { EncodedHistogram } from '../measure/histogram.ts';
import { CellFaults, WorkerKilledByFault, type FaultReport } from '../faults/cell.ts';
import { cellLifecycle, MemoryByKind, type CellLifecycle, type OpenedStartup } from '../measure/lifecycle.ts';

/** What one config of a cell measured, counted over every worker. */
export interface ConfigResult {
  config: ConfigName;
  /** A/B: the variant (CellContext.variants). */
  variant?: string;
  /** Per operation, one entry per worker (the drain's: one for all). */
  samples: Map<Operation, KeyedSamples[]>;
  integrity: IntegrityCounts & { rejected: number; leftover: number };
  /** Failed library calls in this cell (drivers that report them). */
  calls: CallErrors[];
  /** The open loop: every worker's per-send lag behind the schedule. */
  lagNs?: Float64Array[];
  /** The open loop: scheduled sends the workers gave up (OpenLoad.giveUpLateNs). */
  unsent?: number;
  /** Operations recorded in histograms: one per worker (lib/measure/histogram.ts). */
  histograms?: Map<Operation, EncodedHistogram[]>;
}

export interface CellResult {
  /** One per config of the cell, in the plan's order. */
  parts: ConfigResult[];
  /** Agents gave up waiting at the hard deadline. */
  timedOut: boolean;
  /** Agents stopped waiting after a quiet period with mail missing (lost, counted by the drain). */
  quietEnded: boolean;
  resources: ResourceSummary;
  /** Wall time of the workload across every worker: first send anywhere to last receipt anywhere. */
  workloadMs: number;
  /** Spawn-to-ready of agents and workers, RSS per kind of process idle / under load / peak. */
  /** Startup and memory per kind of process (the matrix's cells; a soak's long cell has none). */
  lifecycle?: CellLifecycle;
}

/** What a cell needs of the run around it. */
export interface CellContext {
  opts: Options;
  runDir: string;
  pool: WorkerPool;
  monitor: ResourceMonitor;
  bus: DriverRun;
  driver: DriverRef;
  /** Layers the driver does not run (their configs run without them). */
  skipped: readonly LayerName[];
  /** --fault: called as each fault strikes. */
  onFault?: (r: FaultReport) => void;
  /**
   * A/B (busbench ab): the variants measured side by side in every cell, each its own started
   * driver and layer options; every config runs under each (CellSpec.variants). Absent: `bus`,
   * `driver` and the options' layer knobs, as one.
   */
  variants?: readonly CellVariant[];
}

/** One variant of an A/B run: its started driver and its layers' knobs. */
export interface CellVariant {
  name: string;
  bus: DriverRun;
  driver: DriverRef;
  layer: LayerOptions;
}

/** Once told what they are to receive, how long agents wait with nothing arriving before the rest counts as lost. */
export const QUIET_MS = 200;
/** The open loop's schedule starts this long after 'go' is posted, so every worker has it by then. */
const GO_LEAD_NS = 20_000_000;

const isDone = (m: FromWorker): m is CellDone => m.type === 'cell-done';
const isDrained = (m: FromWorker): m is Drained => m.type === 'drained';
const isRequested = (m: FromWorker): m is { type: 'shutdown-requested'; id: number } => m.type === 'shutdown-requested';

/**
 * One cell: a fresh directory and the driver's bus for each config, N agents spread over the
 * workers, every agent sending its messages through each config and receiving its share, then
 * the end-of-cell drain (the coordinated shutdown for configs with the shutdown layer), the
 * message count per config, and everything of the cell removed.
 */
export async function runCell(id: number, cell: PlannedCell, ctx: CellContext): Promise<CellResult> {
  const { opts, pool, monitor } = ctx;
  const dir = join(ctx.runDir, `cell-${id}`);
  mkdirSync(dir, { recursive: true });
  const workers = Math.min(pool.size, cell.scale);
  // --cell-timeout is per config: an interleaved cell does the work of all its configs.
  const timeoutMs = opts.cellTimeoutS * 1000 * cell.configs.length * (ctx.variants?.length ?? 1);
  const coordinated = cell.configs.filter((c) => layersOf(c).some((l) => l === 'shutdown' && !ctx.skipped.includes(l)));
  let stopListening: () => void = () => undefined;
  // A/B: which variant is opened (and allocated) first alternates with the cell's order seed, so
  // an effect of coming first falls on A and B alike over the runs instead of always on one.
  const variants = ctx.variants ? (cell.orderSeed % 2 === 1 ? [...ctx.variants].reverse() : ctx.variants) : null;
  const runs = variants ? variants.map((v) => v.bus) : [ctx.bus];
  // The parts of the cell: each config, or each (variant, config), variant-major (as the workers open them).
  const parts = (variants ?? [null]).flatMap((v, vi) => cell.configs.map((config) => ({ config, vi, variant: v?.name })));
  const buses: CellBus[] = [];
  let bus: CellBus | null = null;
  let usage: CellBus['usage'] | null = null;
  let pids: number[] = [];
  const startups: OpenedStartup[] = [];
  const memory = new MemoryByKind(() => ({ harness: process.pid, workers: pool.pids(), server: runs.flatMap((r) => r.pids()) }));
  // Only drivers that can restart their server pass the options check with restart-server. The
  // resource monitor samples the server started again from then on.
  const restart = async (downMs: number) => {
    const before = runs.flatMap((r) => r.pids());
    const done = await Promise.all(runs.map((r) => r.restartServer!(downMs)));
    const after = runs.flatMap((r) => r.pids());
    // The old server's pid out (another process may be given it), the new one in.
    for (const pid of before) if (!after.includes(pid) && pids.includes(pid)) pids.splice(pids.indexOf(pid), 1);
    for (const pid of after) if (!pids.includes(pid)) pids.push(pid);
    return done;
  };
  const faults = opts.faults.length > 0 ? new CellFaults(opts.faults, () => pool.pids(), ctx.onFault ?? (() => undefined), restart) : null;
  try {
    for (const [vi, run] of runs.entries()) {
      const vdir = variants ? join(dir, variants[vi]!.name) : dir;
      mkdirSync(vdir, { recursive: true });
      buses.push(await run.openCell({ id, dir: vdir, configs: cell.configs, scale: cell.scale }));
    }
    bus = buses[0]!;
    pids = [process.pid, ...pool.pids(), ...runs.flatMap((r) => r.pids())];
    // A/B: the tmpfs use is the whole cell's (every variant's bus lives below it).
    usage = variants ? { dir, ignore: buses.flatMap((b) => b.usage?.ignore ?? []) } : (bus.usage ?? null);
    monitor.start(pids, usage, { cell: id, test_name: cellName(cell.configs), agent_count: cell.scale, run: cell.run });
    const open = openLoadOf(opts, cell);
    const specs = workerSpecs(id, dir, cell, ctx, bus.spec, workers, {
      receiveTimeoutMs: Math.max(1000, timeoutMs / 2),
      ...(opts.pattern !== 'rotation' ? { pattern: opts.pattern } : {}),
      ...(open ? { open } : {}),
      ...(opts.raw ? { raw: true } : {}),
      ...(variants ? { variants: variants.map((v, vi): VariantSpec => ({ name: v.name, driver: v.driver, bus: buses[vi]!.spec, layer: v.layer, dir: join(dir, v.name) })) } : {}),
    });
    specs.forEach((spec, w) => Object.assign(spec, faults?.specFor(w)));
    stopListening = coordinate(pool, id, cell, workers, {
      parts: parts.length,
      opened: (_, m) => startups.push(...(m.startup ?? [])),
      ready: () => {
        // Every agent ready, none sending yet: the idle memory.
        // The resource monitor samples the processes in `pids`: agent shells (the workers' children) count from now on.
        pids.push(...memory.idle());
        memory.startLoad(opts.sampleIntervalMs);
        faults?.started();
      },
      // The open loop's schedule starts a little after 'go', so every worker has it by then.
      ...(open ? { atNs: () => Number(process.hrtime.bigint()) + GO_LEAD_NS } : {}),
      other: (w, m) => {
        if (m.type === 'fault') faults?.event(w, m);
      },
    });
    const workerStarts = pool.takeStartups();
    const done = await Promise.all(specs.map((spec, w) => pool.request(w, { type: 'cell', cell: spec }, isDone, timeoutMs)));
    const rss = memory.stop();
    await faults?.settled();
    faults?.health(done[0]!.faultHealth);
    const resources = await monitor.stop(pids, usage);

    if (coordinated.length > 0) await pool.request(0, { type: 'shutdown-request', id, configs: coordinated }, isRequested, timeoutMs);
    const drained = await Promise.all(specs.map((_, w) => pool.request(w, { type: 'drain', id, coordinated }, isDrained, timeoutMs)));

    const results: ConfigResult[] = [];
    for (const [k, { config, vi, variant }] of parts.entries()) {
      const bus = buses[vi]!;
      const mine = done.map((d) => partOf(d.parts, k, config, id, variant));
      const gone = drained.map((d) => partOf(d.parts, k, config, id, variant));
      if (coordinated.includes(config)) {
        // Checked where the driver has a drain-and-stop for this config (a library may have none).
        if (gone.some((d) => d.stopped !== null)) {
          const stopped = (await bus.stopped(config)) ?? gone.reduce((a, d) => a + (d.stopped ?? 0), 0);
          // An agent killed by --fault cannot stop: the others must.
          const alive = cell.scale - (faults?.deadAgents ?? 0);
          if (stopped !== alive) throw new Error(`coordinated shutdown (${config}): ${stopped} of ${alive} ${alive === cell.scale ? '' : 'live '}agents stopped`);
        }
      }
      const leftover = await bus.leftover(config);

      const sent: Uint8Array[] = new Array(cell.scale);
      const samples = new Map<Operation, KeyedSamples[]>();
      const add = (op: Operation, values: Float64Array, keys?: Float64Array) => {
        const list = samples.get(op) ?? [];
        list.push(keys ? { values, keys } : { values });
        samples.set(op, list);
      };
      mine.forEach((d, w) => {
        specs[w]!.local.forEach((agent, slot) => (sent[agent] = d.sent[slot]!));
        for (const [op, v] of Object.entries(d.samples) as [Operation, Float64Array][]) add(op, v, d.keys[op]);
      });
      const drainNs = gone.map((d) => d.drainNs).filter((x): x is number => x !== null);
      if (drainNs.length > 0) add('shutdown_drain', Float64Array.from(drainNs));
      if (drainNs.length > 0) faults?.drained(config, Math.max(...drainNs) / 1e6);

      const counts = countIntegrity(
        sent,
        mine.map((d) => d.received),
        gone.map((d) => d.drained),
      );
      results.push({
        config,
        ...(variant !== undefined ? { variant } : {}),
        samples,
        integrity: { ...counts, rejected: mine.reduce((a, d) => a + d.rejected, 0), leftover },
        calls: mergeCalls(gone.flatMap((d) => d.calls)),
        ...(open ? { lagNs: mine.map((d) => d.schedule?.lagNs ?? new Float64Array(0)), unsent: mine.reduce((a, d) => a + (d.schedule?.unsent ?? 0), 0) } : {}),
        ...histogramsOf(mine),
      });
    }
    return { ...cellResult(results, done, resources), lifecycle: cellLifecycle(startups, workerStarts, rss) };
  } catch (e) {
    // A worker failed or hung: replace them all before touching what they work in.
    await pool.restartAll();
    if (faults?.killedWorker) throw new WorkerKilledByFault(faults.killedWorker, e instanceof Error ? e.message : String(e));
    throw e;
  } finally {
    // A restart still under way (a cell that failed meanwhile) ends before anything is closed on its server.
    await faults?.settled().catch(() => undefined);
    memory.stop();
    faults?.flush();
    stopListening();
    await monitor.stop(pids, usage).catch(() => undefined);
    for (const b of buses) await b.close().catch(() => undefined);
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** A cell's result from what each config counted and what every worker reported. */
export function cellResult(parts: ConfigResult[], done: readonly CellDone[], resources: ResourceSummary): CellResult {
  const workloadMs = (Math.max(...done.map((d) => d.endNs)) - Math.min(...done.map((d) => d.startNs))) / 1e6;
  return { parts, timedOut: done.some((d) => d.timedOut), quietEnded: done.some((d) => d.quietEnded), workloadMs, resources };
}

/** Every worker's part of a cell: its agents, the cell's configs, the layers' settings; `more` on top. */
export function workerSpecs(id: number, dir: string, cell: PlannedCell, ctx: CellContext, busSpec: unknown, workers: number, more: Pick<CellSpec, 'receiveTimeoutMs'> & Partial<CellSpec>): CellSpec[] {
  const { opts } = ctx;
  return Array.from({ length: workers }, (_, w) => ({
    id,
    dir,
    driver: ctx.driver,
    bus: busSpec,
    configs: cell.configs,
    orderSeed: cell.orderSeed,
    scale: cell.scale,
    local: agentsOfWorker(w, workers, cell.scale),
    iterations: cell.iterations,
    payloadBytes: opts.payloadBytes,
    layer: layerOptions(opts),
    healthQueryEvery: opts.healthQueryEvery,
    coordinator: w === 0,
    quietMs: QUIET_MS,
    ...more,
  }));
}

/** What the caller of coordinate() hears of, and gives. */
export interface Coordination {
  /** Parts each worker counts its sends for: the configs, or A/B's (variant, config) pairs; default the configs. */
  parts?: number;
  /** A worker has its agents ready (`m` carries their startup figures). */
  opened?: (w: number, m: Opened) => void;
  /** Every worker is ready, just before 'go' is posted. */
  ready?: () => void;
  /** 'go' was posted. */
  go?: () => void;
  /** Every worker has sent: per part, per agent, messages sent to it. */
  sent?: (counts: number[][]) => void;
  /** The open loop's start, posted with 'go'. */
  atNs?: () => number;
  /** Any other event of a worker (--fault's). */
  other?: (w: number, m: WorkerEvent) => void;
}

/**
 * No agent sends before every agent of the cell is ready (a recipient on another worker must
 * exist): 'go' once every worker has opened. When every worker has sent, each learns what its
 * agents are to receive ('expect'), so they stop waiting as soon as it is in (or nothing has come
 * for a quiet period: the rest is lost). Returns the function that stops listening.
 */
export function coordinate(pool: WorkerPool, id: number, cell: PlannedCell, workers: number, on: Coordination): () => void {
  const counts = Array.from({ length: on.parts ?? cell.configs.length }, () => new Array<number>(cell.scale).fill(0));
  let opened = 0;
  let reported = 0;
  const all = (msg: ToWorker) => {
    for (let w = 0; w < workers; w++) pool.post(w, msg);
  };
  return pool.onEvent((w, m) => {
    if (m.id !== id) return;
    if (m.type === 'opened') {
      on.opened?.(w, m);
      if (++opened === workers) {
        on.ready?.();
        all({ type: 'go', id, ...(on.atNs ? { atNs: on.atNs() } : {}) });
        on.go?.();
      }
      return;
    }
    if (m.type !== 'sent') {
      on.other?.(w, m);
      return;
    }
    m.perRecipient.forEach((per, k) => per.forEach((n, agent) => (counts[k]![agent]! += n)));
    if (++reported === workers) {
      on.sent?.(counts);
      all({ type: 'expect', id, counts });
    }
  });
}

/** Every worker's histograms of one config, by operation. */
function histogramsOf(mine: readonly ConfigDone[]): { histograms?: Map<Operation, EncodedHistogram[]> } {
  const out = new Map<Operation, EncodedHistogram[]>();
  for (const d of mine) for (const [op, h] of Object.entries(d.histograms ?? {}) as [Operation, EncodedHistogram][]) out.set(op, [...(out.get(op) ?? []), h]);
  return out.size > 0 ? { histograms: out } : {};
}

/** The name a cell's records carry: its config, or `interleaved` for a cell of several. */
export function cellName(configs: readonly ConfigName[]): ConfigName | 'interleaved' {
  return configs.length === 1 ? configs[0]! : 'interleaved';
}

/** A worker's answer for the k-th config of the cell; a worker answering for another config is a bug. */
function partOf<T extends { config: ConfigName; variant?: string }>(parts: readonly T[], k: number, config: ConfigName, id: number, variant?: string): T {
  const p = parts[k];
  const name = (x: { config: ConfigName; variant?: string }) => (x.variant !== undefined ? `${x.config} (${x.variant})` : x.config);
  if (!p || p.config !== config || p.variant !== variant) throw new Error(`cell ${id}: a worker reported ${p ? name(p) : 'nothing'} where ${name({ config, ...(variant !== undefined ? { variant } : {}) })} was expected`);
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
