import { join } from 'node:path';
import type { Calibration, FromWorker, ShellCalibration } from '../agents/protocol.ts';
import { skippedLayers } from '../drivers/shell/compose.ts';
import { WorkerPool } from '../agents/pool.ts';
import type { Options } from '../config/options.ts';
import { EXIT } from '../config/errors.ts';
import { CONFIGS, type ConfigName } from '../core/words.ts';
import { ResourceMonitor } from '../measure/resources.ts';
import { checkTmpfs } from '../measure/tmpfs.ts';
import type { BenchRecord, Body } from '../records/schema.ts';
import { RecordWriter } from '../records/writer.ts';
import { Aggregator } from './aggregate.ts';
import { cellName, runCell } from './cell.ts';
import { busbenchVersion, gitSha, hostInfo } from './host.ts';
import { evaluateThresholds } from '../verdict/evaluate.ts';
import { planMatrix, type PlannedCell } from './matrix.ts';
import { createRunDir, removeRunDir } from './rundir.ts';
import { layerOptions, shellSpec } from './specs.ts';

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
  finish?(records: readonly BenchRecord[], emit: (r: Body<BenchRecord>) => void): void;
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

/**
 * The matrix run every scenario shares: run directory, worker pool, calibration, the cells,
 * integrity/resource/statistics/overhead records, then the extension's records and the summary.
 */
