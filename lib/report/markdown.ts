import type { Rows } from './rows.ts';
import { amount, halfWidth, pct, pctCell, short, signedUs, thresholdsVerdict, times, us } from './format.ts';

/** One GitHub-flavoured markdown table; `|` inside a cell is escaped. */
export function mdTable(head: string[], body: string[][]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), `|${head.map(() => ' --- ').join('|')}|`, ...body.map(line)].join('\n');
}

const NOT_MEASURABLE = 'not measurable';

/**
 * The results as markdown (GITHUB_STEP_SUMMARY, PR comments): verdicts first, then the breakdown,
 * the resolution, the ranking and the integrity. Same rows as the terminal table.
 */
export function renderMarkdown(rows: Rows): string {
  const out: string[] = ['## busbench results', ''];
  const r = rows.run;
  if (r) out.push(`${r.host.cpu_model}, ${r.host.cores} cores, kernel ${r.host.kernel}, Node ${r.node_version}, ${r.tmpfs.is_tmpfs ? 'tmpfs' : `${r.tmpfs.fs_type} (not tmpfs)`}, busbench ${r.busbench_version}${r.git_sha ? ` (${r.git_sha.slice(0, 12)})` : ''} · runs ${String(r.config.runs)}, iterations ${String(r.config.iterations)}`, '');
  if (rows.summary) out.push(`**${rows.summary.status}** (exit ${rows.summary.exit_code}) in ${rows.summary.duration_s.toFixed(1)} s · ${rows.summary.cells_ok} cells ok, ${rows.summary.cells_failed} failed · lost ${rows.summary.lost_total}, duplicated ${rows.summary.duplicated_total}`, '');

  if (rows.thresholds.length > 0) {
    out.push(`### Thresholds: ${thresholdsVerdict(rows.thresholds)}`, '');
    out.push(mdTable(['', 'threshold', 'worst', 'detail'], rows.thresholds.map((t) => [t.passed ? '✅ pass' : '❌ FAIL', `\`${t.expression}\``, t.worst, t.reason ?? ''])), '');
  }

  if (rows.breakdown.length > 0) {
    out.push('### Overhead of each layer vs the bare bus', '', `Median per call, ± half-width of the 95 % interval; "${NOT_MEASURABLE}" = the interval includes 0 at this resolution.`, '');
    const body = rows.breakdown.map((b) => [String(b.agents), short(b.operation), us(b.baseline_p50_us), ...rows.configs.map((c) => pctCell(b.cells[c], NOT_MEASURABLE)), pct(b.sum_of_parts_pct), times(b.full_over_sum)]);
    out.push(mdTable(['agents', 'op', 'baseline p50', ...rows.configs, 'Σ layers', 'full ÷ Σ'], body), '');
  }

  if (rows.resolution.length > 0) {
    out.push('### Resolution', '', 'The smallest overhead this run can tell from 0: the half-width of the noop layer\'s interval (noop passes everything through).', '');
    out.push(mdTable(['agents', 'op', 'resolution', 'noop A/A estimate', 'runs'], rows.resolution.map((x) => [String(x.agents), short(x.operation), halfWidth(x.half_pct), pct(x.noop_pct), String(x.runs)])), '');
  }

  if (rows.rankingScale !== null && rows.ranking.length > 0) {
    out.push(`### Layers ranked by cost at ${rows.rankingScale} agents`, '');
    out.push(mdTable(['rank', 'layer', 'added per message', '% of send+receive', 'send', 'receive'], rows.ranking.map((x) => [String(x.rank), x.layer, signedUs(x.added_us), pct(x.added_pct), pctCell(x.send, NOT_MEASURABLE), pctCell(x.receive, NOT_MEASURABLE)])), '');
  }

  if (rows.resources.length > 0) {
    out.push('### Message integrity and resources per scale', '');
    out.push(
      mdTable(
        ['agents', 'sent', 'received', 'drained', 'lost', 'duplicated', 'CPU avg', 'RSS max', 'tmpfs max'],
        rows.resources.map((x) => [String(x.agents), String(x.sent), String(x.received), String(x.drained), String(x.lost), String(x.duplicated), amount(x.cpu_avg_pct, '%'), amount(x.rss_max_mb, 'MB'), amount(x.tmpfs_max_kb, 'KB')]),
      ),
      '',
    );
  }
  if (rows.errors > 0) out.push(`**${rows.errors} cell(s) failed**: see the error records.`, '');
  for (const n of rows.notes) out.push(`> note: ${n}`, '');
  return out.join('\n');
}
