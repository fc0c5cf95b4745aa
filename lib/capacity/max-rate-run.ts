/**
 * `busbench capacity --find-max-rate`: the rate search (max-rate.ts) on a real bus. Each step is a
 * run of the open loop at one rate (the matrix run every command shares: its own workers,
 * calibration and cleanup) for the configs that ask for that rate, at one scale of one driver;
 * its records go to a scratch file, and the search keeps one point per config. The results file
 * gets one `max_rate` record per driver, config and scale, then the summary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from '../config/options.ts';
import { CONFIGS, type ConfigName } from '../core/words.ts';
import type { BenchRecord, Body, MaxRatePoint, MaxRateRecord, SummaryRecord } from '../records/schema.ts';
import { RecordWriter } from '../records/writer.ts';
import { runMatrix, type RunIO } from '../run/runner.ts';
import { RateSearch, searchMaxRates } from './max-rate.ts';

const r3 = (x: number) => Number(x.toFixed(3));

/** One config's point from a step's records. */
function pointOf(records: readonly BenchRecord[], config: ConfigName, rate: number, budgetMs: number): MaxRatePoint {
  const stat = (op: string) => records.find((r) => r.type === 'statistics' && r.test_name === config && r.operation === op);
  const load = records.find((r) => r.type === 'load' && r.test_name === config && !r.warmup);
  const integ = records.find((r) => r.type === 'integrity' && r.test_name === config && !r.warmup);
  const intended = stat('delivery_intended');
  const actual = stat('delivery');
  const p99 = intended?.type === 'statistics' ? intended.p99_ms : null;
  const lost = integ?.type === 'integrity' ? integ.lost : null;
  // A step that gave up its schedule (unsent) had broken the budget for sure (workloads/open.ts giveUpOf).
  const gaveUp = load?.type === 'load' && load.unsent > 0;
  // A refused send means a recipient's inbox was at its capacity: a backlog, not a rate kept.
  const reason = p99 === null || integ?.type !== 'integrity' ? 'failed' : !integ.ok ? 'lost' : integ.rejected > 0 ? 'rejected' : p99 > budgetMs || gaveUp ? 'p99' : null;
  return {
    rate_per_agent_msgs_per_s: r3(rate),
    offered_msgs_per_s: load?.type === 'load' ? load.offered_msgs_per_s : r3(rate),
    held: reason === null,
    reason,
    delivery_intended_p99_ms: p99,
    delivery_p99_ms: actual?.type === 'statistics' ? actual.p99_ms : null,
    late_pct: load?.type === 'load' ? load.late_pct : null,
    unsent: load?.type === 'load' ? load.unsent : null,
    rejected: integ?.type === 'integrity' ? integ.rejected : null,
    lost,
  };
}

/**
 * A budget the lowest rate already comes close to: the p99 there is the machine's and the bus's
 * latency with almost no load, so where the budget is crossed depends on noise more than on the
 * rate (docs/capacity.md: at 5 ms on a 2-core VM the answers varied by 2.4 times).
 */
export function nearFloor(points: readonly MaxRatePoint[], budgetMs: number): string | null {
  const low = points.reduce<MaxRatePoint | null>((a, p) => (p.delivery_intended_p99_ms !== null && (a === null || p.rate_per_agent_msgs_per_s < a.rate_per_agent_msgs_per_s) ? p : a), null);
  const p99 = low?.delivery_intended_p99_ms;
  if (low == null || p99 == null || p99 <= budgetMs / 2) return null;
  const rate = low.rate_per_agent_msgs_per_s;
  return `at the lowest rate, ${rate}/s per agent, p99 was already ${p99.toFixed(1)} ms of the ${budgetMs} ms budget: the answer will move with the machine's noise from run to run; a budget well above that p99 finds the bus's limit (--budget-p99)`;
}

export async function runMaxRate(options: Options, budgetMs: number, maxSteps: number, io: RunIO): Promise<{ exitCode: number; records: BenchRecord[] }> {
  const started = performance.now();
  const scratch = mkdtempSync(join(options.baseDir, 'busbench-max-rate-'));
  const writer = new RecordWriter(options.out, options.drivers[0]!);
  const records: BenchRecord[] = [];
  let aborted: number | null = null;
  void io.interrupted.then((code) => (aborted = code));
  let steps = 0;
  let failedSteps = 0;
  const configs = CONFIGS.filter((c) => c === 'baseline' || options.layers.includes(c));
  try {
    for (const driver of options.drivers) {
      writer.driver = driver;
      for (const scale of options.scales) {
        const searches = configs.map((c) => new RateSearch(c, maxSteps));
        await searchMaxRates(
          searches,
          async (rate, group) => {
            const out = join(scratch, `step-${++steps}.jsonl`);
            const stepOpts: Options = Object.freeze({ ...options, drivers: [driver], scales: [scale], rate, rateTotal: null, runs: 1, layers: group.filter((c) => c !== 'baseline'), out, thresholds: [], raw: false, giveUpLateMs: budgetMs });
            const label = `max rate · ${driver} @ ${scale} agents · ${rate.toFixed(rate < 10 ? 2 : 0)}/s per agent · ${group.join(', ')}`;
            let outcome;
            try {
              outcome = await runMatrix(stepOpts, { ...io, progress: (d, t, l) => io.progress(d, t, `${label}: ${l}`) }, {});
            } catch (e) {
              failedSteps++;
              io.warn(`${label}: ${e instanceof Error ? e.message : String(e)}`);
              outcome = { records: [] as BenchRecord[] };
            }
            rmSync(out, { force: true });
            return new Map(group.map((c) => [c, pointOf(outcome.records, c, rate, budgetMs)]));
          },
          () => aborted !== null,
        );
        for (const s of searches) {
          const first = s.points[0];
          const body: Body<MaxRateRecord> = {
            type: 'max_rate',
            test_name: s.config,
            agent_count: scale,
            pattern: options.pattern,
            arrivals: options.arrivals,
            wait: options.wait,
            duration_ms: options.durationMs,
            budget_p99_ms: budgetMs,
            status: s.status(),
            max_rate_per_agent_msgs_per_s: s.lo === null ? null : r3(s.lo),
            max_offered_msgs_per_s: s.lo === null ? null : (s.points.find((p) => p.rate_per_agent_msgs_per_s === r3(s.lo!))?.offered_msgs_per_s ?? null),
            broke_at_per_agent_msgs_per_s: s.hi === null ? null : r3(s.hi),
            points: s.points,
          };
          if (first) records.push(writer.write(body));
          const note = nearFloor(s.points, budgetMs);
          if (note) io.warn(`max rate · ${driver} @ ${scale} agents · ${s.config}: ${note}`);
        }
        if (aborted !== null) break;
      }
      if (aborted !== null) break;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const exitCode = aborted ?? (failedSteps > 0 ? 1 : 0);
  const summary: Body<SummaryRecord> = {
    type: 'summary',
    status: aborted !== null ? 'aborted' : exitCode === 0 ? 'ok' : 'failed',
    exit_code: exitCode,
    duration_s: r3((performance.now() - started) / 1000),
    cells_ok: steps - failedSteps,
    cells_failed: failedSteps,
    lost_total: 0,
    duplicated_total: 0,
    ...(failedSteps > 0 ? { reason: `${failedSteps} step(s) failed` } : {}),
  };
  records.push(writer.write(summary));
  await writer.close();
  return { exitCode, records };
}