export async function runMatrix(opts: Options, io: RunIO, ext: RunExtension): Promise<RunOutcome> {
  const started = performance.now();
  const skipped = opts.driver === 'shell' && opts.shell ? skippedLayers(opts.shell).map((s) => ({ layer: s.layer, reason: `driver config has no "${s.missing}" operation` })) : [];
  const configs = CONFIGS.filter((c) => c === 'baseline' || (opts.layers.includes(c) && !skipped.some((s) => s.layer === c)));
  for (const s of skipped) if (opts.layers.includes(s.layer)) io.warn(`${s.layer} skipped: the ${s.reason}${opts.layers.includes('full_integration') ? '; full_integration runs without it' : ''}`);
  // Configs take turns inside one cell unless asked not to, or the scenario needs each config's
  // own wall time (capacity), or the driver cannot (a shell config's agents are its own processes).
  const interleave = configs.length > 1 && !opts.separateCells && opts.driver === 'tmpfs' && ext.interleave !== false;
  const fs = checkTmpfs(opts.baseDir);
  if (!fs.is_tmpfs) io.warn(`${opts.baseDir} is ${fs.fs_type}, not tmpfs: figures will not match a /dev/shm bus (noted in the run record)`);

  const writer = new RecordWriter(opts.out, opts.driver);
  const records: BenchRecord[] = [];
  const emit = (r: Body<BenchRecord>) => {
    const rec = writer.write(r);
    if (rec.type !== 'sample') records.push(rec);
  };
  const runDir = createRunDir(opts.baseDir);
  let pool: WorkerPool | null = null;
  let aborted: number | null = null;
  void io.interrupted.then((code) => {
    aborted = code;
    pool?.killAll();
  });
  // Last resort if the process exits without reaching `finally` (an uncaught error): no worker
  // and no run directory may outlive it.
  const onExit = () => {
    pool?.killAll();
    if (!opts.keep) {
      try {
        removeRunDir(runDir);
      } catch {
        // not ours or already gone
      }
    }
  };
  process.once('exit', onExit);

  let cellsOk = 0;
  let cellsFailed = 0;
  let lost = 0;
  let duplicated = 0;
  let failedCalls = 0;
  let failure: string | undefined;
  try {
    pool = await WorkerPool.start(opts.workers);
    if (aborted !== null) throw new Error('interrupted');
    const cal = await pool.request(0, { type: 'calibrate', dir: join(runDir.path, 'calibration'), rounds: 20_000 }, (m: FromWorker): m is { type: 'calibrated'; calibration: Calibration } => m.type === 'calibrated', 120_000);
    const shell = shellSpec(opts);
    if (shell) {
      const shellCal = await pool.request(
        0,
        { type: 'calibrate-shell', dir: join(runDir.path, 'calibration-shell'), shell, layer: layerOptions(opts), shells: 100, rounds: 5000 },
        (m: FromWorker): m is { type: 'shell-calibrated'; shell: ShellCalibration } => m.type === 'shell-calibrated',
        120_000,
      );
      cal.calibration.shell = shellCal.shell;
      if (shellCal.shell.empty_command_p50_us >= 50) io.warn(`an empty command costs ${shellCal.shell.empty_command_p50_us} µs inside an agent shell: the machine is too busy for µs figures`);
    }
    // The calibration ran on worker 0: the first run, like every other, starts on fresh processes.
    await pool.restartAll();
    const planned = planMatrix({ configs, scales: opts.scales, runs: opts.runs, iterations: opts.iterations, warmup: opts.warmup, seed: opts.seed, interleave });
    const plan = ext.plan ? ext.plan(planned) : planned;
    emit({
      type: 'run',
      busbench_version: busbenchVersion(),
      git_sha: await gitSha(),
      node_version: process.version,
      host: hostInfo(),
      tmpfs: fs,
      run_dir: runDir.path,
      seed: opts.seed,
      config: { ...opts, ...(ext.config ?? {}) },
      configs,
      interleaved: interleave,
      cells_planned: plan.length,
      calibration: cal.calibration,
      ...(skipped.length > 0 ? { skipped } : {}),
    });

    const agg = new Aggregator({ interleaved: interleave });
    const monitor = new ResourceMonitor(opts.sampleIntervalMs, opts.perfLog);
    let previous: PlannedCell | null = null;
    for (const [id, cell] of plan.entries()) {
      if (aborted !== null) break;
      // Each statistical run on fresh worker processes: what a process settles into (compiled code,
      // memory layout, scheduling) moves a layer's overhead by a percent or more from one process
      // to the next, and only runs made by different processes let the interval show it.
      if (previous !== null && previous.run > 0 && cell.run !== previous.run) await pool.restartAll();
      previous = cell;
      if (writer.failure) throw new Error(`cannot write results to ${opts.out === '-' ? 'stdout' : opts.out}: ${writer.failure.message}`);
      const name = cellName(cell.configs);
      const where = `${name === 'interleaved' ? `${cell.configs.length} configs interleaved` : name} @ ${cell.scale} agent${cell.scale === 1 ? '' : 's'}`;
      io.progress(id, plan.length, `${cell.run === 0 ? 'warm-up' : `run ${cell.run}/${opts.runs}`} · ${where}`);
      const keyOf = (config: ConfigName) => ({ test_name: config, agent_count: cell.scale, run: cell.run });
      try {
        const res = await runCell(id, cell, opts, runDir.path, pool, monitor);
        for (const part of res.parts) {
          const key = keyOf(part.config);
          const i = part.integrity;
          const ok = i.lost === 0 && i.duplicated === 0 && i.unknown === 0 && i.leftover === 0;
          emit({ type: 'integrity', ...key, warmup: cell.run === 0, sent: i.sent, received: i.received, drained: i.drained, lost: i.lost, duplicated: i.duplicated, rejected: i.rejected, unknown: i.unknown, leftover: i.leftover, ...(opts.driver === 'shell' ? { failed_sends: i.failedSends } : {}), ok });
          for (const c of part.calls) {
            failedCalls += c.count;
            const first = c.stderr.split('\n')[0] ?? '';
            const message = `${c.count} ${c.operation} call(s) failed with status ${c.status}${first ? `: ${first}` : ''}`;
            emit({ type: 'error', ...key, kind: 'call', operation: c.operation, exit_status: c.status, calls: c.count, stderr: c.stderr, message });
            io.warn(`${part.config} @ ${cell.scale} run ${cell.run}: ${message}`);
          }
          lost += i.lost;
          duplicated += i.duplicated;
          if (!ok) io.warn(`integrity: ${part.config} @ ${cell.scale} run ${cell.run}: lost ${i.lost}, duplicated ${i.duplicated}, unknown ${i.unknown}, leftover ${i.leftover}`);
          if (cell.run > 0) {
            for (const [op, sets] of part.samples) {
              for (const s of sets) agg.add(part.config, cell.scale, cell.run, op, s);
              if (opts.raw) emit({ type: 'sample', ...key, operation: op, values_us: sets.flatMap((s) => Array.from(s.values, (ns) => Number((ns / 1000).toFixed(3)))) });
            }
          }
        }
        // An interleaved cell's processes and directory serve every config at once: one resource
        // record for the cell, without a throughput (its wall time is shared by all the configs).
        if (name === 'interleaved') emit({ type: 'resource', test_name: name, configs: cell.configs, agent_count: cell.scale, run: cell.run, ...res.resources });
        // A cell whose agents stopped waiting ends at the deadline, not at the last receipt: no throughput.
        else emit({ type: 'resource', ...keyOf(name), ...res.resources, ...(res.timedOut ? {} : throughputOf(res.parts[0]!.integrity.received, res.workloadMs)) });
        if (res.timedOut) io.warn(`${where} run ${cell.run}: agents stopped waiting for mail; the drain counted the rest`);
        cellsOk++;
      } catch (e) {
        if (aborted !== null) break;
        cellsFailed++;
        const message = e instanceof Error ? e.message : String(e);
        for (const config of cell.configs) emit({ type: 'error', ...keyOf(config), kind: isTimeout(message) ? 'timeout' : 'cell', message });
        io.warn(`cell failed: ${where} run ${cell.run}: ${message} (the matrix goes on)`);
      }
    }
    if (aborted === null) {
      io.progress(plan.length, plan.length, 'done');
      for (const s of agg.statistics()) emit(s);
      for (const o of agg.overheads()) emit(o);
      ext.finish?.(records, emit);
    }
  } catch (e) {
    if (aborted === null) failure = e instanceof Error ? e.message : String(e);
  } finally {
    await pool?.close();
    process.removeListener('exit', onExit);
    if (!opts.keep) {
      try {
        removeRunDir(runDir);
      } catch (e) {
        io.warn(e instanceof Error ? e.message : String(e));
      }
    } else io.warn(`run directory kept: ${runDir.path}`);
  }

  // Thresholds are judged on what was measured; a broken run (exit 1) stays a broken run.
  let thresholdsFailed = 0;
  if (aborted === null && failure === undefined && opts.thresholds.length > 0) {
    for (const t of evaluateThresholds(opts.thresholds, records)) {
      emit(t);
      if (!t.passed) thresholdsFailed++;
    }
  }
  const broken = failure !== undefined || cellsFailed > 0 || lost > 0 || duplicated > 0 || failedCalls > 0;
  const status = aborted !== null ? 'aborted' : broken || thresholdsFailed > 0 ? 'failed' : 'ok';
  const exitCode = aborted ?? (status === 'ok' ? EXIT.ok : broken ? EXIT.runtime : EXIT.thresholds);
  const reason = aborted !== null ? 'interrupted by signal' : failure ?? (cellsFailed > 0 ? `${cellsFailed} cell(s) failed` : lost + duplicated > 0 ? 'messages lost or duplicated' : failedCalls > 0 ? `${failedCalls} library call(s) failed` : thresholdsFailed > 0 ? `${thresholdsFailed} threshold(s) failed` : undefined);
  emit({
    type: 'summary',
    status,
    exit_code: exitCode,
    duration_s: Number(((performance.now() - started) / 1000).toFixed(3)),
    cells_ok: cellsOk,
    cells_failed: cellsFailed,
    lost_total: lost,
    duplicated_total: duplicated,
    ...(reason ? { reason } : {}),
  });
  await writer.close();
  return { exitCode, records };
}

/** A shell fault crosses the worker boundary as text: a call that hit --op-timeout says so. */
function isTimeout(message: string): boolean {
  return message.includes('did not finish within --op-timeout');
}
