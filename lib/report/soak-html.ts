/**
 * The HTML report's soak section (busbench soak): each resource's samples over time, one chart for
 * memory (per kind of process), one for each config's tmpfs bytes, one for its lasting files, with
 * every verdict in words beneath.
 */
import type { BenchRecord, SoakRecord } from '../records/schema.ts';
import { esc, lineChart, type Series } from './svg.ts';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

function chart(id: string, title: string, records: readonly SoakRecord[], name: (r: SoakRecord) => string, unit: 'MB' | 'KB' | 'files'): string {
  const div = unit === 'MB' ? 1 << 20 : unit === 'KB' ? 1 << 10 : 1;
  const series: Series[] = records.map((r, i) => ({
    name: `${name(r)} (${r.verdict})`,
    colour: PALETTE[i % PALETTE.length]!,
    points: r.points.map(([t, v]) => ({ x: t, y: v / div, label: `${name(r)}: ${t.toFixed(1)} s → ${(v / div).toFixed(unit === 'files' ? 0 : 2)} ${unit}` })),
    markers: true,
    line: true,
  }));
  return lineChart({ id, title, x: { label: 'seconds into the soak', log: false, zero: true }, y: { label: unit, log: false, zero: true }, series });
}

/** The section, or '' when the records hold no soak. */
export function soakSection(records: readonly BenchRecord[]): string {
  const soak = records.filter((r): r is SoakRecord => r.type === 'soak');
  if (soak.length === 0) return '';
  const out = ['<h2>Soak: growth over time</h2>', '<div class="charts">'];
  const rss = soak.filter((r) => r.resource.startsWith('rss'));
  if (rss.length > 0) out.push(chart('soak-rss', 'Resident memory', rss, (r) => r.resource, 'MB'));
  const configs = [...new Set(soak.map((r) => r.test_name).filter((c) => c !== null))];
  for (const [i, c] of [...configs, null].entries()) {
    const mine = soak.filter((r) => r.test_name === c && !r.resource.startsWith('rss'));
    const label = c ?? 'bus';
    const tmpfs = mine.filter((r) => r.resource === 'tmpfs');
    if (tmpfs.length > 0) out.push(chart(`soak-tmpfs-${i}`, `${label}: tmpfs bytes`, tmpfs, () => 'tmpfs', 'KB'));
    // The files that move, and the largest of the rest: a chart of a hundred flat heartbeats says nothing.
    const files = mine.filter((r) => r.resource === 'file').sort((a, b) => Number(b.verdict !== 'stable') - Number(a.verdict !== 'stable') || b.last - a.last).slice(0, 8);
    if (files.length > 0) out.push(chart(`soak-files-${i}`, `${label}: lasting files`, files, (r) => r.path ?? 'file', 'KB'));
  }
  out.push('</div>', '<ul>', ...soak.filter((r) => r.resource !== 'file' || r.verdict !== 'stable').map((r) => `<li class="${r.verdict === 'grows' ? 'warn' : ''}">${esc(r.text)}</li>`), '</ul>');
  return out.join('\n');
}
