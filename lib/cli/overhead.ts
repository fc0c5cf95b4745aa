import { availableParallelism } from 'node:os';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EXIT } from '../core/errors.ts';
import { helpText, resolveOptions, type Preset } from '../config/options.ts';
import { buildRows } from '../report/rows.ts';
import { driversOf, ofDriver } from '../records/select.ts';
import { getFormat } from '../report/formats.ts';
import { advice } from '../report/advice.ts';
import { runOverhead } from '../run/runner.ts';
import { parseFlags } from '../config/args.ts';
import { failure } from './failure.ts';
import { finishRun } from './finish.ts';
import { terminal } from './terminal.ts';
import { colourFor } from './output.ts';

export interface Command {
  name: string;
  summary: string;
  preset?: Preset;
}

export const OVERHEAD: Command = {
  name: 'overhead',
  summary: 'Measures the bare bus of each --driver, each layer (noop, metrics, health, rate_limiting, shutdown) and all layers\ntogether at each agent scale, taking turns in one cell per scale; writes JSONL records and prints the bottleneck breakdown.',
};
export const QUICK_CMD: Command = {
  name: 'quick',
  summary: 'The overhead benchmark at smoke size (scales 1,3; 2 runs; 20 messages per agent).',
};

/**
 * Signals → a promise of the exit code (130 for SIGINT, 143 for SIGTERM). The handlers stay on:
 * a second Ctrl-C during cleanup must not kill the process before the run directory is gone.
 */
export function interruption(): Promise<number> {
  return new Promise((resolve) => {
    process.on('SIGINT', () => resolve(EXIT.aborted));
    process.on('SIGTERM', () => resolve(143));
  });
}

/** The overhead scenario, as every script and the `busbench` command run it. Returns the exit code. */
export async function overheadMain(cmd: Command, argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const term = terminal(env);
  try {
    const flags = parseFlags(argv);
    if (flags.help) {
      process.stdout.write(helpText(cmd.name, cmd.summary, cmd.preset) + '\n');
      return EXIT.ok;
    }
    const { options, warnings } = resolveOptions({ flags, env, cores: availableParallelism(), ...(cmd.preset ? { preset: cmd.preset } : {}) });
    for (const w of warnings) term.warn(w);
    if (options.out !== '-') mkdirSync(dirname(options.out), { recursive: true });

    const outcome = await runOverhead(options, { progress: term.progress, warn: term.warn, interrupted: interruption() });
    term.endProgress();
    // The export goes to stdout, unless stdout carries the JSONL (--out -).
    const stream = options.out === '-' ? process.stderr : process.stdout;
    stream.write(getFormat(options.format)!.render(outcome.records, { colour: colourFor(term, stream) }));
    const several = options.drivers.length > 1;
    for (const driver of driversOf(outcome.records)) {
      const mine = ofDriver(outcome.records, driver);
      const who = several ? `${driver}: ` : '';
      for (const note of advice({ rows: buildRows(mine), records: mine, wantedPct: options.resolution, thresholds: options.thresholds })) term.warn(who + note);
      const runRec = mine.find((r) => r.type === 'run');
      if (!runRec || runRec.type !== 'run') continue;
      const c = runRec.calibration;
      term.err(
        `${who}calibration: timing a call costs ${(c.harness_cost_per_call_ns / 1000).toFixed(2)} µs (${c.harness_pct_of_send.toFixed(2)} % of a ${c.bus_send_us.toFixed(1)} µs send, not subtracted); ` +
          `bus send+receive ${c.bus_round_trip_us.toFixed(1)} µs vs ${(c.floor_round_trip_us ?? c.syscall_floor_round_trip_us ?? NaN).toFixed(1)} µs for ${c.floor_name ?? 'the bare syscalls'} (×${c.bus_vs_floor_ratio.toFixed(2)})`,
      );
    }
    finishRun(term, options, outcome.records);
    return outcome.exitCode;
  } catch (e) {
    return failure(term, cmd.name, e, 'option');
  }
}
