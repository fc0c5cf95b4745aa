import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Calibration } from '../core/words.ts';
import { CONFIGS, type ConfigName, type LayerName, type LayerOptions } from '../core/words.ts';
import type { DriverRef, FromWorker } from '../core/protocol.ts';
import { WorkerPool, workerEntry } from '../agents/pool.ts';
import type { Options } from '../config/options.ts';
import type { DriverRun } from '../drivers/contract.ts';
import { driverEntry } from '../drivers/registry.ts';
import { UsageError } from '../core/errors.ts';
import { ResourceMonitor } from '../measure/resources.ts';
import { checkTmpfs, type FsCheck } from '../measure/tmpfs.ts';
import type { BenchRecord, Body } from '../records/schema.ts';
import { RecordWriter } from '../records/writer.ts';
import { Aggregator } from './aggregate.ts';
import { cellName, runCell, type CellResult, type CellVariant } from './cell.ts';
import type { FaultReport } from '../faults/cell.ts';
import { busbenchVersion, gitSha, hostInfo } from './host.ts';
import { evaluateThresholds } from '../verdict/evaluate.ts';
import { planMatrix, type PlannedCell } from './matrix.ts';
import { createRunDir, removeRunDir, type RunDir } from './rundir.ts';
import { exitCodeOf, reasonOf, type Tally } from './outcome.ts';
import { openLoadOf, scheduleFigures } from '../workloads/load.ts';
import { patternOf } from '../workloads/index.ts';
import { EXIT } from '../core/errors.ts';
import { WorkerKilledByFault } from '../faults/cell.ts';
import { spaceNote } from '../faults/space.ts';

export interface RunIO {
  /** Progress and warnings go here (stderr); never data. */
  progress(done: number, total: number, label: string): void;
  warn(text: string): void;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM) with the exit code to use. */
  interrupted: Promise<number>;
}

export interface RunOutcome {
  exitCode: number;
  /** Every record written except `sample` ones, for the table and exporters. */
  records: BenchRecord[];
}

/** What a scenario adds to the matrix run: records derived from the others, written before the summary. */
export interface RunExtension {
  /** Settings of the scenario itself, recorded in the run record's `config` beside the options. */
  config?: Record<string, unknown>;
  /** false: every config in cells of its own, even where the run would interleave them. */
  interleave?: boolean;
  /** Adjust the planned cells (e.g. more messages per agent at small scales). */
  plan?(cells: PlannedCell[]): PlannedCell[];
  /** Called once per driver with that driver's records. */
  finish?(records: readonly BenchRecord[], emit: (r: Body<BenchRecord>) => void): void;
  /**
   * A/B (busbench ab): the variants every cell measures side by side, each with its own driver
   * settings (per driver name) and layer knobs; each variant's driver is started on its own. Made
   * once the run directory exists (a variant's files may be written into it); a UsageError thrown
   * here ends the run like a driver's (exit 2, everything removed).
   */
  variants?(runDir: string): readonly RunVariant[];
  /** Called once per driver, after its statistics and overheads, with the samples behind them. */
  aggregated?(agg: Aggregator, emit: (r: Body<BenchRecord>) => void): void;
  /** The scenario's own pass/fail on every record of a run that went through (exit code and reason), or null: exit 0. */
  gate?(records: readonly BenchRecord[]): { exitCode: number; reason: string } | null;
  /** Runs each planned cell instead of lib/run/cell.ts runCell (a soak's long-lived cell). */
  cell?: typeof runCell;
}

/** One variant of an A/B run. */
export interface RunVariant {
  name: string;
  driverSettings: Readonly<Record<string, unknown>>;
  layer: LayerOptions;
}

/** Messages delivered during a cell's workload per second of its wall time (whole system). */
export function throughputOf(delivered: number, workloadMs: number) {
  return {
    delivered,
    workload_ms: Number(workloadMs.toFixed(3)),
    throughput_msgs_per_s: workloadMs > 0 ? Number(((delivered * 1000) / workloadMs).toFixed(1)) : null,
  };
}

/** The main job: the overhead matrix, start to finish. Cleanup always runs. */
export function runOverhead(opts: Options, io: RunIO): Promise<RunOutcome> {
  return runMatrix(opts, io, {});
}

/** One driver of the run, started: its bus, and what its workers need. */
interface Started {
  name: string;
  run: DriverRun;
  ref: DriverRef;
  skipped: { layer: LayerName; reason: string }[];
  /** A/B: every variant's started driver (the first is `run`, which calibrates). */
  variants?: CellVariant[];
}

