/**
 * The commands a scenario step can run, each with the keys it takes (from its option tables), how
 * its flags are validated, how it runs without output (the programmatic API) and its command-line
 * entry. A command added to this table is a step command.
 */
import { availableParallelism } from 'node:os';
import { CAPACITY_SPECS, resolveCapacity } from '../../capacity/flags.ts';
import { resolveOptions, type Options } from '../../config/options.ts';
import { capacityMain, runCapacity } from '../capacity.ts';
import { overheadMain, OVERHEAD } from '../overhead.ts';
import { runOverhead, type RunIO, type RunOutcome } from '../../run/runner.ts';
import { soakMain } from '../soak.ts';
import { resolveSoak, SOAK_SPECS } from '../../soak/flags.ts';
import { runSoak } from '../../soak/run.ts';
import { keysFor, type KeySpec } from './keys.ts';

/** A step's options, validated, and how to run it with them. */
export interface Resolution {
  options: Options;
  warnings: string[];
  /** Runs the command with these options; records out, nothing printed (progress and warnings go to `io`). */
  run(options: Options, io: RunIO): Promise<RunOutcome>;
}

export interface StepCommand {
  /** The step's keys: every option the command takes. */
  keys(): KeySpec[];
  /** The command's own validation of a flags object (minimist shape); throws UsageError (exit 2). */
  resolve(flags: Record<string, unknown>, env: Record<string, string | undefined>): Resolution;
  /** Runs the command as `busbench COMMAND argv…` does (output, report, exit code). */
  main(argv: string[], env: Record<string, string | undefined>): Promise<number>;
}

const cores = () => availableParallelism();

export const STEP_COMMANDS: Record<string, StepCommand> = {
  overhead: {
    keys: () => keysFor(),
    resolve: (flags, env) => ({ ...resolveOptions({ flags, env, cores: cores() }), run: runOverhead }),
    main: (argv, env) => overheadMain(OVERHEAD, argv, env),
  },
  capacity: {
    keys: () => keysFor(CAPACITY_SPECS),
    resolve: (flags, env) => {
      const r = resolveCapacity({ flags, env, cores: cores() });
      return { options: r.options, warnings: r.warnings, run: (options, io) => runCapacity(options, r.capacity, io) };
    },
    main: capacityMain,
  },
  soak: {
    keys: () => keysFor(SOAK_SPECS),
    resolve: (flags, env) => {
      const r = resolveSoak({ flags, env, cores: cores() });
      return { options: r.options, warnings: r.warnings, run: (options, io) => runSoak(options, r.soak, io) };
    },
    main: soakMain,
  },
};
