import Table from 'cli-table3';
import type { BudgetCrossing } from '../records/schema.ts';
import { BUDGET_SEARCH_LIMIT } from '../capacity/budget.ts';
import type { CapacityRows } from './capacity-rows.ts';

const dash = '–';
const num = (x: number | null, d = 0) => (x === null ? dash : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const ms = (x: number | null) => (x === null ? dash : x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(x < 10 ? 2 : 1)} ms`);
const pct = (x: number | null) => (x === null ? dash : `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`);
const tilde = (s: string, extrapolated: boolean) => (s === dash ? s : extrapolated ? `≈${s}*` : s);

export function crossingText(c: BudgetCrossing, unit: string): string {
  if (c.broken_at_agents === null) return c.last_ok_agents === null ? 'no data' : `not broken: not in the sweep, nor by the model (when one was fitted) up to ${BUDGET_SEARCH_LIMIT.toLocaleString('en-US')}`;
  const n = c.broken_at_agents.toLocaleString('en-US');
  const v = c.value_at_break === null || c.value_at_break === undefined ? '' : `, ${unit === '%' ? `${c.value_at_break.toFixed(1)}%` : ms(c.value_at_break)}`;
  if (c.source === 'measured') return c.last_ok_agents === null ? `already at ${n} (smallest scale${v})` : `between ${c.last_ok_agents} and ${n} (measured${v})`;
  return `≈${n}* (model${v})`;
}

/** The capacity tables for the terminal (cli-table3); '*' marks model figures beyond the sweep. */
export function renderCapacityTables(rows: CapacityRows, colour: boolean): string {
  const style = { head: colour ? ['cyan'] : [], border: colour ? ['grey'] : [] };
  const out: string[] = [];

  const m = new Table({ head: ['config', 'USL fit', 'σ contention', 'κ coherency', 'λ (msg/s, 1 agent)', 'R²', 'peak at N*', 'peak msg/s', `${rows.latency} p95 growth`, 'RSS per extra agent'], style });
  for (const r of rows.models) {
    const peakN = r.peak_agents === null ? (r.status === 'too few points' ? dash : 'none (κ = 0)') : tilde(num(r.peak_agents, 0), r.peak_extrapolated === true);
    m.push([r.config, r.status, r.sigma === null ? dash : r.sigma.toPrecision(3), r.kappa === null ? dash : r.kappa.toExponential(2), num(r.lambda), r.r2 === null ? dash : r.r2.toFixed(3), peakN, tilde(num(r.peak_throughput), r.peak_extrapolated === true), r.latency, r.rss_mb_per_extra_agent === null ? dash : `${r.rss_mb_per_extra_agent.toFixed(2)} MB`]);
  }
  out.push('Scaling model per config: throughput X(N) = λN / (1 + σ(N−1) + κN(N−1)) (Universal Scalability Law)', m.toString());

  const t = new Table({ head: ['config', 'agents', 'msg/s measured', 'msg/s model', `${rows.latency} p95 measured`, `${rows.latency} p95 model`, 'overhead', 'overhead model', 'CPU/agent', 'CPU/msg', 'RSS', 'tmpfs max'], style });
  for (const r of rows.scales) {
    if (r.error !== null && !r.measured) {
      t.push([r.config, String(r.agents), { colSpan: 10, content: `failed: ${r.error}` }]);
      continue;
    }
    t.push([
      r.config,
      r.measured ? String(r.agents) : `${r.agents}*`,
      num(r.throughput),
      tilde(num(r.throughput_model), r.extrapolated),
      ms(r.p95_ms),
      tilde(ms(r.p95_model_ms), r.extrapolated),
      pct(r.overhead_pct),
      tilde(pct(r.overhead_model_pct), r.extrapolated),
      r.cpu_pct_per_agent === null ? dash : `${r.cpu_pct_per_agent.toFixed(r.cpu_pct_per_agent < 1 ? 2 : 1)}%`,
      r.cpu_us_per_message === null ? dash : `${r.cpu_us_per_message.toFixed(0)} µs`,
      r.rss_mb === null ? dash : `${r.rss_mb.toFixed(0)} MB`,
      r.tmpfs_max_bytes === null ? dash : `${(r.tmpfs_max_bytes / 1024).toFixed(0)} KB`,
    ]);
  }
  const what = rows.latency === 'e2e' ? 'e2e = send to receipt' : `${rows.latency} = one ${rows.latency} call`;
  out.push(`\nMeasured and predicted per agent count (${what}; overhead = send + receive vs the bare bus; CPU and RSS: harness, workers and a bus server busbench started; * = extrapolated beyond the sweep)`, t.toString());

  if (rows.budgets.length > 0) {
    const b = new Table({ head: ['budget', 'config', 'breaks at agents', 'first to break'], style });
    for (const r of rows.budgets) b.push([r.limit, r.config, crossingText(r.crossing, r.budget === 'overhead' ? '%' : 'ms'), r.first ? '◀ first' : '']);
    out.push('\nBudgets: the agent count at which each config breaks them', b.toString());
  }
  return out.join('\n') + '\n';
}