/** Every started driver of one driver name (A/B: one per variant). */
const runsOf = (s: Started): DriverRun[] => (s.variants ? s.variants.map((v) => v.bus) : [s.run]);

/** What lives for the whole run and must be undone whatever happens. */
class Session {
  pool: WorkerPool | null = null;
  readonly started: Started[] = [];
  aborted: number | null = null;
  readonly prefix = `bb${randomBytes(4).toString('hex')}`;
  constructor(readonly opts: Options, readonly runDir: RunDir, readonly io: RunIO) {}

  /** Last resort if the process exits without reaching `finally`: no worker, server or run directory may outlive it. */
  readonly onExit = () => {
    this.pool?.killAll();
    for (const s of this.started) for (const r of runsOf(s)) r.killSync();
    if (!this.opts.keep) {
      try {
        removeRunDir(this.runDir);
      } catch {
        // not ours or already gone
      }
    }
  };

  async close(): Promise<void> {
    await this.pool?.close();
    for (const s of this.started.splice(0)) for (const r of runsOf(s)) await r.close().catch((e: unknown) => this.io.warn(`${s.name}: ${e instanceof Error ? e.message : String(e)}`));
    process.removeListener('exit', this.onExit);
    if (!this.opts.keep) {
      try {
        removeRunDir(this.runDir);
      } catch (e) {
        this.io.warn(e instanceof Error ? e.message : String(e));
      }
    } else this.io.warn(`run directory kept: ${this.runDir.path}`);
  }
}

/**
 * The matrix run every scenario shares: the drivers start (a usage problem found now, such as a
 * missing server binary, ends the run before any record is written), then per driver calibration,
 * the cells, the integrity/resource/statistics/overhead records and the extension's; then the
 * thresholds and the summary. The exit code is a function of what happened (outcome.ts).
 */
export async function runMatrix(opts: Options, io: RunIO, ext: RunExtension): Promise<RunOutcome> {
  const startedAt = performance.now();
  const fs = checkTmpfs(opts.baseDir);
  if (!fs.is_tmpfs) io.warn(`${opts.baseDir} is ${fs.fs_type}, not tmpfs: figures will not match a /dev/shm bus (noted in the run record)`);
  const session = new Session(opts, createRunDir(opts.baseDir), io);
  process.once('exit', session.onExit);
  void io.interrupted.then((code) => {
    session.aborted = code;
    session.pool?.killAll();
  });
  try {
    await startDrivers(session, ext.variants?.(session.runDir.path));
  } catch (e) {
    await session.close();
    throw e;
  }

  const writer = new RecordWriter(opts.out, opts.drivers[0]!);
  const records: BenchRecord[] = [];
  const emit = (r: Body<BenchRecord>) => {
    const rec = writer.write(r);
    if (rec.type !== 'sample') records.push(rec);
  };
  const tally: Tally = { cellsOk: 0, cellsFailed: 0, lost: 0, duplicated: 0, failedCalls: 0, thresholdsFailed: 0, aborted: null };
  try {
    // A cell spreads its agents over min(--workers, its scale) workers: no more are ever used.
    session.pool = await WorkerPool.start(Math.min(opts.workers, Math.max(...opts.scales)));
    for (const driver of session.started) {
      if (session.aborted !== null) break;
      writer.driver = driver.name;
      const from = records.length;
      await runDriver(session, driver, fs, ext, { emit, tally, writer });
      if (session.aborted === null) ext.finish?.(records.slice(from), emit);
    }
  } catch (e) {
    if (session.aborted === null) tally.failure = e instanceof Error ? e.message : String(e);
  } finally {
    await session.close();
  }
  tally.aborted = session.aborted;

  judge(opts, records, tally, emit);
  const full = spaceNote(records, opts.baseDir, tally.failure);
  if (full) io.warn(full);
  let exitCode = exitCodeOf(tally);
  let reason = reasonOf(tally);
  // The scenario's gate judges only a run that went through, like the thresholds.
  const gate = exitCode === 0 ? (ext.gate?.(records) ?? null) : null;
  if (gate !== null) ({ exitCode, reason } = gate);
  emit(summaryOf(tally, exitCode, reason, performance.now() - startedAt));
  await writer.close();
  return { exitCode, records };
}

/** Thresholds are judged on what was measured; a broken run (exit 1) stays a broken run. */
function judge(opts: Options, records: readonly BenchRecord[], tally: Tally, emit: (r: Body<BenchRecord>) => void): void {
  if (tally.aborted !== null || tally.failure !== undefined || opts.thresholds.length === 0) return;
  for (const t of evaluateThresholds(opts.thresholds, records)) {
    emit(t);
    if (!t.passed) tally.thresholdsFailed++;
  }
}

