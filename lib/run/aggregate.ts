import { medianSorted } from 'simple-statistics';
import { OPERATIONS, type Operation } from '../core/words.ts';
import { CONFIGS, type ConfigName } from '../core/words.ts';
import { madOutliers } from '../stats/outliers.ts';
import { matchedLogRatio, overheadFromRuns, type KeyedSamples, type OverheadEstimate } from '../stats/overhead.ts';
import { sorted, summarize, type Summary } from '../stats/summary.ts';
import type { Body, OverheadRecord, StatisticsRecord } from '../records/schema.ts';
import { summarizeHistograms, type EncodedHistogram } from '../measure/histogram.ts';

/**
 * Operations a layer shares with the baseline, so an overhead can be computed. End-to-end delivery
 * only when each config has its cells to itself: interleaved, a message from another worker waits
 * for its recipient's next turn at that config, i.e. through every other config's turn too, so its
 * delivery time measures the round of all configs more than the config.
 */
export function comparedOperations(interleaved: boolean): readonly Operation[] {
  return interleaved ? ['message_send', 'message_receive'] : ['message_send', 'message_receive', 'delivery'];
}

const ms = (ns: number) => Number((ns / 1e6).toFixed(6));

interface Entry {
  config: ConfigName;
  scale: number;
  op: Operation;
  /** A/B: the variant the samples were measured under. */
  variant?: string;
  runs: Map<number, KeyedSamples[]>;
}

/** One entry against another of the same scale and operation, paired run by run and matched per message (stats/overhead.ts). */
export interface PairedFigure {
  config: ConfigName;
  scale: number;
  op: Operation;
  estimate: OverheadEstimate;
  /** Medians (ns) over every run: of the entry compared, and of the one it is compared against. */
  p50Ns: number;
  againstP50Ns: number;
}

const entryKey = (variant: string | undefined, config: ConfigName, scale: number, op: Operation) => `${variant ?? ''}|${config}|${scale}|${op}`;

/** Samples (ns) by config, scale, operation and statistical run (and, A/B, variant); the warm-up never enters. */
export class Aggregator {
  private readonly data = new Map<string, Entry>();
  private readonly compared: readonly Operation[];

  constructor(opts: { interleaved: boolean }) {
    this.compared = comparedOperations(opts.interleaved);
  }

  /** One worker's samples of one operation in one cell (with their message keys where there are any). */
  add(config: ConfigName, scale: number, run: number, op: Operation, samples: KeyedSamples, variant?: string): void {
    if (samples.values.length === 0) return;
    const key = entryKey(variant, config, scale, op);
    let e = this.data.get(key);
    if (!e) {
      e = { config, scale, op, ...(variant !== undefined ? { variant } : {}), runs: new Map() };
      this.data.set(key, e);
    }
    const list = e.runs.get(run) ?? [];
    list.push(samples);
    e.runs.set(run, list);
  }

  private readonly hists = new Map<string, { config: ConfigName; scale: number; op: Operation; runs: Map<number, EncodedHistogram[]> }>();

  /** Every worker's histogram of one operation in one cell (lib/measure/histogram.ts). */
  addHistograms(config: ConfigName, scale: number, run: number, op: Operation, list: readonly EncodedHistogram[]): void {
    const key = `${config}|${scale}|${op}`;
    let e = this.hists.get(key);
    if (!e) {
      e = { config, scale, op, runs: new Map() };
      this.hists.set(key, e);
    }
    e.runs.set(run, [...(e.runs.get(run) ?? []), ...list]);
  }

  statistics(): Body<StatisticsRecord>[] {
    const out: Body<StatisticsRecord>[] = [];
    for (const e of this.hists.values()) {
      const all = [...e.runs.values()].flat();
      if (all.every((h) => h.n === 0)) continue;
      const s = summarizeHistograms(all);
      // Outliers need every sample: a histogram-based record has none.
      out.push({
        ...statisticsOf(e, s),
        per_run_p50_ms: [...e.runs.entries()].sort((a, b) => a[0] - b[0]).filter(([, l]) => l.some((h) => h.n > 0)).map(([, l]) => ms(summarizeHistograms(l).p50)),
        from: 'histogram',
      });
    }
    for (const e of this.data.values()) {
      const all = concat([...e.runs.values()].flat().map((s) => s.values));
      const s = summarize(all);
      const o = madOutliers(sorted(all));
      out.push({
        ...statisticsOf(e, s),
        outliers_high: o.high,
        outliers_low: o.low,
        per_run_p50_ms: [...e.runs.entries()].sort((a, b) => a[0] - b[0]).map(([, sets]) => ms(medianOf(sets.map((s) => s.values)))),
      });
    }
    return out.sort(byKey);
  }

