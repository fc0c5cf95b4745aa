import type { DriverRows } from './rows.ts';

/** RFC 4180 field: quoted when it holds a comma, a quote or a line break. */
function field(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = ['config', 'agents', 'operation', 'n', 'runs', 'avg_us', 'p50_us', 'p95_us', 'p99_us', 'outliers', 'overhead_pct', 'overhead_ci_low_pct', 'overhead_ci_high_pct', 'overhead_us', 'measurable'] as const;

/**
 * One line per config × scale × operation (long format, for spreadsheets and pandas); a file of
 * several drivers gets a first column `driver`.
 */
export function renderCsv(sets: readonly DriverRows[]): string {
  const r3 = (x: number) => Number(x.toFixed(3));
  const named = sets.some((s) => s.driver !== null);
  const lines = [(named ? ['driver', ...CSV_COLUMNS] : CSV_COLUMNS).join(',')];
  for (const { driver, rows } of sets) {
    for (const m of rows.metrics) {
      const o = m.overhead;
      const values = [m.config, m.agents, m.operation, m.n, m.runs, r3(m.avg_us), r3(m.p50_us), r3(m.p95_us), r3(m.p99_us), m.outliers, o?.pct ?? null, o?.lo ?? null, o?.hi ?? null, o?.us ?? null, o ? (o.significant === null ? null : o.significant) : null];
      lines.push((named ? [driver, ...values] : values).map(field).join(','));
    }
  }
  return lines.join('\r\n') + '\r\n';
}
