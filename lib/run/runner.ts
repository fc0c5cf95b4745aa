import { join } from 'node:path';
import type { Calibration, FromWorker } from '../agents/protocol.ts';
import { WorkerPool } from '../agents/pool.ts';
import type { Options } from '../config/options.ts';
import { EXIT } from '../config/errors.ts';
import type { ConfigName } from '../layers/names.ts';
import { ResourceMonitor } from '../measure/resources.ts';
import { checkTmpfs } from '../measure/tmpfs.ts';
import type { BenchRecord } from '../records/schema.ts';
import { RecordWriter } from '../records/writer.ts';
import { Aggregator } from './aggregate.ts';
import { runCell } from './cell.ts';
import { busbenchVersion, gitSha, hostInfo } from './host.ts';
import { evaluateThresholds } from '../verdict/evaluate.ts';
import { planMatrix } from './matrix.ts';
import { createRunDir, removeRunDir } from './rundir.ts';

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

const CONFIG_ORDER: ConfigName[] = ['baseline', 'noop', 'metrics', 'health', 'rate_limiting', 'shutdown', 'full_integration'];

/** The main job: the overhead matrix, start to finish. Cleanup always runs. */
export async function runOverhead(opts: Options, io: RunIO): Promise<RunOutcome> {
  const started = performance.now();
  const configs = CONFIG_ORDER.filter((c) => c === 'baseline' || opts.layers.includes(c));
  const fs = checkTmpfs(opts.baseDir);
  if (!fs.is_tmpfs) io.warn(`${opts.baseDir} is ${fs.fs_type}, not tmpfs: figures will not match a /dev/shm bus (noted in the run record)`);

  const writer = new RecordWriter(opts.out, 'tmpfs');
  const records: BenchRecord[] = [];
  const emit = (r: Parameters<RecordWriter['write']>[0]) => {
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
  const onExit = () => pool?.killAll();
  process.once('exit', onExit);

  let cellsOk = 0;
  let cellsFailed = 0;
  let lost = 0;
  let duplicated = 0;
  let failure: string | undefined;
  try {
    pool = await WorkerPool.start(opts.workers);
    if (aborted !== null) throw new Error('interrupted');
    const cal = await pool.request(0, { type: 'calibrate', dir: join(runDir.path, 'calibration'), rounds: 20_000 }, (m: FromWorker): m is { type: 'calibrated'; calibration: Calibration } => m.type === 'calibrated', 120_000);
    const plan = planMatrix({ configs, scales: opts.scales, runs: opts.runs, iterations: opts.iterations, warmup: opts.warmup, seed: opts.seed });
    emit({
      type: 'run',
      busbench_version: busbenchVersion(),
      git_sha: await gitSha(),
      node_version: process.version,
      host: hostInfo(),
      tmpfs: fs,
      run_dir: runDir.path,
      seed: opts.seed,
      config: { ...opts },
      configs,
      cells_planned: plan.length,
      calibration: cal.calibration,
    });

    const agg = new Aggregator();
    const monitor = new ResourceMonitor(opts.sampleIntervalMs, opts.perfLog);
    for (const [id, cell] of plan.entries()) {
      if (aborted !== null) break;
      const key = { test_name: cell.config, agent_count: cell.scale, run: cell.run };
      io.progress(id, plan.length, `${cell.run === 0 ? 'warm-up' : `run ${cell.run}/${opts.runs}`} · ${cell.config} @ ${cell.scale} agent${cell.scale === 1 ? '' : 's'}`);
      try {
        const res = await runCell(id, cell, opts, runDir.path, pool, monitor);
        const i = res.integrity;
        const ok = i.lost === 0 && i.duplicated === 0 && i.unknown === 0 && i.leftover === 0;
        emit({ type: 'integrity', ...key, warmup: cell.run === 0, sent: i.sent, received: i.received, drained: i.drained, lost: i.lost, duplicated: i.duplicated, rejected: i.rejected, unknown: i.unknown, leftover: i.leftover, ok });
        emit({ type: 'resource', ...key, ...res.resources });
        lost += i.lost;
        duplicated += i.duplicated;
        if (!ok) io.warn(`integrity: ${cell.config} @ ${cell.scale} run ${cell.run}: lost ${i.lost}, duplicated ${i.duplicated}, unknown ${i.unknown}, leftover ${i.leftover}`);
        if (i.timedOut) io.warn(`${cell.config} @ ${cell.scale} run ${cell.run}: agents stopped waiting for mail; the drain counted the rest`);
        if (cell.run > 0) {
          for (const [op, arrays] of res.samples) {
            for (const v of arrays) agg.add(cell.config, cell.scale, cell.run, op, v);
            if (opts.raw) emit({ type: 'sample', ...key, operation: op, values_us: arrays.flatMap((a) => Array.from(a, (ns) => Number((ns / 1000).toFixed(3)))) });
          }
        }
        cellsOk++;
      } catch (e) {
        if (aborted !== null) break;
        cellsFailed++;
        const message = e instanceof Error ? e.message : String(e);
        emit({ type: 'error', ...key, message });
        io.warn(`cell failed: ${cell.config} @ ${cell.scale} run ${cell.run}: ${message} (the matrix goes on)`);
        for (let w = 0; w < pool.size; w++) await pool.restart(w);
      }
    }
    io.progress(plan.length, plan.length, 'done');
    if (aborted === null) {
      for (const s of agg.statistics()) emit(s);
      for (const o of agg.overheads()) emit(o);
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
  const broken = failure !== undefined || cellsFailed > 0 || lost > 0 || duplicated > 0;
  const status = aborted !== null ? 'aborted' : broken || thresholdsFailed > 0 ? 'failed' : 'ok';
  const exitCode = aborted ?? (status === 'ok' ? EXIT.ok : broken ? EXIT.runtime : EXIT.thresholds);
  const reason = aborted !== null ? 'interrupted by signal' : failure ?? (cellsFailed > 0 ? `${cellsFailed} cell(s) failed` : lost + duplicated > 0 ? 'messages lost or duplicated' : thresholdsFailed > 0 ? `${thresholdsFailed} threshold(s) failed` : undefined);
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