/** The last record of every run: how it ended and why. */
function summaryOf(tally: Tally, exitCode: number, reason: string | null | undefined, elapsedMs: number): Body<BenchRecord> {
  return {
    type: 'summary',
    status: tally.aborted !== null ? 'aborted' : exitCode === 0 ? 'ok' : exitCode === EXIT.disturbed ? 'disturbed' : 'failed',
    exit_code: exitCode,
    duration_s: Number((elapsedMs / 1000).toFixed(3)),
    cells_ok: tally.cellsOk,
    cells_failed: tally.cellsFailed,
    lost_total: tally.lost,
    duplicated_total: tally.duplicated,
    ...(reason ? { reason } : {}),
  };
}

/** Start every driver of the run (its server, its connection); a usage problem stops the rest. */
async function startDrivers(s: Session, variants?: readonly RunVariant[]): Promise<void> {
  const restarts = s.opts.faults.some((f) => f.kind === 'restart-server');
  for (const name of s.opts.drivers) {
    const entry = driverEntry(name);
    if (variants) {
      // A/B: each variant's own driver (its settings, its server or library), in its own directory.
      const started: CellVariant[] = [];
      const host = await entry.host();
      let current = '';
      try {
        for (const v of variants) {
          current = v.name;
          const settings = v.driverSettings[name];
          const run = await host.open({ settings, runDir: join(s.runDir.path, name, v.name), prefix: `${s.prefix}${v.name.toLowerCase()}`, restarts, warn: s.io.warn });
          started.push({ name: v.name, bus: run, driver: { name, settings, shared: run.shared }, layer: v.layer });
        }
      } catch (e) {
        // A variant that would not start: the ones started before it are stopped here.
        for (const x of started) await x.bus.close().catch(() => undefined);
        throw e instanceof UsageError ? new UsageError(e.problems.map((p) => `variant ${current}: ${p}`)) : e;
      }
      const skipped = new Map(variants.flatMap((v) => entry.skipped?.(v.driverSettings[name]) ?? []).map((x) => [x.layer, x]));
      s.started.push({ name, run: started[0]!.bus, ref: started[0]!.driver, skipped: [...skipped.values()], variants: started });
      continue;
    }
    const settings = s.opts.driverSettings[name];
    const host = await entry.host();
    const run = await host.open({ settings, runDir: join(s.runDir.path, name), prefix: s.prefix, restarts, warn: s.io.warn });
    s.started.push({ name, run, ref: { name, settings, shared: run.shared }, skipped: entry.skipped?.(settings) ?? [] });
  }
}

/** Where a driver's records go, and the tally the exit code is made from. */
interface Sink {
  emit(r: Body<BenchRecord>): void;
  tally: Tally;
  writer: RecordWriter;
}

/** One driver's matrix: calibration and the run record, then every planned cell, then its statistics. */
async function runDriver(s: Session, d: Started, fs: FsCheck, ext: RunExtension, sink: Sink): Promise<void> {
  const { opts, io } = s;
  const skipped = d.skipped.map((x) => x.layer);
  const configs = CONFIGS.filter((c) => c === 'baseline' || (opts.layers.includes(c) && !(skipped as string[]).includes(c)));
  for (const x of d.skipped) if (opts.layers.includes(x.layer)) io.warn(`${d.name}: ${x.layer} skipped: the ${x.reason}${opts.layers.includes('full_integration') ? '; full_integration runs without it' : ''}`);
  // Configs take turns inside one cell unless asked not to, or the scenario needs each config's own
  // wall time (capacity), or the open loop runs (each config sends on its own schedule).
  // A/B: the variants always take turns, even with one config.
  const interleave = (configs.length > 1 || d.variants !== undefined) && !opts.separateCells && ext.interleave !== false && openLoadOf(opts, { run: 1, scale: 1 }) === undefined;
  const calibration = await calibrate(s, d);
  const planned = planMatrix({ configs, scales: opts.scales, runs: opts.runs, iterations: opts.iterations, warmup: opts.warmup, seed: opts.seed, interleave });
  const plan = ext.plan ? ext.plan(planned) : planned;
  sink.emit({
    type: 'run',
    busbench_version: busbenchVersion(),
    git_sha: await gitSha(),
    node_version: process.version,
    worker_code: (await workerEntry()).code,
    host: hostInfo(),
    tmpfs: fs,
    run_dir: s.runDir.path,
    seed: opts.seed,
    config: { ...opts, ...(ext.config ?? {}) },
    configs,
    interleaved: interleave,
    cells_planned: plan.length,
    calibration,
    ...(Object.keys(d.run.info).length > 0 ? { bus: d.run.info } : {}),
    ...(d.skipped.length > 0 ? { skipped: d.skipped } : {}),
  });
  const agg = new Aggregator({ interleaved: interleave });
  await runCells(s, d, plan, agg, sink, ext);
  if (s.aborted === null) {
    for (const r of agg.statistics()) sink.emit(r);
    for (const o of agg.overheads()) sink.emit(o);
    ext.aggregated?.(agg, sink.emit);
  }
}

