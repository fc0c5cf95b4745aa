/**
 * Export formats: name → render(records) → string. Every format renders the one rows-builder's
 * rows (rows.ts); they differ only in how they print. Register a new one with registerFormat.
 */
import type { BenchRecord } from '../records/schema.ts';
import { renderBmf } from './bmf.ts';
import { renderCsv } from './csv.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { renderPrometheus } from './prometheus.ts';
import { buildRows } from './rows.ts';
import { renderTables } from './table.ts';

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

registerFormat({ name: 'table', description: 'terminal tables (cli-table3)', render: (r, o) => renderTables(buildRows(r), o?.colour ?? false) });
registerFormat({ name: 'markdown', description: 'GitHub markdown: verdicts, breakdown, resolution, ranking, integrity', render: (r) => renderMarkdown(buildRows(r)) });
registerFormat({ name: 'bmf', description: 'Bencher Metric Format JSON', render: (r) => renderBmf(buildRows(r)) });
registerFormat({ name: 'prometheus', description: 'Prometheus text exposition format', render: (r) => renderPrometheus(buildRows(r)) });
registerFormat({ name: 'html', description: 'self-contained HTML report: inline SVG charts and the tables, nothing fetched', render: (r) => renderHtml(r) });
registerFormat({ name: 'csv', description: 'one line per config × scale × operation', render: (r) => renderCsv(buildRows(r)) });

/** The names known when the options table is built (more may be registered later). */
export const FORMAT_NAMES: readonly string[] = formatNames();
