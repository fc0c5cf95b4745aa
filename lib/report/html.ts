/**
 * The self-contained HTML report: one file, inline CSS and SVG, nothing fetched, built from the
 * records alone (so it can be rendered again from any JSONL). Charts: latency vs agents, throughput
 * vs agents with the fitted USL curve, per-layer overhead per scale with 95 % intervals, and
 * resource use vs agents; then the capacity model, predictions and budgets as tables.
 */
import { renderAbHtml } from './ab.ts';
import { soakSection } from './soak-html.ts';
import { LATENCY_FIELDS, measuredPoints, sweepConfigs } from '../capacity/points.ts';
import type { ConfigName } from '../core/words.ts';
import type { BenchRecord, CapacityPoint, CapacityRecord, OverheadRecord, RunRecord, SummaryRecord } from '../records/schema.ts';
import { growthValue } from '../stats/growth.ts';
import { uslThroughput } from '../stats/usl.ts';
import { buildCapacityRows } from './capacity-rows.ts';
import { crossingText } from './capacity-table.ts';
import { barChart, esc, lineChart, type Bar, type Series } from './svg.ts';

export const COLOURS: Record<ConfigName | 'interleaved', string> = {
  interleaved: '#3c4150',
  baseline: '#1f5fbf',
  noop: '#7f7f7f',
  metrics: '#2ca02c',
  health: '#9467bd',
  rate_limiting: '#e69500',
  shutdown: '#17a2b8',
  full_integration: '#d62728',
};

