/**
 * What a run's figures are good for, in words: resolution against the one wanted, thresholds
 * finer than the resolution, outliers. Pure: records in, warnings out (the CLI prints them).
 */
import type { BenchRecord, StatisticsRecord } from '../records/schema.ts';
import type { Rows } from './rows.ts';
import type { Threshold } from '../verdict/syntax.ts';
import { t975 } from '../stats/tdist.ts';
import { halfWidth, short } from './format.ts';

export interface AdviceInput {
  rows: Rows;
  records: readonly BenchRecord[];
  /** Resolution wanted, % (the --resolution option). */
  wantedPct: number;
  thresholds?: readonly Threshold[];
}

/**
 * Runs needed for a half-width of `want`, given `half` measured with `runs`: half = t(R−1)·sd/√R,
 * so sd = half·√R / t(R−1), and the answer is the least n with t(n−1)·sd/√n ≤ want (assuming the
 * run-to-run spread stays as it was). Infinity beyond `cap`.
 */
export function runsFor(half: number, runs: number, want: number, cap = 10_000): number {
  if (runs < 2 || half <= want) return runs;
  const sd = (half * Math.sqrt(runs)) / t975(runs - 1);
  for (let n = runs + 1; n <= cap; n++) if ((t975(n - 1) * sd) / Math.sqrt(n) <= want) return n;
  return Infinity;
}

export function advice(input: AdviceInput): string[] {
  const notes: string[] = [];
  const { rows, wantedPct } = input;
  const main = rows.resolution.filter((r) => r.operation === 'message_send' || r.operation === 'message_receive');
  const noInterval = main.filter((r) => r.half_pct === null);
  if (noInterval.length > 0) notes.push('one statistical run gives no interval, so no resolution and no significance: use --runs 5 or more');
  const wide = main.filter((r) => r.half_pct !== null && r.half_pct > wantedPct);
  if (wide.length > 0) {
    const worst = wide.reduce((a, b) => (b.half_pct! > a.half_pct! ? b : a));
    const need = runsFor(worst.half_pct!, worst.runs, wantedPct);
    const where = wide.map((r) => `${r.agents} agents ${short(r.operation)} ${halfWidth(r.half_pct)}`).join(', ');
    notes.push(
      `run too short for the resolution wanted (±${wantedPct}%, --resolution): ${where}. ` +
        `The half-width shrinks about as 1/√runs: about --runs ${Number.isFinite(need) ? need : 'over 10000'} would reach it at ${worst.agents} agents if the spread between runs stays as it is` +
        (rows.run?.interleaved === false && rows.run.driver === 'tmpfs' && rows.run.configs.length > 1
          ? `; this run measured each config in a cell of its own, where the spread between cells dominates: without --separate-cells the configs take turns inside one cell, which narrowed them several-fold on the machine of docs/measurements/2026-11-23-overhead-tmpfs.md (±3–19 % to under ±1 % at 10 agents)`
          : '') +
        `; other load on the machine widens every interval.`,
    );
  }
  for (const t of input.thresholds ?? []) {
    const s = t.subject;
    if (s.kind !== 'overhead' || t.unit !== '%') continue;
    const res = rows.resolution.filter((r) => r.operation === s.operation && (s.agents === null || r.agents === s.agents) && r.half_pct !== null);
    const coarse = res.filter((r) => r.half_pct! > Math.abs(t.limit));
    if (coarse.length > 0) {
      notes.push(
        `threshold "${t.text}" bounds at ${t.limit}% but the resolution there is ${coarse.map((r) => `${halfWidth(r.half_pct)} at ${r.agents} agents`).join(', ')}: ` +
          `its verdict is decided by noise${s.bound === 'estimate' ? '; judge upper(...) to require the bound with 95 % confidence' : ''}, or measure longer (--runs)`,
      );
    }
  }
  // Histogram-based statistics count no outliers (they keep no samples).
  const stats = input.records.filter((r): r is StatisticsRecord & { outliers_high: number; outliers_low: number } => r.type === 'statistics' && r.outliers_high !== undefined && r.outliers_low !== undefined);
  const total = stats.reduce((a, s) => a + s.n, 0);
  const out = stats.reduce((a, s) => a + s.outliers_high + s.outliers_low, 0);
  if (total > 0 && out / total > 0.01) {
    const worst = stats.reduce((a, s) => ((s.outliers_high + s.outliers_low) / s.n > (a.outliers_high + a.outliers_low) / a.n ? s : a));
    notes.push(
      `${out} of ${total} samples (${((100 * out) / total).toFixed(1)}%) are outliers (modified z-score above 3.5, Iglewicz & Hoaglin); none was dropped. ` +
        `Most: ${worst.test_name} @ ${worst.agent_count} ${worst.operation} (${worst.outliers_high + worst.outliers_low} of ${worst.n}). ` +
        `Medians and overheads (medians of matched ratios) resist them; avg, stddev and p99 do not. Quiet the machine (other benchmarks, builds), raise --warmup if they come early, or raise --runs.`,
    );
  }
  return notes;
}
