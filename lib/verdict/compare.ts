/**
 * Comparing two runs, cell by cell (config × agents × operation).
 *
 * Test: Welch's two-sample t-test on the logarithms of per-run figures (runs are the independent
 * replicates; the log turns a ratio into a difference). The per-run figure is
 *   - for a layer: its per-run overhead ratio layer/baseline (1 + per_run_pct/100), so machine
 *     drift between the two runs, which moves the bare bus and the layer alike, cancels out; the
 *     change reads "the layer's median, relative to the bare bus of its own run";
 *   - for the baseline (and operations without an overhead): the run's median itself.
 * change = exp(mean(ln new) − mean(ln old)) − 1. Because many cells are compared at once, every
 * interval is a Bonferroni-simultaneous one: each at level 1 − 0.05/m for m cells tested, so the
 * chance that any cell of an A/A comparison is called changed is at most 5 % — if the runs of
 * one file varied as much as two files do. They do not: conditions that last about a minute (the
 * machine's other load, its state) move every run of one invocation alike. So every standard error
 * is widened by the noise factor (NOISE_FACTOR unless given), the ratio between how far the means
 * of two invocations of one build differ and how far the runs of one invocation predict, measured
 * by the A/A check (scripts/aa.ts). A cell is "slower" or "faster" when its widened interval
 * excludes 0 (equivalently, Bonferroni-adjusted p < 0.05).
 *
 * End-to-end delivery is not compared when either run interleaved its configs: there it measures
 * the round of all configs, which moves between invocations by 3–4 times what its runs predict.
 */
import { mean, sampleVariance } from 'simple-statistics';
import type { Operation } from '../core/words.ts';
import { driversOf } from '../records/select.ts';
import type { ConfigName } from '../core/words.ts';
import type { BenchRecord, OverheadRecord, StatisticsRecord } from '../records/schema.ts';
import { tQuantile, tTwoSidedP } from '../stats/student.ts';
import { ofType as of } from '../records/select.ts';

export type Verdict = 'slower' | 'faster' | 'no significant change' | 'not enough runs';

export interface CompareCell {
  /** Files of several drivers: the cell's driver. */
  driver?: string;
  config: ConfigName;
  agents: number;
  operation: Operation;
  method: 'relative_to_baseline' | 'raw' | 'none';
  old_p50_us: number;
  new_p50_us: number;
  old_p95_us: number;
  new_p95_us: number;
  old_runs: number;
  new_runs: number;
  change_pct: number | null;
  ci_low_pct: number | null;
  ci_high_pct: number | null;
  /** Bonferroni-adjusted two-sided p-value. */
  p_adjusted: number | null;
  verdict: Verdict;
}

export interface Welch {
  diff: number;
  se: number;
  df: number;
}

/** Welch's statistic for mean(y) − mean(x), with the Welch–Satterthwaite degrees of freedom. */
export function welch(x: readonly number[], y: readonly number[]): Welch {
  const vx = sampleVariance(x as number[]) / x.length;
  const vy = sampleVariance(y as number[]) / y.length;
  const se = Math.sqrt(vx + vy);
  const df = se === 0 ? x.length + y.length - 2 : (vx + vy) ** 2 / (vx ** 2 / (x.length - 1) + vy ** 2 / (y.length - 1));
  return { diff: mean(y as number[]) - mean(x as number[]), se, df };
}

/** A cell's identity; with several drivers in a file, its driver is part of it (one driver a file: files of two drivers compare). */
const keyOf = (byDriver: boolean) => (r: { driver: string; test_name: string; agent_count: number; operation: string }) => `${byDriver ? `${r.driver}|` : ''}${r.test_name}|${r.agent_count}|${r.operation}`;

function perRun(stat: StatisticsRecord, ov: OverheadRecord | undefined, method: CompareCell['method']): number[] {
  if (method === 'relative_to_baseline') return ov!.per_run_pct.map((p) => Math.log(1 + p / 100));
  return (stat.per_run_p50_ms ?? []).filter((v) => v > 0).map((v) => Math.log(v));
}

export interface Comparison {
  cells: CompareCell[];
  /** Cells tested (the Bonferroni m). */
  tested: number;
  alpha: number;
  /** Every standard error was multiplied by this. */
  noise_factor: number;
  /** Operations left out, with why. */
  skipped: { operation: Operation; reason: string }[];
}

/**
 * The default noise factor: in the A/A check on this machine (docs/measurements/2026-11-23-verdicts.md, measured on this
 * machine), the means of two invocations of one build differed by 1.6–2.5 times what the spread of
 * their runs predicts (layers vs the bus; the raw baseline, health_query and shutdown_drain).
 */