const CSS = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2330;margin:0;background:#f6f7f9}
main{max-width:1440px;margin:0 auto;padding:20px 28px 60px}
h1{font-size:24px;margin:8px 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #d7dbe2;padding-bottom:4px}
.meta{color:#4a5263;font-size:13.5px}.ok{color:#1b7f3b;font-weight:600}.failed,.aborted{color:#b3261e;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:16px}
figure.chart{margin:0;background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:6px}
figure.chart figcaption{font-size:12.5px;color:#4a5263;max-width:630px;padding:2px 6px 4px}
svg text{font-family:inherit;fill:#1d2330}svg .title{font-size:15px;font-weight:600}
svg .tick{font-size:11.5px;fill:#4a5263}svg .axis-label{font-size:12.5px;font-weight:600}svg .legend{font-size:12px}
svg .grid{stroke:#e6e9ee;stroke-width:1}svg .plot{fill:none;stroke:#9aa3b2}svg .zero{stroke:#4a5263;stroke-width:1}
svg .line,svg .model{fill:none;stroke-width:2}svg .model{stroke-width:2.2;opacity:.85}
svg .point{stroke:#fff;stroke-width:1}svg .whisker{stroke:#1d2330;stroke-width:1.3;fill:none}svg .empty{fill:#7a8394}
table{border-collapse:collapse;background:#fff;font-size:13.5px;margin:6px 0 10px}
th,td{border:1px solid #dde1e7;padding:4px 9px;text-align:right}th{background:#eef1f5}td:first-child,th:first-child{text-align:left}
td.x{color:#8a5a00}.note{font-size:13.5px;color:#333b4a;max-width:980px}.warn{color:#8a5a00}
`;

const num = (x: number | null | undefined, d = 0) => (x === null || x === undefined ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const msText = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(2)} ms`);
const agentsFmt = (v: number) => (v >= 1000 ? `${v / 1000}k` : String(v));

/** Log-spaced agent counts from 1 to `hi`, for drawing model curves. */
function curveAt(hi: number, steps = 80): number[] {
  return Array.from({ length: steps + 1 }, (_, i) => hi ** (i / steps));
}

function latencyChart(configs: ConfigName[], points: Map<ConfigName, CapacityPoint[]>, caps: CapacityRecord[], hi: number): string {
  const series: Series[] = [];
  const op = caps[0]?.latency_fit.operation ?? 'delivery';
  const fields = LATENCY_FIELDS[op];
  for (const c of configs) {
    const ps = points.get(c) ?? [];
    const colour = COLOURS[c];
    const at = (k: (typeof fields)['p50'] | (typeof fields)['p95'], name: string) =>
      ps.filter((p) => p[k] !== null).map((p) => ({ x: p.agent_count, y: p[k]!, label: `${c} ${name} at ${p.agent_count} agents: ${msText(p[k])}` }));
    series.push({ name: `${c} p95`, colour, points: at(fields.p95, 'p95'), markers: true, line: true });
    series.push({ name: `${c} p50`, colour, points: at(fields.p50, 'p50'), markers: true, line: true, dashed: true });
    const cap = caps.find((x) => x.test_name === c);
    const fit = cap?.latency_fit;
    if (fit && fit.status === 'ok' && fit.model && fit.a !== null && fit.b !== null) {
      const g = { model: fit.model, a: fit.a, b: fit.b };
      series.push({ name: `${c} p95 fit (${fit.model})`, colour, points: curveAt(hi).map((n) => ({ x: n, y: growthValue(g, n) })).filter((p) => p.y > 0), markers: false, line: true, dashed: true });
    }
  }
  return lineChart({
    id: 'latency',
    title: `${op === 'delivery' ? 'End-to-end latency' : `${fields.label[0]!.toUpperCase()}${fields.label.slice(1)} latency`} vs agents (p50 dashed, p95 solid)`,
    x: { label: 'agents (log scale)', log: true, fmt: agentsFmt },
    y: { label: `${op === 'delivery' ? 'latency, send → receipt' : `${fields.label} latency per call`} (ms, log scale)`, log: true },
    series,
    note: 'Measured percentiles of every message (all statistical runs pooled). Thin dashed curves without dots: the fitted p95 growth model, extended to the predicted agent counts.',
  });
}

function throughputChart(configs: ConfigName[], points: Map<ConfigName, CapacityPoint[]>, caps: CapacityRecord[], hi: number, interleaved: boolean): string {
  const series: Series[] = [];
  for (const c of configs) {
    const ps = (points.get(c) ?? []).filter((p) => p.throughput_msgs_per_s !== null);
    series.push({ name: `${c} measured`, colour: COLOURS[c], points: ps.map((p) => ({ x: p.agent_count, y: p.throughput_msgs_per_s!, label: `${c} at ${p.agent_count} agents: ${num(p.throughput_msgs_per_s)} msg/s` })), markers: true, line: false });
    const cap = caps.find((x) => x.test_name === c);
    if (cap && cap.sigma !== null && cap.kappa !== null && cap.lambda !== null) {
      const params = { sigma: cap.sigma, kappa: cap.kappa, lambda: cap.lambda };
      series.push({ name: `${c} USL fit (R² ${cap.r2?.toFixed(2)})`, colour: COLOURS[c], points: curveAt(hi).map((n) => ({ x: n, y: uslThroughput(n, params) })), markers: false, line: true, dashed: cap.status !== 'ok' });
    }
  }
  return lineChart({
    id: 'throughput',
    title: caps.length > 0 ? 'Throughput vs agents, with the fitted USL curve' : 'Throughput vs agents',
    x: { label: 'agents (log scale)', log: true, fmt: agentsFmt },
    y: { label: 'messages delivered per second (whole system)', log: false, zero: true },
    series,
    note: interleaved
      ? 'This run interleaved the configs, taking turns in one cell per scale, so no config has a wall time of its own: throughput per config comes from a run with --separate-cells, or from busbench capacity.'
      : `Dots: median over the statistical runs of messages delivered per second of workload.${caps.length > 0 ? ' Curves: X(N) = λN / (1 + σ(N−1) + κN(N−1)) fitted to the dots (dashed when the fit is poor); beyond the last dot it is an extrapolation.' : ' Run busbench capacity for the fitted scaling model.'}`,
  });
}

function overheadCharts(records: readonly BenchRecord[], scales: number[]): string[] {
  const ov = records.filter((r): r is OverheadRecord => r.type === 'overhead');
  const configs = [...new Set(ov.map((o) => o.test_name))];
  return (['message_send', 'message_receive'] as const).map((op) => {
    const bars: Bar[] = ov
      .filter((o) => o.operation === op)
      .map((o) => ({
        group: String(o.agent_count),
        series: o.test_name,
        value: o.overhead_pct,
        lo: o.ci_low_pct,
        hi: o.ci_high_pct,
        label: `${o.test_name} at ${o.agent_count} agents: ${o.overhead_pct >= 0 ? '+' : ''}${o.overhead_pct.toFixed(1)}%${o.ci_low_pct !== null && o.ci_high_pct !== null ? ` (95 % interval ${o.ci_low_pct.toFixed(1)} … ${o.ci_high_pct.toFixed(1)}%)` : ''}`,
      }));
    const name = op === 'message_send' ? 'send' : 'receive';
    return barChart({
      id: `overhead-${name}`,
      title: `Overhead per layer vs the bare bus: ${name} (median per call)`,
      groups: scales.filter((n) => bars.some((b) => b.group === String(n))).map(String),
      series: configs.map((c) => ({ name: c, colour: COLOURS[c] })),
      bars,
      xLabel: 'agents',
      yLabel: `${name} overhead vs baseline (%)`,
      yFmt: (v) => `${v}%`,
      note: 'Bars: overhead of each config against the bare bus at the same scale; whiskers: 95 % interval over the statistical runs (paired t on log ratios), an arrowhead where a very wide one is cut. An interval that crosses 0 means no measurable overhead.',
    });
  });
}

/** Resource use per config, or (interleaved run) of the cells every config shared. */
function resourceCharts(configs: (ConfigName | 'interleaved')[], points: Map<ConfigName | 'interleaved', CapacityPoint[]>): string[] {
  const chart = (id: string, title: string, yLabel: string, pick: (p: CapacityPoint) => number | null, fmt: (v: number) => string) =>
    lineChart({
      id,
      title,
      width: 440,
      height: 320,
      legendWidth: 134,
      x: { label: 'agents (log scale)', log: true, fmt: agentsFmt },
      y: { label: yLabel, log: false, zero: true },
      series: configs.map((c) => ({
        name: c === 'interleaved' ? 'all configs (interleaved)' : c,
        colour: COLOURS[c],
        points: (points.get(c) ?? []).filter((p) => pick(p) !== null).map((p) => ({ x: p.agent_count, y: pick(p)!, label: `${c} at ${p.agent_count} agents: ${fmt(pick(p)!)}` })),
        markers: true,
        line: true,
      })),
    });
  return [
    chart('resources-cpu', 'CPU (harness, workers, a server busbench started)', 'CPU % (100 % = one core)', (p) => p.cpu_pct, (v) => `${v.toFixed(0)} %`),
    chart('resources-rss', 'Memory (harness, workers, a server busbench started)', 'RSS (MB)', (p) => p.rss_mb, (v) => `${v.toFixed(0)} MB`),
    chart('resources-tmpfs', 'Bus files on tmpfs (peak)', 'tmpfs used (KB)', (p) => (p.tmpfs_max_bytes === null ? null : p.tmpfs_max_bytes / 1024), (v) => `${v.toFixed(0)} KB`),
  ];
}

function runInfo(run: RunRecord | undefined, summary: SummaryRecord | undefined): string {
  if (!run) return '<p class="meta">No run record in this file.</p>';
  const c = run.config as { runs?: number; iterations?: number; scales?: number[]; cell_messages?: unknown; soak_duration_s?: unknown; soak_rate?: unknown; soak_interval_s?: unknown };
  const parts = [
    `${esc(run.timestamp.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}`,
    `${esc(run.host.cpu_model)}, ${run.host.cores} cores, ${num(run.host.mem_total_mb / 1024, 0)} GB`,
    `Node ${esc(run.node_version)}`,
    `${esc(run.tmpfs.path)} is ${run.tmpfs.is_tmpfs ? 'tmpfs' : `<b>${esc(run.tmpfs.fs_type)}, not tmpfs</b>`}`,
    `configs ${esc(run.configs.join(', '))}`,
    `scales ${esc((c.scales ?? []).join(', '))}`,
    typeof c.soak_duration_s === 'number' ? `soak of ${c.soak_duration_s} s at ${String(c.soak_rate)} messages/s per agent, sampled every ${String(c.soak_interval_s)} s` : `${c.runs ?? '?'} runs × ${c.iterations ?? '?'} messages per agent${typeof c.cell_messages === 'number' && c.cell_messages > 0 ? ` (small scales' cells repeated until ${c.cell_messages} messages)` : ''}`,
    `seed ${run.seed}`,
  ];
  const status = summary ? `<span class="${esc(summary.status)}">${esc(summary.status)}</span> in ${summary.duration_s.toFixed(1)} s · ${summary.cells_ok} cells ok, ${summary.cells_failed} failed · lost ${summary.lost_total}, duplicated ${summary.duplicated_total}` : 'no summary (run interrupted?)';
  return `<p class="meta">${parts.join(' · ')}</p><p class="meta">${status}</p>`;
}

function capacityTables(records: readonly BenchRecord[]): string {
  const rows = buildCapacityRows(records);
  if (rows.models.length === 0) return '';
  const out: string[] = ['<h2>Scaling model</h2>'];
  out.push(
    `<p class="note">Throughput is fitted with the Universal Scalability Law, X(N) = λN / (1 + σ(N−1) + κN(N−1)): λ is what one agent alone delivers, σ the share of work that serialises (contention: throughput levels off towards λ/σ), κ the cost of agents keeping each other consistent (coherency: past N* = √((1−σ)/κ) adding agents lowers throughput). Fitted by least squares on the measured points; needs 6 scales; R² below 0.9 is flagged as a poor fit. Latency growth is the better (by R²) of a linear and a power-law fit of the ${rows.latency} p95. Figures marked * are extrapolations beyond the measured range.</p>`,
  );
  out.push(`<table><tr><th>config</th><th>fit</th><th>σ contention</th><th>κ coherency</th><th>λ (msg/s)</th><th>R²</th><th>peak N*</th><th>peak msg/s</th><th>${rows.latency} p95 growth</th><th>RSS per extra agent</th></tr>`);
  for (const m of rows.models) {
    const x = m.peak_extrapolated ? '*' : '';
    out.push(
      `<tr><td>${esc(m.config)}</td><td>${esc(m.status)}</td><td>${m.sigma === null ? '–' : m.sigma.toPrecision(3)}</td><td>${m.kappa === null ? '–' : m.kappa.toExponential(2)}</td><td>${num(m.lambda)}</td><td>${m.r2 === null ? '–' : m.r2.toFixed(3)}</td><td>${m.peak_agents === null ? (m.status === 'too few points' ? '–' : 'none (κ = 0)') : num(m.peak_agents) + x}</td><td>${num(m.peak_throughput) + (m.peak_throughput === null ? '' : x)}</td><td>${esc(m.latency)}</td><td>${m.rss_mb_per_extra_agent === null ? '–' : `${m.rss_mb_per_extra_agent.toFixed(2)} MB`}</td></tr>`,
    );
  }
  out.push('</table>');
  out.push(`<h2>Measured and predicted</h2><table><tr><th>config</th><th>agents</th><th>msg/s measured</th><th>msg/s model</th><th>${rows.latency} p95 measured</th><th>${rows.latency} p95 model</th><th>overhead measured</th><th>overhead model</th><th>CPU % per agent</th><th>CPU µs per message</th><th>RSS MB (all processes)</th></tr>`);
  for (const r of rows.scales) {
    const x = r.extrapolated ? ' class="x"' : '';
    const star = r.extrapolated ? '*' : '';
    const p = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : ''}${v.toFixed(1)}%`);
    if (r.error !== null && !r.measured) {
      out.push(`<tr><td>${esc(r.config)}</td><td>${r.agents}</td><td colspan="9" class="warn">failed: ${esc(r.error)}</td></tr>`);
      continue;
    }
    out.push(
      `<tr><td>${esc(r.config)}</td><td>${r.agents}${r.measured ? '' : '*'}</td><td>${num(r.throughput)}</td><td${x}>${num(r.throughput_model)}${r.throughput_model === null ? '' : star}</td><td>${msText(r.p95_ms)}</td><td${x}>${msText(r.p95_model_ms)}${r.p95_model_ms === null ? '' : star}</td><td>${p(r.overhead_pct)}</td><td${x}>${p(r.overhead_model_pct)}${r.overhead_model_pct === null ? '' : star}</td><td>${r.cpu_pct_per_agent === null ? '–' : r.cpu_pct_per_agent.toFixed(2)}</td><td>${r.cpu_us_per_message === null ? '–' : r.cpu_us_per_message.toFixed(0)}</td><td>${r.rss_mb === null ? '–' : r.rss_mb.toFixed(0)}</td></tr>`,
    );
  }
  out.push('</table>');
  if (rows.budgets.length > 0) {
    out.push('<h2>Budgets</h2><table><tr><th>budget</th><th>config</th><th>breaks at agents</th><th></th></tr>');
    for (const b of rows.budgets) out.push(`<tr><td>${esc(b.limit)}</td><td>${esc(b.config)}</td><td>${esc(crossingText(b.crossing, b.budget === 'overhead' ? '%' : 'ms'))}</td><td>${b.first ? '◀ first to break' : ''}</td></tr>`);
    out.push('</table>');
  }
  if (rows.warnings.length > 0) out.push(`<ul class="warn">${rows.warnings.map((w) => `<li>${esc(w.config)}: ${esc(w.text)}</li>`).join('')}</ul>`);
  return out.join('\n');
}

/** The whole report as one HTML string. */
export function renderHtml(records: readonly BenchRecord[]): string {
  const run = records.find((r): r is RunRecord => r.type === 'run');
  const summary = records.find((r): r is SummaryRecord => r.type === 'summary');
  const caps = records.filter((r): r is CapacityRecord => r.type === 'capacity');
  const configs = sweepConfigs(records);
  const points = new Map(configs.map((c) => [c, measuredPoints(records, c)] as const));
  const scales = [...new Set([...points.values()].flatMap((ps) => ps.map((p) => p.agent_count)))].sort((a, b) => a - b);
  const predicted = caps.flatMap((c) => c.predictions.map((p) => p.agent_count));
  const hi = Math.max(2, ...scales, ...predicted);
  const kind = caps.length > 0 ? 'capacity' : records.some((r) => r.type === 'soak') ? 'soak' : 'overhead';
  const interleaved = run?.interleaved === true;
  // Failed cells, one line each: an interleaved cell that failed left one error record per config.
  const failed = new Map<string, { where: string; configs: string[]; message: string }>();
  for (const e of records) {
    if (e.type !== 'error' || e.kind === 'call') continue;
    const k = `${e.agent_count}|${e.run}|${e.message}`;
    const f = failed.get(k) ?? { where: `${e.agent_count} agents, run ${e.run}`, configs: [], message: e.message };
    f.configs.push(e.test_name);
    failed.set(k, f);
  }
  const errors = [...failed.values()];
  const soak = soakSection(records);

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>busbench ${kind} report</title><style>${CSS}</style></head>
<body><main>
<h1>busbench ${kind} report</h1>
${runInfo(run, summary)}
${renderAbHtml(records)}
${errors.length > 0 ? `<p class="warn">${errors.length} cell(s) failed and are left out of the figures: ${errors.slice(0, 5).map((e) => esc(`${e.configs.join(', ')} @ ${e.where}: ${e.message}`)).join('; ')}</p>` : ''}
${soak !== '' ? `${soak}\n</main></body></html>\n` : `<h2>Latency and throughput</h2>
<div class="charts">
${latencyChart(configs, points, caps, hi)}
${throughputChart(configs, points, caps, hi, interleaved)}
</div>
<h2>Overhead per layer</h2>
<div class="charts">
${overheadCharts(records, scales).join('\n')}
</div>
<h2>Resources</h2>
<div class="charts">
${(interleaved ? resourceCharts(['interleaved'], new Map([['interleaved', measuredPoints(records, 'interleaved')]])) : resourceCharts(configs, points)).join('\n')}
</div>
${capacityTables(records)}
</main></body></html>
`}`;
}
