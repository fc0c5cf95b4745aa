/**
 * The commands a scenario step can run, each with the keys it takes (from its option tables), how
 * its flags are validated, and its command-line entry. A command added to this table is a step command.
 */
import { availableParallelism } from 'node:os';
import { CAPACITY_SPECS, resolveCapacity } from '../capacity/flags.ts';
import { resolveOptions, type Options } from '../config/options.ts';
import { capacityMain } from '../cli/capacity.ts';
import { overheadMain, OVERHEAD } from '../cli/overhead.ts';
import { keysFor, type KeySpec } from './keys.ts';

export interface StepCommand {
  /** The step's keys: every option the command takes. */
  keys(): KeySpec[];
  /** The command's own validation of a flags object (minimist shape); throws UsageError (exit 2). */
  resolve(flags: Record<string, unknown>, env: Record<string, string | undefined>): { options: Options; warnings: string[] };
  /** Runs the command as `busbench COMMAND argv…` does (output, report, exit code). */
  main(argv: string[], env: Record<string, string | undefined>): Promise<number>;
}

const cores = () => availableParallelism();

export const STEP_COMMANDS: Record<string, StepCommand> = {
  overhead: {
    keys: () => keysFor(),
    resolve: (flags, env) => resolveOptions({ flags, env, cores: cores() }),
    main: (argv, env) => overheadMain(OVERHEAD, argv, env),
  },
  capacity: {
    keys: () => keysFor(CAPACITY_SPECS),
    resolve: (flags, env) => resolveCapacity({ flags, env, cores: cores() }),
    main: capacityMain,
  },
};

