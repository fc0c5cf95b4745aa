/**
 * busbench as a library (docs/api.md): `import { overhead, capacity, runScenario } from 'busbench'`.
 * Options in (the keys of a scenario file: every flag of the command without its dashes, or its
 * option name), records out (what the JSONL carries, `sample` records apart). Nothing is printed
 * unless asked (`verbose`); bad options throw UsageError (never process.exit); a run that went
 * wrong (lost messages, a failed cell, a threshold) comes back with its exit code and records.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './core/errors.ts';
import type { ConfigName } from './core/words.ts';
import type { BenchRecord } from './records/schema.ts';
import type { RunIO } from './run/runner.ts';
import { STEP_COMMANDS } from './cli/scenario/commands.ts';
import { keyIndex } from './cli/scenario/keys.ts';
import { parseScenario, readScenario, toFlags } from './cli/scenario/load.ts';
import { planScenario, type PlannedStep } from './cli/scenario/plan.ts';

export { UsageError, EXIT } from './core/errors.ts';
export type { BenchRecord } from './records/schema.ts';

/**
 * A command's options. The common ones are typed; any other option of the command is taken by its
 * flag name or option key (`"inbox-capacity"` or `inboxCapacity`), as in a scenario file.
 */
export interface RunOptions {
  driver?: string | string[];
  /** Configs measured besides baseline (alias: configs). */
  layers?: ConfigName[];
  configs?: ConfigName[];
  scales?: number[];
  runs?: number;
  iterations?: number;
  warmup?: number;
  payloadBytes?: number;
  workers?: number;
  seed?: number;
  /** Threshold expressions (docs/verdicts.md); a failing one gives exit code 99, not an exception. */
  thresholds?: string[];
  /** Also write the JSONL here (default: no file). */
  out?: string;
  [option: string]: unknown;
}

export interface CapacityOptions extends RunOptions {
  predict?: number[];
  /** With a unit, e.g. '5ms'. */
  budgetP95?: string;
  budgetOverhead?: string;
}

/** How a run reports while it goes, and how to stop it. */
export interface Control {
  /** Progress and warnings to stderr, as the command line prints them. */
  verbose?: boolean;
  onProgress?(done: number, total: number, label: string): void;
  onWarn?(text: string): void;
  /** Aborting stops the run (workers killed, the run directory removed); its exit code is then 130. */
  signal?: AbortSignal;
  /** Environment read for options not given (BENCH_*); default none: a script's options are what it passes. */
  env?: Record<string, string | undefined>;
}

export interface Result {
  /** 0 ok, 1 a runtime error or lost messages, 99 a threshold failed, 130 aborted (the command's exit codes). */
  exitCode: number;
  ok: boolean;
  /** Every record of the run, as the JSONL carries them (sample records, --raw, only in the file). */
  records: BenchRecord[];
  /** Warnings of the options and of the run. */
  warnings: string[];
  /** The JSONL file written, or null. */
  out: string | null;
}

export interface StepResult extends Result {
  name: string;
  command: string;
}

export interface ScenarioResult {
  name: string;
  steps: StepResult[];
  /** The first step's exit code that is not 0 (as `busbench run`). */
  exitCode: number;
  ok: boolean;
}

/** The overhead benchmark: the bare bus, each layer and all layers at each scale. */
export function overhead(options: RunOptions = {}, control: Control = {}): Promise<Result> {
  return single('overhead', options, control);
}

/** The capacity sweep: throughput, latency and resources per scale, the fitted models, the budgets. */
export function capacity(options: CapacityOptions = {}, control: Control = {}): Promise<Result> {
  return single('capacity', options, control);
}

export interface SoakOptions extends RunOptions {
  /** With a unit (ms, s, m, h), e.g. '10m'. */
  duration?: string;
  soakInterval?: string;
  soakRate?: number;
}

/** A soak: steady traffic for `duration`, each resource's growth fitted (its `soak` records). */
export function soak(options: SoakOptions = {}, control: Control = {}): Promise<Result> {
  return single('soak', options, control);
}

/**
 * A scenario file (a path) or object, with `overrides` on top of every step (as flags on the
 * command line). Every step is validated before the first runs; then they run in order, all of
 * them unless one is aborted.
 */
export async function runScenario(scenario: string | Record<string, unknown>, overrides: Record<string, unknown> = {}, control: Control = {}): Promise<ScenarioResult> {
  const scn = typeof scenario === 'string' ? readScenario(scenario) : parseScenario(scenario, 'scenario');
  const cli = overrideFlags(overrides);
  const steps = planScenario(scn, cli, control.env ?? {}, { outDefault: 'none' });
  const results: StepResult[] = [];
  for (const step of steps) {
    results.push({ name: step.name, command: step.command, ...(await execute(step, control)) });
    if (control.signal?.aborted) break;
  }
  const exitCode = results.find((r) => r.exitCode !== 0)?.exitCode ?? 0;
  return { name: scn.name, steps: results, exitCode, ok: exitCode === 0 };
}

async function single(command: string, options: Record<string, unknown>, control: Control): Promise<Result> {
  const label = `${command}() options`;
  for (const k of ['steps', 'command', 'name', 'description']) {
    if (k in options) throw new UsageError([`${label}: "${k}" is a key of scenario files, not an option of ${command}(); use runScenario() for steps`]);
  }
  const scn = parseScenario({ ...options, command }, label, command);
  const [step] = planScenario(scn, {}, control.env ?? {}, { outDefault: 'none' });
  return execute(step!, control);
}

/** Overrides as the flags a command line would give; planScenario applies each to the steps that take it. */
function overrideFlags(overrides: Record<string, unknown>): Record<string, unknown> {
  const index = keyIndex(Object.values(STEP_COMMANDS).flatMap((c) => c.keys()));
  const { flags, problems } = toFlags(overrides, 'overrides', index);
  if (problems.length > 0) throw new UsageError(problems);
  return flags;
}

async function execute(step: PlannedStep, control: Control): Promise<Result> {
  const warnings = [...step.warnings];
  const warn = (text: string) => {
    warnings.push(text);
    control.onWarn?.(text);
    if (control.verbose) process.stderr.write(`warning: ${text}\n`);
  };
  for (const w of step.warnings) {
    control.onWarn?.(w);
    if (control.verbose) process.stderr.write(`warning: ${w}\n`);
  }
  const io: RunIO = {
    progress: (done, total, label) => {
      control.onProgress?.(done, total, label);
      if (control.verbose) process.stderr.write(`[${done}/${total}] ${label}\n`);
    },
    warn,
    interrupted: new Promise((resolve) => control.signal?.addEventListener('abort', () => resolve(130), { once: true })),
  };
  if (step.writes && step.options.out !== '-') mkdirSync(dirname(step.options.out), { recursive: true });
  const outcome = await step.run(step.options, io);
  return { exitCode: outcome.exitCode, ok: outcome.exitCode === 0, records: outcome.records, warnings, out: step.writes ? step.options.out : null };
}
