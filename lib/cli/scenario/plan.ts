/**
 * A scenario made ready to run: each step's keys, overridden by the command line's flags, checked
 * by the step's own command (so every rule of the flags holds in a file too), with a results file
 * of its own. Nothing runs and nothing is created until every step of the file is valid.
 */
import { extname, resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { stamp, type Options } from '../../config/options.ts';
import { STEP_COMMANDS, type Resolution } from './commands.ts';
import { keyIndex } from './keys.ts';
import type { FlagValue, Scenario } from './load.ts';

export interface PlannedStep {
  name: string;
  command: string;
  flags: Record<string, FlagValue>;
  /** The same step as a command line: `busbench COMMAND argv…` runs it. */
  argv: string[];
  options: Options;
  warnings: string[];
  /** Runs the step without output (records out). */
  run: Resolution['run'];
  /** false: no results file was asked for (the API's default); the records go nowhere but the caller. */
  writes: boolean;
}

export interface PlanSettings {
  now?: Date;
  /**
   * 'results': a step without "out" writes results/NAME-STEP-<UTC time>.jsonl (the command line);
   * 'none': it writes no file (the API: the records are returned).
   */
  outDefault?: 'results' | 'none';
}

/** Where a step that writes no file sends its JSONL. */
export const NO_FILE = '/dev/null';

const SKIP = new Set(['_', 'help', 'h', '--']);

/**
 * Every step of the scenario with the command line's flags on top (a flag applies to each step
 * whose command takes it; one no step takes is a problem), validated. Problems name the file and
 * the key where the file set the value, the flag where the command line did.
 */
export function planScenario(scn: Scenario, cli: Record<string, unknown>, env: Record<string, string | undefined>, settings: PlanSettings = {}): PlannedStep[] {
  const now = settings.now ?? new Date();
  const problems: string[] = [...scn.problems];
  const cliNames = Object.keys(cli).filter((k) => !SKIP.has(k));
  for (const name of cliNames) {
    if (!scn.steps.some((s) => keyIndex(STEP_COMMANDS[s.command]!.keys()).get(name)?.name === name)) {
      problems.push(`--${name}: unknown flag for this scenario's steps (${[...new Set(scn.steps.map((s) => s.command))].join(', ')}); see 'busbench run --help'`);
    }
  }
  const several = scn.steps.length > 1;
  const planned: PlannedStep[] = [];
  const outs = new Map<string, string>();
  for (const step of scn.steps) {
    const cmd = STEP_COMMANDS[step.command]!;
    const index = keyIndex(cmd.keys());
    const flags: Record<string, FlagValue> = { ...step.flags };
    const fromCli = new Set<string>();
    for (const name of cliNames) {
      if (index.get(name)?.name !== name) continue;
      flags[name] = cli[name] as FlagValue;
      fromCli.add(name);
    }
    // Each step writes its own results file: named after the scenario and the step unless given.
    if (typeof flags.out === 'string' && flags.out !== '-' && several && fromCli.has('out')) flags.out = withSuffix(flags.out, step.name);
    const writes = flags.out !== undefined || settings.outDefault !== 'none';
    if (flags.out === undefined && writes) flags.out = resolve('results', `${scn.name}${several || step.name !== step.command ? `-${step.name}` : ''}-${stamp(now)}.jsonl`);
    const prefix = several ? `step "${step.name}": ` : '';
    try {
      const r = cmd.resolve(flags, env);
      const options = writes ? r.options : Object.freeze({ ...r.options, out: NO_FILE });
      planned.push({ name: step.name, command: step.command, flags, argv: toArgv(flags), options, warnings: r.warnings.map((w) => prefix + w), run: r.run, writes });
      if (writes && options.out !== '-') {
        const other = outs.get(options.out);
        if (other !== undefined) problems.push(`${scn.file}: step "${step.name}" writes ${options.out}, as step "${other}" does; give each step its own "out"`);
        outs.set(options.out, step.name);
      }
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      for (const p of e.problems) problems.push(prefix + located(p, step.where, fromCli));
    }
  }
  if (problems.length > 0) throw new UsageError([...new Set(problems)]);
  return planned;
}

/**
 * A command's problem names the flag it is about (`--scales: …`); where the file set that value,
 * the message names the file and the key instead.
 */
function located(problem: string, where: Record<string, string>, fromCli: Set<string>): string {
  const m = /^--([a-z0-9-]+)(?=[: ])/.exec(problem);
  if (!m || fromCli.has(m[1]!) || where[m[1]!] === undefined) return problem;
  return where[m[1]!] + problem.slice(m[0].length);
}

function withSuffix(file: string, suffix: string): string {
  const ext = extname(file);
  return ext === '' ? `${file}-${suffix}` : `${file.slice(0, -ext.length)}-${suffix}${ext}`;
}

/** Flags → the argv that gives them: `--name=value` (once per value), `--name` / `--no-name`. */
export function toArgv(flags: Record<string, FlagValue>): string[] {
  const argv: string[] = [];
  for (const [name, v] of Object.entries(flags)) {
    if (v === true) argv.push(`--${name}`);
    else if (v === false) argv.push(`--no-${name}`);
    else for (const x of Array.isArray(v) ? v : [v]) argv.push(`--${name}=${x}`);
  }
  return argv;
}

/** An argv as a shell would take it back (for the dry run's listing). */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
