/**
 * The capacity command's options: the shared pipeline (defaults ← capacity preset ← env ← flags)
 * for everything a matrix run needs, plus flags of its own (--predict, --budget-p95,
 * --budget-overhead, --latency-op, --cell-messages; for the rate search --find-max-rate,
 * --budget-p99, --rate-steps), parsed with the same rules. Every problem, shared or own, is reported at once.
 */
import { UsageError } from '../core/errors.ts';
import { helpText, readCommandFlags, resolveInto, defaultOut, type Options, type Preset, type ResolveInput } from '../config/options.ts';
import { positiveInt, Problem, scaleList } from '../core/parse.ts';
import type { LatencyOperation } from '../records/schema.ts';
import { START_RATE } from './max-rate.ts';
import { WATCHING_DRIVERS } from '../drivers/registry.ts';

export interface CapacityOptions {
  /** Agent counts to predict beyond (or within) the sweep. */
  readonly predict: readonly number[];
  readonly budgetP95Ms: number | null;
  readonly budgetOverheadPct: number | null;
  /** Least messages measured per config, scale and run: small scales' cells are repeated; 0: off. */
  readonly cellMessages: number;
  /** Whose p95 is modelled and budgeted: end-to-end (delivery), send or receive. */
  readonly latencyOp: LatencyOperation;
  /** Instead of the sweep: find the highest offered rate whose open-loop p99 stays within budgetP99Ms (max-rate.ts). */
  readonly findMaxRate?: boolean;
  readonly budgetP99Ms?: number | null;
  /** Most steps of the rate search per config and scale. */
  readonly rateSteps?: number;
}

export const CAPACITY_PRESET: Preset = {
  scales: [1, 2, 5, 10, 20, 50, 100, 200],
  layers: ['full_integration'],
  runs: 3,
  iterations: 100,
  warmup: 20,
};

export const MAX_PREDICT = 1_000_000;

interface CapacitySpec {
  key: keyof CapacityOptions;
  /** A flag without a value (the others all take one). */
  boolean?: true;
  flag: string;
  env: string;
  arg: string;
  help: string;
  def: string;
  parse: (raw: string, label: string) => unknown;
}

export const CAPACITY_SPECS: readonly CapacitySpec[] = [
  { key: 'predict', flag: '--predict', env: 'BENCH_PREDICT', arg: 'LIST', help: 'agent counts to predict throughput and p95 at (the model, marked as extrapolation beyond the sweep)', def: '500,1000', parse: predictList },
  { key: 'latencyOp', flag: '--latency-op', env: 'BENCH_LATENCY_OP', arg: 'OP', help: 'whose p95 the latency model and --budget-p95 follow: e2e (send to receipt), send or receive', def: 'e2e', parse: latencyOp },
  { key: 'budgetP95Ms', flag: '--budget-p95', env: 'BENCH_BUDGET_P95', arg: 'TIME', help: 'latency budget: p95 of the --latency-op, with a unit (us, ms or s), e.g. 5ms', def: 'none', parse: duration },
  { key: 'cellMessages', flag: '--cell-messages', env: 'BENCH_CELL_MESSAGES', arg: 'N', help: 'least messages measured per config, scale and run: cells of small scales are repeated (up to 20 times) until they reach N (0: off)', def: '2000', parse: (r, f) => positiveInt(r, f, 10_000_000, 0) },
  { key: 'findMaxRate', flag: '--find-max-rate', env: 'BENCH_FIND_MAX_RATE', arg: '', boolean: true, help: 'instead of the sweep: per config and scale, raise the open loop\'s offered rate (doubling from 10/s per agent, then narrowing to 10 %) until p99 delivery from the intended send time breaks --budget-p99; each step runs --duration (default here 2s); default scale here 10', def: 'off', parse: () => true },
  { key: 'budgetP99Ms', flag: '--budget-p99', env: 'BENCH_BUDGET_P99', arg: 'TIME', help: '--find-max-rate: the p99 latency budget, with a unit (us, ms or s), e.g. 5ms', def: 'none', parse: duration },
  { key: 'rateSteps', flag: '--rate-steps', env: 'BENCH_RATE_STEPS', arg: 'N', help: '--find-max-rate: most steps per config and scale', def: '16', parse: (r, f) => positiveInt(r, f, 100) },
  { key: 'budgetOverheadPct', flag: '--budget-overhead', env: 'BENCH_BUDGET_OVERHEAD', arg: 'PCT', help: 'overhead budget per message (send + receive) vs the bare bus, with %, e.g. 1%', def: 'none', parse: percentage },
];

const EXAMPLE: Record<keyof Required<CapacityOptions>, string> = { predict: '500,1000', budgetP95Ms: '5ms', budgetOverheadPct: '1%', cellMessages: '2000', latencyOp: 'e2e', findMaxRate: '', budgetP99Ms: '5ms', rateSteps: '16' };

