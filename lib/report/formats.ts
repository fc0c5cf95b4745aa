/**
 * Export formats: name → render(records) → string. Every format renders the one rows-builder's
 * rows (rows.ts); they differ only in how they print. Register a new one with registerFormat.
 */
import type { BenchRecord } from '../records/schema.ts';
import { renderBmf } from './bmf.ts';
import { renderCsv } from './csv.ts';
import { renderHtml } from './html.ts';
import { mdTable, renderMarkdown } from './markdown.ts';
import Table from 'cli-table3';
import { buildDriverRows, driverCells, DRIVER_HEAD, DRIVER_NOTE } from './drivers.ts';
import { driversOf, ofDriver, withoutVariantFigures } from '../records/select.ts';
import { renderPrometheus } from './prometheus.ts';
import { buildRows, rowsPerDriver } from './rows.ts';
import { renderTables } from './table.ts';
import { renderLoadTable } from './load-table.ts';
import { renderAbMarkdown, renderAbTable } from './ab.ts';

/** A busbench ab run's per-variant figures are not read by the usual tables (lib/records/select.ts). */
const plain = withoutVariantFigures;

export interface RenderOptions {
  /** ANSI colour (the terminal table only). */
  colour?: boolean;
}

export interface Format {
  name: string;
  description: string;
  render(records: readonly BenchRecord[], opts?: RenderOptions): string;
}

const REGISTRY = new Map<string, Format>();

export function registerFormat(f: Format): void {
  if (REGISTRY.has(f.name)) throw new Error(`format ${f.name} is already registered`);
  REGISTRY.set(f.name, f);
}

export function getFormat(name: string): Format | undefined {
  return REGISTRY.get(name);
}

export function formatNames(): string[] {
  return [...REGISTRY.keys()];
}

/**
 * A file of several drivers: each driver's own tables under a heading, then the drivers side by
 * side. One driver: its tables as they are.
 */
function perDriver(records: readonly BenchRecord[], one: (r: readonly BenchRecord[]) => string, heading: (d: string) => string, side: (rows: ReturnType<typeof buildDriverRows>) => string): string {
  const drivers = driversOf(records);
  if (drivers.length <= 1) return one(records);
  return drivers.map((d) => `${heading(d)}\n${one(ofDriver(records, d))}`).join('\n') + side(buildDriverRows(records));
}

registerFormat({
  name: 'table',
  description: 'terminal tables (cli-table3); several drivers: each one, then side by side',
  render: (r, o) =>
    perDriver(
      r,
      (x) => renderAbTable(x, o?.colour ?? false) + renderTables(buildRows(plain(x)), o?.colour ?? false) + renderLoadTable(x, o?.colour ?? false),
      (d) => `━━ driver: ${d} ━━`,
      (rows) => {
        const t = new Table({ head: DRIVER_HEAD, style: { head: o?.colour ? ['cyan'] : [], border: o?.colour ? ['grey'] : [] } });
        for (const row of rows) t.push(driverCells(row));
        return `\nDrivers side by side (${DRIVER_NOTE})\n${t.toString()}\n`;
      },
    ),
});
registerFormat({
  name: 'markdown',
  description: 'GitHub markdown: verdicts, breakdown, resolution, ranking, integrity; several drivers: each one, then side by side',
  render: (r) =>
    perDriver(
      r,
      (x) => renderAbMarkdown(x) + renderMarkdown(buildRows(plain(x))),
      (d) => `# driver: ${d}\n`,
      (rows) => `\n### Drivers side by side\n\n${DRIVER_NOTE}.\n\n${mdTable(DRIVER_HEAD, rows.map(driverCells))}\n`,
    ),
});
registerFormat({ name: 'bmf', description: 'Bencher Metric Format JSON', render: (r) => renderBmf(rowsPerDriver(plain(r))) });
registerFormat({ name: 'prometheus', description: 'Prometheus text exposition format', render: (r) => renderPrometheus(rowsPerDriver(plain(r))) });
registerFormat({ name: 'html', description: 'self-contained HTML report: inline SVG charts and the tables, nothing fetched', render: (r) => renderHtml(plain(r)) });
registerFormat({ name: 'csv', description: 'one line per config × scale × operation', render: (r) => renderCsv(rowsPerDriver(plain(r))) });

/** The names known when the options table is built (more may be registered later). */
export const FORMAT_NAMES: readonly string[] = formatNames();
