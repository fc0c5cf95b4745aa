/** The `ab` records as a terminal table (cli-table3) or markdown: one row per (driver, config, scale, operation). */
import Table from 'cli-table3';
import type { AbRecord, BenchRecord, RunRecord } from '../records/schema.ts';
import { ofType } from '../records/select.ts';
import { mdTable } from './markdown.ts';
import { short } from './format.ts';
import { esc } from './svg.ts';

const sign = (x: number) => (x > 999 ? '>+999%' : `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`);
const HEAD = ['config', 'agents', 'op', 'A p50', 'B p50', 'B vs A', '95 % interval', 'runs', 'verdict'];

function rows(list: readonly AbRecord[]): string[][] {
  const several = new Set(list.map((r) => r.driver)).size > 1;
  return list.map((r) => [
    several ? `${r.driver}: ${r.test_name}` : r.test_name,
    String(r.agent_count),
    short(r.operation),
    `${(r.a_p50_ms * 1000).toFixed(1)} µs`,
    `${(r.b_p50_ms * 1000).toFixed(1)} µs`,
    `${sign(r.change_pct)} (${r.change_us >= 0 ? '+' : ''}${r.change_us.toFixed(2)} µs)`,
    r.ci_low_pct === null || r.ci_high_pct === null ? 'none (1 run)' : `${sign(r.ci_low_pct)} … ${sign(r.ci_high_pct)}`,
    String(r.runs_n),
    verdictText(r),
  ]);
}

function verdictText(r: AbRecord): string {
  if (r.fail_on_regression_pct === null) return r.verdict;
  if (r.verdict === 'inconclusive') return `inconclusive vs ${r.fail_on_regression_pct}%`;
  if (r.verdict === 'slower' && r.ci_low_pct !== null && r.ci_low_pct > r.fail_on_regression_pct) return `REGRESSION > ${r.fail_on_regression_pct}%`;
  return `${r.verdict} (< ${r.fail_on_regression_pct}%)`;
}

/** What A and B were, from the run record (busbench ab puts them in its `config.ab`). */
function variantsLine(records: readonly BenchRecord[]): string {
  const run = records.find((r): r is RunRecord => r.type === 'run');
  const ab = run?.config.ab as { a?: string; b?: string; a_rev?: string | null; b_rev?: string | null; b_delay_us?: number; aa?: boolean } | undefined;
  if (!ab) return '';
  const side = (opts: string | undefined, rev: string | null | undefined, extra = '') => [opts ? `'${opts}'` : '', rev ? `revision ${rev}` : '', extra].filter((x) => x !== '').join(', ') || 'the options as given';
  return `A: ${side(ab.a, ab.a_rev)} · B: ${side(ab.b, ab.b_rev, ab.b_delay_us ? `+${ab.b_delay_us} µs per send (--b-delay-us)` : '')}${ab.aa ? ' · A/A run (--aa)' : ''}`;
}

const NOTE = 'B against A, both measured in the same cells taking turns round by round; per run the median of the matched calls\' log ratios (B call / A call of the same message), then a paired t-interval over the runs (95 % per cell). Slower/faster are called only where the paired t test\'s p-value, Holm-adjusted over the run\'s cells, is below 0.05: an A/A run calls any cell different in at most 5 % of runs.';

export function renderAbTable(records: readonly BenchRecord[], colour: boolean): string {
  const list = ofType(records, 'ab');
  if (list.length === 0) return '';
  const t = new Table({ head: HEAD, style: { head: colour ? ['cyan'] : [], border: colour ? ['grey'] : [] } });
  const paint = (v: string) => (!colour ? v : v.startsWith('REGRESSION') || v.startsWith('slower') ? `\x1b[31m${v}\x1b[0m` : v.startsWith('faster') ? `\x1b[32m${v}\x1b[0m` : v.startsWith('inconclusive') ? `\x1b[33m${v}\x1b[0m` : v);
  for (const r of rows(list)) t.push([...r.slice(0, -1), paint(r[r.length - 1]!)]);
  const line = variantsLine(records);
  return `A/B: ${NOTE}\n${line ? `${line}\n` : ''}${t.toString()}\n`;
}

export function renderAbMarkdown(records: readonly BenchRecord[]): string {
  const list = ofType(records, 'ab');
  if (list.length === 0) return '';
  const icon = (v: string) => (v.startsWith('REGRESSION') ? `🔴 ${v}` : v.startsWith('inconclusive') ? `🟡 ${v}` : v);
  const line = variantsLine(records);
  return ['## busbench ab', '', NOTE, '', ...(line ? [line, ''] : []), mdTable(HEAD, rows(list).map((r) => [...r.slice(0, -1), icon(r[r.length - 1]!)])), ''].join('\n');
}

/** The ab table as an HTML section ('' when the records hold none). */
export function renderAbHtml(records: readonly BenchRecord[]): string {
  const list = ofType(records, 'ab');
  if (list.length === 0) return '';
  const line = variantsLine(records);
  const cell = (t: string, i: number, row: string[]) => `<td${i === row.length - 1 && (t.startsWith('REGRESSION') || t.startsWith('inconclusive')) ? ' class="warn"' : ''}>${esc(t)}</td>`;
  return [
    '<h2>A/B: B against A</h2>',
    `<p>${esc(NOTE)}${line ? `<br>${esc(line)}` : ''}</p>`,
    `<table><thead><tr>${HEAD.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>`,
    ...rows(list).map((r) => `<tr>${r.map(cell).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}