/** The command's own value flags (kept as strings by the flag parser). */
export const CAPACITY_FLAG_NAMES = CAPACITY_SPECS.filter((s) => !s.boolean).map((s) => s.flag.slice(2));

/** --find-max-rate's defaults where the user gave none: one scale and short steps. */
const MAX_RATE_SCALES = '10';
const MAX_RATE_DURATION = '2s';

const NUMBER = /^(\d+(?:\.\d+)?|\.\d+)/;

/** "500,1000": agent counts ≥ 1, each once. */
export function predictList(raw: string, flag: string): number[] {
  const fix = `use whole agent counts from 1 to ${MAX_PREDICT}, e.g. ${flag} 500,1000`;
  if (raw.trim() === '') throw new Problem(`${flag}: empty; ${fix}`);
  const out: number[] = [];
  for (const p of raw.trim().split(/\s*,\s*|\s+/)) {
    if (!/^-?\d+(\.\d+)?$/.test(p)) throw new Problem(`${flag}: "${p}" is not a whole number; ${fix}`);
    const n = Number(p);
    if (n < 1) throw new Problem(`${flag}: ${p} is below 1 (a prediction needs at least one agent); ${fix}`);
    if (!Number.isInteger(n)) throw new Problem(`${flag}: ${p} is not a whole number; ${fix}`);
    if (n > MAX_PREDICT) throw new Problem(`${flag}: ${n} is above ${MAX_PREDICT}; ${fix}`);
    if (out.includes(n)) throw new Problem(`${flag}: ${n} is listed twice; list each agent count once`);
    out.push(n);
  }
  return out.sort((a, b) => a - b);
}

const OPS: Record<string, LatencyOperation> = { e2e: 'delivery', send: 'message_send', receive: 'message_receive' };

/** "e2e" | "send" | "receive" → the operation whose latency is modelled. */
export function latencyOp(raw: string, flag: string): LatencyOperation {
  const op = OPS[raw.trim()];
  if (op === undefined) throw new Problem(`${flag}: unknown "${raw}"; choose e2e, send or receive, e.g. ${flag} e2e`);
  return op;
}

const TIME_UNITS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000 };

/** "5ms", "250us", "0.5 s" → milliseconds. A bare number is refused: the unit is not guessed. */
export function duration(raw: string, flag: string): number {
  const s = raw.trim();
  const m = NUMBER.exec(s);
  const unit = m ? s.slice(m[0].length).trim() : '';
  if (!m) throw new Problem(`${flag}: "${raw}" is not a time; give a number and a unit, e.g. ${flag} 5ms (units: us, ms, s)`);
  if (unit === '') throw new Problem(`${flag}: "${raw}" has no unit; give one, e.g. ${flag} ${m[0]}ms (units: us, ms, s)`);
  const factor = TIME_UNITS[unit];
  if (factor === undefined) throw new Problem(`${flag}: unknown unit "${unit}"; use us, ms or s, e.g. ${flag} 5ms`);
  const ms = Number(m[0]) * factor;
  if (!(ms > 0)) throw new Problem(`${flag}: a budget of 0 is always broken; give a positive time, e.g. ${flag} 5ms`);
  return ms;
}

/** "1%", "0.5 %" → percent. A bare number is refused: 1 could mean 1 % or 100 %. */
export function percentage(raw: string, flag: string): number {
  const s = raw.trim();
  const m = NUMBER.exec(s);
  const unit = m ? s.slice(m[0].length).trim() : '';
  if (!m) throw new Problem(`${flag}: "${raw}" is not a percentage; give it with %, e.g. ${flag} 1%`);
  if (unit === '') throw new Problem(`${flag}: "${raw}" has no unit; give it as a percentage, e.g. ${flag} ${m[0]}%`);
  if (unit !== '%') throw new Problem(`${flag}: unknown unit "${unit}"; give it as a percentage, e.g. ${flag} 1%`);
  const pct = Number(m[0]);
  if (!(pct > 0)) throw new Problem(`${flag}: a budget of 0 % is always broken; give a positive percentage, e.g. ${flag} 1%`);
  return pct;
}

export interface CapacityResolved {
  options: Options;
  capacity: CapacityOptions;
  warnings: string[];
}