/**
 * The share of the full calibration a run gets: all of it from 50,000 messages per agent-scale
 * (the default suite: 100 messages × 100 agents × 5 runs), down to 3 % for a smoke run, so a run
 * of a second or two is not mostly calibration (each driver keeps a floor of rounds of its own).
 * Recorded in the run record's calibration.
 */
export function calibrationEffort(opts: Pick<Options, 'iterations' | 'scales' | 'runs'>): number {
  const size = opts.iterations * Math.max(...opts.scales) * opts.runs;
  return Math.min(1, Math.max(0.03, Number((size / 50_000).toFixed(2))));
}

/** The driver's calibration, on worker 0; then worker 0 fresh (the others did nothing yet), so the first run starts like every other. */
async function calibrate(s: Session, d: Started): Promise<Calibration> {
  const pool = s.pool!;
  const msg = { type: 'calibrate', driver: d.ref, dir: join(s.runDir.path, d.name, 'calibration'), effort: calibrationEffort(s.opts) } as const;
  const { calibration: measured } = await pool.request(0, msg, (m: FromWorker): m is { type: 'calibrated'; calibration: Calibration } => m.type === 'calibrated', 180_000);
  const calibration = { effort: msg.effort, ...measured };
  const shellEmpty = calibration.shell?.empty_command_p50_us;
  if (shellEmpty !== undefined && shellEmpty >= 50) s.io.warn(`an empty command costs ${shellEmpty} µs inside an agent shell: the machine is too busy for µs figures`);
  await pool.restart([0]);
  return calibration;
}

/** Every planned cell in order; a failed cell becomes error records and the matrix goes on. */
async function runCells(s: Session, d: Started, plan: readonly PlannedCell[], agg: Aggregator, sink: Sink, ext: RunExtension): Promise<void> {
  const { opts, io } = s;
  const pool = s.pool!;
  const skipped = d.skipped.map((x) => x.layer);
  const monitor = new ResourceMonitor(opts.sampleIntervalMs, opts.perfLog);
  const label = opts.drivers.length > 1 ? `${d.name}: ` : '';
  let previous: PlannedCell | null = null;
  for (const [id, cell] of plan.entries()) {
    if (s.aborted !== null) return;
    // Each statistical run on fresh worker processes: what a process settles into (compiled code,
    // memory layout, scheduling) moves a layer's overhead by a percent or more from one process
    // to the next, and only runs made by different processes let the interval show it.
    if (previous !== null && previous.run > 0 && cell.run !== previous.run) await pool.restartAll();
    previous = cell;
    if (sink.writer.failure) throw new Error(`cannot write results to ${opts.out === '-' ? 'stdout' : opts.out}: ${sink.writer.failure.message}`);
    const where = `${cellName(cell.configs) === 'interleaved' ? `${cell.configs.length} configs interleaved` : cell.configs[0]} @ ${cell.scale} agent${cell.scale === 1 ? '' : 's'}`;
    io.progress(id, plan.length, `${label}${cell.run === 0 ? 'warm-up' : `run ${cell.run}/${opts.runs}`} · ${where}`);
    try {
      const onFault = (r: FaultReport) => {
        sink.tally.faults = (sink.tally.faults ?? 0) + 1;
        sink.emit({ type: 'fault', test_name: cellName(cell.configs), agent_count: cell.scale, run: cell.run, ...r });
      };
      const res = await (ext.cell ?? runCell)(id, cell, { opts, runDir: s.runDir.path, pool, monitor, bus: d.run, driver: d.ref, skipped, onFault, ...(d.variants ? { variants: d.variants } : {}) });
      recordCell(res, cell, where, opts, io, sink, agg);
      sink.tally.cellsOk++;
    } catch (e) {
      if (s.aborted !== null) return;
      sink.tally.cellsFailed++;
      const byFault = e instanceof WorkerKilledByFault;
      if (byFault) sink.tally.cellsFaulted = (sink.tally.cellsFaulted ?? 0) + 1;
      const message = e instanceof Error ? e.message : String(e);
      for (const config of cell.configs) sink.emit({ type: 'error', test_name: config, agent_count: cell.scale, run: cell.run, kind: byFault ? 'fault' : isTimeout(message) ? 'timeout' : 'cell', message });
      io.warn(`cell ${byFault ? 'lost to --fault' : 'failed'}: ${label}${where} run ${cell.run}: ${message} (the matrix goes on)`);
    }
  }
  io.progress(plan.length, plan.length, `${label}done`);
}

