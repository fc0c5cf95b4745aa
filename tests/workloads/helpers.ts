import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { resolveOptions } from '../../lib/config/options.ts';
import { runOverhead } from '../../lib/run/runner.ts';
import type { BenchRecord } from '../../lib/records/schema.ts';
import { UsageError } from '../../lib/core/errors.ts';
import { shmDir } from '../helpers/tmpfs.ts';

/** A small real run (tmpfs, real workers) with these flags; its records by type. */
export async function runWith(extra: Record<string, unknown>) {
  const base = shmDir();
  const flags = { _: [], scales: '2', runs: '1', warmup: '0', layers: 'noop', workers: '2', out: join(base, 'out.jsonl'), 'base-dir': base, ...extra };
  const { options } = resolveOptions({ flags, env: {}, cores: 2, randomSeed: () => 7 });
  const warnings: string[] = [];
  const outcome = await runOverhead(options, { progress: () => undefined, warn: (w) => warnings.push(w), interrupted: new Promise(() => undefined) });
  const of = <T extends BenchRecord['type']>(type: T) => outcome.records.filter((r) => r.type === type) as Extract<BenchRecord, { type: T }>[];
  const left = readdirSync(base).filter((n) => n.startsWith('busbench-'));
  return { outcome, of, warnings, base, left };
}

/** The usage problems these flags give (empty: none). */
export function problemsOf(flags: Record<string, unknown>): string[] {
  try {
    resolveOptions({ flags: { _: [], ...flags }, env: {}, cores: 2, randomSeed: () => 1 });
    return [];
  } catch (e) {
    if (e instanceof UsageError) return [...e.problems];
    throw e;
  }
}
