/** The comparison of two runs as a terminal table or markdown: one row per compared cell. */
import Table from 'cli-table3';
import type { Comparison, CompareCell } from '../verdict/compare.ts';
import { mdTable } from './markdown.ts';
import { short } from './format.ts';

export interface CompareRow {
  config: string;
  agents: string;
  op: string;
  old_p50: string;
  new_p50: string;
  old_p95: string;
  new_p95: string;
  change: string;
  interval: string;
  verdict: string;
}

const sign = (x: number) => (x > 999 ? '>+999%' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`);

export function compareRows(c: Comparison): CompareRow[] {
  return c.cells.map((x: CompareCell) => ({
    config: x.driver ? `${x.driver}: ${x.config}` : x.config,
    agents: String(x.agents),
    op: short(x.operation),
    old_p50: `${x.old_p50_us.toFixed(1)} µs`,
    new_p50: `${x.new_p50_us.toFixed(1)} µs`,
    old_p95: `${x.old_p95_us.toFixed(1)} µs`,
    new_p95: `${x.new_p95_us.toFixed(1)} µs`,
    change: x.change_pct === null ? '–' : `${sign(x.change_pct)}${x.method === 'relative_to_baseline' ? ' (vs bus)' : ''}`,
    interval: x.ci_low_pct === null || x.ci_high_pct === null ? '–' : `${sign(x.ci_low_pct)} … ${sign(x.ci_high_pct)}`,
    verdict: x.verdict,
  }));
}

const HEAD = ['config', 'agents', 'op', 'old p50', 'new p50', 'old p95', 'new p95', 'change', '95 % interval (simultaneous)', 'verdict'];
const cells = (r: CompareRow) => [r.config, r.agents, r.op, r.old_p50, r.new_p50, r.old_p95, r.new_p95, r.change, r.interval, r.verdict];

function caption(c: Comparison): string {
  const slower = c.cells.filter((x) => x.verdict === 'slower').length;
  const faster = c.cells.filter((x) => x.verdict === 'faster').length;
  return `${c.cells.length} cells compared (${c.tested} with enough runs): ${slower} slower, ${faster} faster, ${c.tested - slower - faster} without significant change. Welch t-test on log per-run medians, standard errors × ${c.noise_factor} for the noise between invocations (--noise-factor), Bonferroni over the ${c.tested} cells.${c.skipped.map((s) => ` ${s.operation} not compared: ${s.reason}.`).join('')} A layer (vs bus) is compared relative to the bare bus of its own run, which cancels machine drift; the baseline is compared raw, so a change of the machine between the two runs shows there.`;
}

export function renderCompareTable(c: Comparison, colour: boolean): string {
  const t = new Table({ head: HEAD, style: { head: colour ? ['cyan'] : [], border: colour ? ['grey'] : [] } });
  const paint = (v: string) => (!colour ? v : v === 'slower' ? `\x1b[31m${v}\x1b[0m` : v === 'faster' ? `\x1b[32m${v}\x1b[0m` : v);
  for (const r of compareRows(c)) t.push(cells({ ...r, verdict: paint(r.verdict) }));
  return `${t.toString()}\n${caption(c)}\n`;
}

export function renderCompareMarkdown(c: Comparison): string {
  return ['## busbench compare', '', caption(c), '', mdTable(HEAD, compareRows(c).map((r) => cells({ ...r, verdict: r.verdict === 'slower' ? '🔴 slower' : r.verdict === 'faster' ? '🟢 faster' : r.verdict }))), ''].join('\n');
}
