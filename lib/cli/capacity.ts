import { availableParallelism } from 'node:os';
import { mkdirSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { Options } from '../config/options.ts';
import { runMaxRate } from '../capacity/max-rate-run.ts';
import { renderMaxRateTables } from '../report/max-rate-table.ts';
import { capacityHelp, CAPACITY_FLAG_NAMES, resolveCapacity, type CapacityOptions } from '../capacity/flags.ts';
import { capacityRecords } from '../capacity/model.ts';
import { repeatSmallCells } from '../capacity/plan.ts';
import { EXIT } from '../core/errors.ts';
import { buildCapacityRows } from '../report/capacity-rows.ts';
import { renderCapacityTables } from '../report/capacity-table.ts';
import { runMatrix, type RunIO, type RunOutcome } from '../run/runner.ts';
import { parseFlags } from '../config/args.ts';
import { failure } from './failure.ts';
import { finishRun } from './finish.ts';
import { interruption } from './overhead.ts';
import { terminal } from './terminal.ts';
import { colourFor } from './output.ts';

export const CAPACITY = {
  name: 'capacity',
  summary:
    'Sweeps agent counts for the bare bus and full_integration (and any --layers), measuring throughput,\nlatency percentiles, CPU, RSS and tmpfs use per scale; fits the Universal Scalability Law to throughput\nand a growth curve to p95 latency (end-to-end unless --latency-op); predicts at --predict and finds where --budget-p95 / --budget-overhead\nbreak. Writes JSONL (with one `capacity` record per config) and an HTML report beside it.',
};

/** The capacity sweep itself (no output but the JSONL): the matrix run with the capacity records. */
export function runCapacity(options: Options, capacity: CapacityOptions, io: RunIO): Promise<RunOutcome> {
  return runMatrix(options, io, {
    config: { predict: capacity.predict, budget_p95_ms: capacity.budgetP95Ms, budget_overhead_pct: capacity.budgetOverheadPct, cell_messages: capacity.cellMessages },
    // Throughput and CPU per config need each config's own wall time: one config per cell.
    interleave: false,
    plan: (cells) => repeatSmallCells(cells, capacity.cellMessages),
    finish: (records, emit) => capacityRecords(records, capacity).forEach(emit),
  });
}

/** `busbench capacity` / `npm run capacity`. Returns the exit code. */
export async function capacityMain(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const term = terminal(env);
  const name = CAPACITY.name;
  try {
    const flags = parseFlags(argv, CAPACITY_FLAG_NAMES);
    if (flags.help) {
      process.stdout.write(capacityHelp(name, CAPACITY.summary) + '\n');
      return EXIT.ok;
    }
    const { options, capacity, warnings } = resolveCapacity({ flags, env, cores: availableParallelism() });
    for (const w of warnings) term.warn(w);
    if (options.out !== '-') mkdirSync(dirname(options.out), { recursive: true });
    if (capacity.findMaxRate) return await findMaxRateMain(term, options, capacity.budgetP99Ms!, capacity.rateSteps ?? 16);

    const outcome = await runCapacity(options, capacity, { progress: term.progress, warn: term.warn, interrupted: interruption() });
    term.endProgress();
    const rows = buildCapacityRows(outcome.records);
    const stream = options.out === '-' ? process.stderr : process.stdout;
    stream.write(renderCapacityTables(rows, colourFor(term, stream)));
    for (const w of rows.warnings) term.warn(`${w.config}: ${w.text}`);

    finishRun(term, options, outcome.records);
    return outcome.exitCode;
  } catch (e) {
    return failure(term, name, e, 'option');
  }
}

/** `busbench capacity --find-max-rate`: the rate search instead of the sweep (lib/capacity/max-rate-run.ts). */
async function findMaxRateMain(term: ReturnType<typeof terminal>, options: Options, budgetMs: number, steps: number): Promise<number> {
  const outcome = await runMaxRate(options, budgetMs, steps, { progress: term.progress, warn: term.warn, interrupted: interruption() });
  term.endProgress();
  const stream = options.out === '-' ? process.stderr : process.stdout;
  stream.write(renderMaxRateTables(outcome.records, colourFor(term, stream)));
  const summary = outcome.records.find((r) => r.type === 'summary');
  if (summary?.type === 'summary') term.err(`${summary.status} in ${summary.duration_s.toFixed(1)} s · ${summary.cells_ok} steps measured, ${summary.cells_failed} failed · results: ${options.out === '-' ? 'stdout' : relative(process.cwd(), options.out) || options.out}`);
  return outcome.exitCode;
}