  /** Each layer against the baseline, run by run, from matched calls (see stats/overhead.ts). */
  overheads(): Body<OverheadRecord>[] {
    const out: Body<OverheadRecord>[] = [];
    for (const e of this.data.values()) {
      if (e.config === 'baseline' || !this.compared.includes(e.op)) continue;
      const base = this.data.get(entryKey(e.variant, 'baseline', e.scale, e.op));
      const p = base ? paired(e, base) : null;
      if (!p) continue;
      const { estimate: est, p50Ns: layerP50, againstP50Ns: baseP50 } = p;
      const r = (x: number | null) => (x === null ? null : Number(x.toFixed(3)));
      out.push({
        type: 'overhead',
        test_name: e.config,
        ...(e.variant !== undefined ? { variant: e.variant } : {}),
        agent_count: e.scale,
        operation: e.op,
        statistic: 'p50',
        baseline_p50_ms: ms(baseP50),
        layer_p50_ms: ms(layerP50),
        // The estimate in µs at the bare bus's median, so the two figures always agree.
        overhead_us: Number(((baseP50 * est.overhead_pct) / 100 / 1000).toFixed(3)),
        overhead_pct: r(est.overhead_pct)!,
        ci_low_pct: r(est.ci_low_pct),
        ci_high_pct: r(est.ci_high_pct),
        significant: est.significant,
        runs_n: est.runs_n,
        per_run_pct: est.per_run_pct.map((x) => r(x)!),
        method: 'paired_t_matched_log_ratio',
      });
    }
    return out.sort(byKey);
  }

  /**
   * A/B: every (config, scale, operation) of variant `b` against the same of variant `a`, paired
   * by run and matched per message exactly as a layer against the baseline (the compared
   * operations only).
   */
  versus(b: string, a: string): PairedFigure[] {
    const out: PairedFigure[] = [];
    for (const e of this.data.values()) {
      if (e.variant !== b || !this.compared.includes(e.op)) continue;
      const other = this.data.get(entryKey(a, e.config, e.scale, e.op));
      const p = other ? paired(e, other) : null;
      if (p) out.push(p);
    }
    return out.sort((x, y) => byKey({ test_name: x.config, agent_count: x.scale, operation: x.op }, { test_name: y.config, agent_count: y.scale, operation: y.op }));
  }
}

/** An entry against another, run by run (matchedLogRatio per run, then overheadFromRuns); null when no run could be matched. */
function paired(e: Entry, against: Entry): PairedFigure | null {
  const perRun: number[] = [];
  for (const [run, arrays] of [...e.runs.entries()].sort((a, b) => a[0] - b[0])) {
    const b = against.runs.get(run);
    const d = b ? matchedLogRatio(arrays, b) : null;
    if (d !== null) perRun.push(d);
  }
  if (perRun.length === 0) return null;
  return {
    config: e.config,
    scale: e.scale,
    op: e.op,
    estimate: overheadFromRuns(perRun),
    p50Ns: medianOf([...e.runs.values()].flat().map((s) => s.values)),
    againstP50Ns: medianOf([...against.runs.values()].flat().map((s) => s.values)),
  };
}

function concat(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((a, x) => a + x.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

function medianOf(arrays: Float64Array[]): number {
  return medianSorted(sorted(concat(arrays)));
}

function byKey(a: { test_name: ConfigName; agent_count: number; operation: string }, b: typeof a): number {
  return CONFIGS.indexOf(a.test_name) - CONFIGS.indexOf(b.test_name) || a.agent_count - b.agent_count || OPERATIONS.indexOf(a.operation as Operation) - OPERATIONS.indexOf(b.operation as Operation);
}

/** The fields a statistics record takes from its key and its summary, from samples or histograms alike. */
function statisticsOf(e: { config: ConfigName; variant?: string; scale: number; op: Operation; runs: Map<number, unknown> }, s: Summary) {
  return {
    type: 'statistics' as const,
    test_name: e.config,
    ...(e.variant !== undefined ? { variant: e.variant } : {}),
    agent_count: e.scale,
    operation: e.op,
    n: s.n,
    runs_n: e.runs.size,
    avg_ms: ms(s.mean),
    stddev_ms: ms(s.stddev),
    min_ms: ms(s.min),
    max_ms: ms(s.max),
    p50_ms: ms(s.p50),
    p95_ms: ms(s.p95),
    p99_ms: ms(s.p99),
    p999_ms: ms(s.p999),
  };
}
