import type { BenchRecord } from './schema.ts';

/** The records of one type, typed as that kind. */
export function ofType<T extends BenchRecord['type']>(records: readonly BenchRecord[], type: T): Extract<BenchRecord, { type: T }>[] {
  return records.filter((r) => r.type === type) as Extract<BenchRecord, { type: T }>[];
}
