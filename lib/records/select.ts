import type { BenchRecord } from './schema.ts';

/** The records of one type, typed as that kind. */
export function ofType<T extends BenchRecord['type']>(records: readonly BenchRecord[], type: T): Extract<BenchRecord, { type: T }>[] {
  return records.filter((r) => r.type === type) as Extract<BenchRecord, { type: T }>[];
}

/** The drivers whose records a file holds, in the order they first appear. */
export function driversOf(records: readonly BenchRecord[]): string[] {
  return [...new Set(records.filter((r) => r.type !== 'summary' && r.type !== 'threshold').map((r) => r.driver))];
}

/**
 * One driver's records, with the run-wide ones (summary, thresholds) that belong to every driver.
 */
export function ofDriver(records: readonly BenchRecord[], driver: string): BenchRecord[] {
  return records.filter((r) => r.driver === driver || r.type === 'summary' || r.type === 'threshold');
}

/**
 * The records every rows-builder reads: a busbench ab run's per-variant figures (statistics and
 * overheads of A and of B) left out (its `ab` records have their own table, lib/report/ab.ts); its
 * integrity and errors count for the whole cell, both variants.
 */
export function withoutVariantFigures(records: readonly BenchRecord[]): BenchRecord[] {
  return records.filter((r) => !((r.type === 'statistics' || r.type === 'overhead') && r.variant !== undefined));
}