/** Shared options (with the capacity preset) and the capacity flags, validated together. */
export function resolveCapacity(input: ResolveInput): CapacityResolved {
  const problems: string[] = [];

  const capacity: { -readonly [K in keyof CapacityOptions]-?: NonNullable<CapacityOptions[K]> | (null extends CapacityOptions[K] ? null : never) } = { predict: [500, 1000], budgetP95Ms: null, budgetOverheadPct: null, cellMessages: 2000, latencyOp: 'delivery', findMaxRate: false, budgetP99Ms: null, rateSteps: 16 };
  const read = readCommandFlags(CAPACITY_SPECS.map((spec) => ({ ...spec, example: EXAMPLE[spec.key] })), input, problems);
  const shared = read.shared;
  Object.assign(capacity, read.values);

  const userRate = shared.rate ?? shared['rate-total'] ?? input.env.BENCH_RATE ?? input.env.BENCH_RATE_TOTAL;
  if (capacity.findMaxRate) {
    if (capacity.budgetP99Ms === null) problems.push('--find-max-rate: needs --budget-p99 TIME, the p99 latency a rate must keep to, e.g. --budget-p99 5ms');
    if (userRate !== undefined && userRate !== '') problems.push('--find-max-rate: finds the rate itself; drop --rate/--rate-total');
    // The search runs the open loop: its flags (--duration, --arrivals, --wait) are checked as such.
    if (shared.scales === undefined && !input.env.BENCH_SCALES && !input.env.SCALE_LEVELS) shared.scales = MAX_RATE_SCALES;
    if (shared.duration === undefined && !input.env.BENCH_DURATION) shared.duration = MAX_RATE_DURATION;
    // Receivers woken by the bus's own notice where every chosen driver has one: a poll's interval
    // would otherwise be a floor under every step's p99, and its cost a load of its own.
    if (shared.wait === undefined && !input.env.BENCH_WAIT) {
      const drivers = String(shared.driver ?? (input.env.BENCH_DRIVER || 'tmpfs')).split(',').map((d) => d.trim());
      shared.wait = drivers.every((d) => WATCHING_DRIVERS.includes(d)) ? 'watch' : 'poll:1ms';
    }
    shared.rate = String(START_RATE);
  } else if (capacity.budgetP99Ms !== null) problems.push('--budget-p99: only used with --find-max-rate; add it, or use --budget-p95 for the sweep');
  // A sweep needs two scales at least; the shared pipeline accepts one, so check the raw value here.
  const scalesRaw = shared.scales ?? input.env.BENCH_SCALES ?? input.env.SCALE_LEVELS;
  const scalesLabel = shared.scales !== undefined ? '--scales' : input.env.BENCH_SCALES ? 'BENCH_SCALES (environment)' : 'SCALE_LEVELS (environment)';
  if (typeof scalesRaw === 'string' && scalesRaw.trim() !== '') {
    try {
      const n = scaleList(scalesRaw, scalesLabel).length;
      if (n < 2 && !capacity.findMaxRate) problems.push(`${scalesLabel}: ${n} agent count given; a sweep needs at least two (six to fit the scaling model), e.g. --scales 1,2,5,10,20,50,100,200`);
    } catch {
      // resolveOptions reports this one
    }
  }

  const resolved = resolveInto({ ...input, flags: shared, preset: { ...CAPACITY_PRESET, ...(input.preset ?? {}) } }, problems);
  // The sweep repeats small cells to a message count and fits throughput: a closed-loop measure.
  if (resolved !== null && !capacity.findMaxRate && (resolved.options.rate !== null || resolved.options.rateTotal !== null)) {
    problems.push(`${resolved.options.rate !== null ? '--rate' : '--rate-total'}: the capacity sweep runs the closed loop; for open-loop latency at a rate run busbench overhead --rate R --duration 20s --scales ...`);
  }
  if (problems.length > 0 || resolved === null) throw new UsageError(problems);

  const warnings = [...resolved.warnings];
  let options = resolved.options;
  if (resolved.sources.out === 'default') options = Object.freeze({ ...options, out: defaultOut('capacity', input.now) });
  if (capacity.findMaxRate) options = Object.freeze({ ...options, rate: null });
  else if (options.scales.length < 6) warnings.push(`${options.scales.length} scales: the throughput model (USL) needs 6 or more, so it will not be fitted ("too few points")`);
  return { options, capacity: Object.freeze({ ...capacity, predict: Object.freeze([...capacity.predict]) }), warnings };
}

export function capacityHelp(name: string, summary: string): string {
  const base = helpText(name, summary, CAPACITY_PRESET).replace('results/overhead-<UTC time>.jsonl', 'results/capacity-<UTC time>.jsonl');
  const lines = ['', 'Capacity flags:'];
  for (const s of CAPACITY_SPECS) {
    lines.push(`${`  ${s.flag}${s.arg ? ` ${s.arg}` : ''}`.padEnd(28)}${s.help}`);
    lines.push(`${''.padEnd(28)}default ${s.def} [${s.env}]`);
  }
  const at = base.indexOf('  -h, --help');
  return at < 0 ? base + lines.join('\n') : base.slice(0, at) + '\n' + lines.slice(1).join('\n') + '\n' + base.slice(at);
}
