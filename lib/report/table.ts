import Table from 'cli-table3';
import type { Rows } from './rows.ts';
import { amount, halfWidth, NOT_MEASURABLE, pct, pctCell, short, signedUs, thresholdsVerdict, times, us } from './format.ts';

const NAMES: Record<string, string> = { noop: 'noop', metrics: 'metrics', health: 'health', rate_limiting: 'rate_lim', shutdown: 'shutdown', full_integration: 'full' };

/** The bottleneck breakdown, ranking and resources as terminal tables (cli-table3). */
export function renderTables(rows: Rows, colour: boolean): string {
  const style = { head: colour ? ['cyan'] : [], border: colour ? ['grey'] : [] };
  const out: string[] = [];

  if (rows.breakdown.length > 0) {
    const head = ['agents', 'op', 'baseline p50', ...rows.configs.map((c) => NAMES[c] ?? c), 'Σ layers', 'full ÷ Σ'];
    const t = new Table({ head, style });
    for (const r of rows.breakdown) t.push([String(r.agents), short(r.operation), us(r.baseline_p50_us), ...rows.configs.map((c) => pctCell(r.cells[c])), pct(r.sum_of_parts_pct), times(r.full_over_sum)]);
    out.push(`Overhead of each layer vs the bare bus (median per call, ± half-width of the 95 % interval; ${NOT_MEASURABLE} = not measurable at this resolution: the interval includes 0)`, t.toString());
  }

  if (rows.resolution.length > 0) {
    const rs = new Table({ head: ['agents', 'op', 'resolution (noop ±)', 'noop A/A estimate', 'runs'], style });
    for (const r of rows.resolution) rs.push([String(r.agents), short(r.operation), halfWidth(r.half_pct), pct(r.noop_pct), String(r.runs)]);
    out.push((out.length ? '\n' : '') + 'Resolution: the smallest overhead this run can tell from 0 (the noop layer passes everything through; its interval is the noise)', rs.toString());
  }

  if (rows.rankingScale !== null && rows.ranking.length > 0) {
    const rt = new Table({ head: ['rank', 'layer', 'added per message', '% of send+receive', 'send', 'receive'], style });
    for (const r of rows.ranking) rt.push([String(r.rank), r.layer, signedUs(r.added_us), pct(r.added_pct), pctCell(r.send), pctCell(r.receive)]);
    out.push(`\nLayers ranked by cost at ${rows.rankingScale} agents (the bottleneck first)`, rt.toString());
  }

  if (rows.resources.length > 0) {
    const res = new Table({ head: ['agents', 'CPU avg', 'CPU max', 'RSS avg', 'RSS max', 'tmpfs avg', 'tmpfs max', 'files max', 'sent', 'received', 'drained', 'lost', 'dup'], style });
    for (const r of rows.resources) {
      res.push([
        String(r.agents),
        amount(r.cpu_avg_pct, '%'),
        amount(r.cpu_max_pct, '%'),
        amount(r.rss_avg_mb, 'MB'),
        amount(r.rss_max_mb, 'MB'),
        amount(r.tmpfs_avg_kb, 'KB'),
        amount(r.tmpfs_max_kb, 'KB'),
        amount(r.files_max, ''),
        String(r.sent),
        String(r.received),
        String(r.drained),
        String(r.lost),
        String(r.duplicated),
      ]);
    }
    out.push('\nResources (harness, workers and a bus server busbench started; per cell) and message integrity, per scale', res.toString());
  }
  if (rows.lifecycle.length > 0) {
    const mb = (x: number | null) => (x === null ? '–' : x.toFixed(0));
    const ms = (x: number | null) => (x === null ? '–' : `${x.toFixed(x < 10 ? 1 : 0)} ms`);
    const kinds = (['harness', 'workers', 'agent_shells', 'server'] as const).filter((k) => rows.lifecycle.some((r) => r.rss[k].peak !== null));
    const lt = new Table({ head: ['agents', 'ready p50', 'ready p95', 'ready max', 'open max', ...kinds.map((k) => `${k.replace('_', ' ')} MB idle/load/peak`)], style });
    for (const r of rows.lifecycle) lt.push([String(r.agents), ms(r.ready_p50_ms), ms(r.ready_p95_ms), ms(r.ready_max_ms), ms(r.open_max_ms), ...kinds.map((k) => `${mb(r.rss[k].idle)} / ${mb(r.rss[k].load)} / ${mb(r.rss[k].peak)}`)]);
    const what = rows.lifecycle.find((r) => r.what)?.what;
    out.push(`${out.length ? '\n' : ''}Lifecycle per scale: ${what ? `each ${what} from its spawn to its first successful operation (median of the cells' p50, largest p95 and max), ` : ''}each worker's whole open (largest), and RSS per kind of process: agents ready and idle / mean under load / peak`, lt.toString());
  }
  if (rows.faults.length > 0) {
    const ft = new Table({ head: ['fault', 'agents', 'config', 'detected', 'detect p50', 'detect p95', 'detect max', 'drain max'], style });
    const ms = (x: number | null) => (x === null ? '–' : `${x.toFixed(x < 10 ? 2 : 0)} ms`);
    for (const r of rows.faults) ft.push([r.fault, String(r.agents), r.config, r.watched ? `${r.detected}/${r.watched}` : '–', ms(r.p50_ms), ms(r.p95_ms), ms(r.max_ms), ms(r.drain_max_ms)]);
    out.push(`${out.length ? '\n' : ''}Under --fault: from the strike to the health query reporting the agent stale (per cell; a stall counts only while it lasts), and the coordinated shutdown's drain`, ft.toString());
  }
  if (rows.thresholds.length > 0) {
    const tt = new Table({ head: ['', 'threshold', 'worst', 'detail'], style });
    for (const r of rows.thresholds) tt.push([r.passed ? 'pass' : 'FAIL', r.expression, r.worst, r.reason ?? '']);
    out.push(`${out.length ? '\n' : ''}Thresholds: ${thresholdsVerdict(rows.thresholds)}`, tt.toString());
  }
  if (rows.notes.length > 0) out.push('', ...rows.notes.map((n) => `note: ${n}`));
  if (rows.errors > 0) out.push(`\n${rows.errors} cell(s) failed: see the error records.`);
  return out.join('\n') + '\n';
}