export const NOISE_FACTOR = 2;

export interface CompareOptions {
  alpha?: number;
  /** Multiplies every standard error; default NOISE_FACTOR (1: the runs' spread alone). */
  noiseFactor?: number;
  /**
   * Only the cells compared relative to the bare bus of their own run (layers on send, receive,
   * delivery): the drift-robust family for a shared runner. Baseline and raw-only cells are left out.
   */
  layersOnly?: boolean;
}

export function compareRuns(oldRecords: readonly BenchRecord[], newRecords: readonly BenchRecord[], opts: CompareOptions = {}): Comparison {
  const alpha = opts.alpha ?? 0.05;
  const factor = opts.noiseFactor ?? NOISE_FACTOR;
  const interleaved = [oldRecords, newRecords].some((r) => r.some((x) => x.type === 'run' && x.interleaved === true));
  const skipped: Comparison['skipped'] = interleaved ? [{ operation: 'delivery', reason: 'in an interleaved run it measures the round of all configs, not one config (compare runs made with --separate-cells for end-to-end latency)' }] : [];
  const byDriver = driversOf(oldRecords).length > 1 || driversOf(newRecords).length > 1;
  const key = keyOf(byDriver);
  const oldStats = new Map((of(oldRecords, 'statistics') as StatisticsRecord[]).map((s) => [key(s), s]));
  const oldOv = new Map((of(oldRecords, 'overhead') as OverheadRecord[]).map((o) => [key(o), o]));
  const newOv = new Map((of(newRecords, 'overhead') as OverheadRecord[]).map((o) => [key(o), o]));
  const pending: { cell: CompareCell; x: number[]; y: number[] }[] = [];
  for (const n of of(newRecords, 'statistics') as StatisticsRecord[]) {
    const o = oldStats.get(key(n));
    if (!o || skipped.some((s) => s.operation === n.operation)) continue;
    const ovOld = oldOv.get(key(n));
    const ovNew = newOv.get(key(n));
    let method: CompareCell['method'] = ovOld && ovNew && ovOld.per_run_pct.length >= 2 && ovNew.per_run_pct.length >= 2 ? 'relative_to_baseline' : 'raw';
    const x = perRun(o, ovOld, method);
    const y = perRun(n, ovNew, method);
    if (x.length < 2 || y.length < 2) method = 'none';
    if (opts.layersOnly && method !== 'relative_to_baseline') continue;
    pending.push({
      cell: {
        ...(byDriver ? { driver: n.driver } : {}),
        config: n.test_name,
        agents: n.agent_count,
        operation: n.operation,
        method,
        old_p50_us: o.p50_ms * 1000,
        new_p50_us: n.p50_ms * 1000,
        old_p95_us: o.p95_ms * 1000,
        new_p95_us: n.p95_ms * 1000,
        old_runs: o.runs_n,
        new_runs: n.runs_n,
        change_pct: null,
        ci_low_pct: null,
        ci_high_pct: null,
        p_adjusted: null,
        verdict: 'not enough runs',
      },
      x,
      y,
    });
  }
  const tested = pending.filter((p) => p.cell.method !== 'none').length;
  const pct = (d: number) => (Math.exp(d) - 1) * 100;
  for (const { cell, x, y } of pending) {
    if (cell.method === 'none') continue;
    const raw = welch(x, y);
    const w = { ...raw, se: raw.se * factor };
    cell.change_pct = pct(w.diff);
    if (w.se === 0) {
      cell.ci_low_pct = cell.ci_high_pct = cell.change_pct;
      cell.p_adjusted = w.diff === 0 ? 1 : 0;
    } else {
      const q = tQuantile(1 - alpha / (2 * tested), w.df);
      cell.ci_low_pct = pct(w.diff - q * w.se);
      cell.ci_high_pct = pct(w.diff + q * w.se);
      cell.p_adjusted = Math.min(1, tTwoSidedP(w.diff / w.se, w.df) * tested);
    }
    cell.verdict = cell.p_adjusted < alpha ? (w.diff > 0 ? 'slower' : 'faster') : 'no significant change';
  }
  return { cells: pending.map((p) => p.cell), tested, alpha, noise_factor: factor, skipped };
}

/** Cells significantly slower by more than `boundPct`. */
export function regressions(c: Comparison, boundPct: number): CompareCell[] {
  return c.cells.filter((x) => x.verdict === 'slower' && x.change_pct !== null && x.change_pct > boundPct);
}