/** The records of one finished cell: integrity and failed calls per config, samples, resources. */
function recordCell(res: CellResult, cell: PlannedCell, where: string, opts: Options, io: RunIO, sink: Sink, agg: Aggregator): void {
  const { emit, tally } = sink;
  const keyOf = (config: ConfigName, variant?: string) => ({ test_name: config, ...(variant !== undefined ? { variant } : {}), agent_count: cell.scale, run: cell.run });
  for (const part of res.parts) {
    const key = keyOf(part.config, part.variant);
    const i = part.integrity;
    const ok = i.lost === 0 && i.duplicated === 0 && i.unknown === 0 && i.leftover === 0;
    emit({ type: 'integrity', ...key, warmup: cell.run === 0, sent: i.sent, received: i.received, drained: i.drained, lost: i.lost, duplicated: i.duplicated, rejected: i.rejected, unknown: i.unknown, leftover: i.leftover, failed_sends: i.failedSends, ok });
    for (const c of part.calls) {
      tally.failedCalls += c.count;
      const first = c.stderr.split('\n')[0] ?? '';
      const message = `${c.count} ${c.operation} call(s) failed with status ${c.status}${first ? `: ${first}` : ''}`;
      emit({ type: 'error', ...key, kind: 'call', operation: c.operation, exit_status: c.status, calls: c.count, stderr: c.stderr, message });
      io.warn(`${part.config} @ ${cell.scale} run ${cell.run}: ${message}`);
    }
    if (part.lagNs) {
      const load = openLoadOf(opts, cell)!;
      emit({ type: 'load', ...key, warmup: cell.run === 0, pattern: opts.pattern, ...scheduleFigures(load, patternOf(opts.pattern), cell.scale, part.lagNs, part.unsent) });
    }
    tally.lost += i.lost;
    tally.duplicated += i.duplicated;
    if (!ok) io.warn(`integrity: ${part.config}${part.variant !== undefined ? ` (${part.variant})` : ''} @ ${cell.scale} run ${cell.run}: lost ${i.lost}, duplicated ${i.duplicated}, unknown ${i.unknown}, leftover ${i.leftover}`);
    if (cell.run > 0) {
      // An operation with histograms is summarised from them; its samples (--raw) only go to the file.
      for (const [op, list] of part.histograms ?? []) agg.addHistograms(part.config, cell.scale, cell.run, op, list);
      for (const [op, sets] of part.samples) {
        if (!part.histograms?.has(op)) for (const x of sets) agg.add(part.config, cell.scale, cell.run, op, x, part.variant);
        if (opts.raw) emit({ type: 'sample', ...key, operation: op, values_us: sets.flatMap((x) => Array.from(x.values, (ns) => Number((ns / 1000).toFixed(3)))) });
      }
    }
  }
  // An interleaved cell's processes and directory serve every config at once: one resource
  // record for the cell, without a throughput (its wall time is shared by all the configs).
  if (cellName(cell.configs) === 'interleaved') emit({ type: 'resource', test_name: 'interleaved', configs: cell.configs, agent_count: cell.scale, run: cell.run, ...res.resources });
  // A cell whose agents stopped waiting ends at the deadline, not at the last receipt: no throughput.
  else emit({ type: 'resource', ...keyOf(cell.configs[0]!), ...res.resources, ...(res.timedOut || res.quietEnded ? {} : throughputOf(res.parts[0]!.integrity.received, res.workloadMs)) });
  if (res.lifecycle) emit({ type: 'lifecycle', test_name: cellName(cell.configs), ...(cell.configs.length > 1 ? { configs: cell.configs } : {}), agent_count: cell.scale, run: cell.run, ...res.lifecycle });
  if (res.timedOut) io.warn(`${where} run ${cell.run}: agents stopped waiting for mail at the deadline; the drain counted the rest`);
}

/** A shell fault crosses the worker boundary as text: a call that hit --op-timeout says so. */
function isTimeout(message: string): boolean {
  return message.includes('did not finish within --op-timeout');
}
