/**
 * The capacity command's options: the shared pipeline (defaults ← capacity preset ← env ← flags)
 * for everything a matrix run needs, plus three flags of its own (--predict, --budget-p95,
 * --budget-overhead), parsed with the same rules. Every problem, shared or own, is reported at once.
 */
import { resolve } from 'node:path';
import { UsageError } from '../config/errors.ts';
import { helpText, parseSingle, rawValue, resolveOptions, stamp, type Options, type Preset, type ResolveInput } from '../config/options.ts';
import { positiveInt, Problem, scaleList } from '../config/parse.ts';
import type { LatencyOperation } from '../records/schema.ts';

export interface CapacityOptions {
  /** Agent counts to predict beyond (or within) the sweep. */
  readonly predict: readonly number[];
  readonly budgetP95Ms: number | null;
  readonly budgetOverheadPct: number | null;
  /** Least messages measured per config, scale and run: small scales' cells are repeated; 0: off. */
  readonly cellMessages: number;
  /** Whose p95 is modelled and budgeted: end-to-end (delivery), send or receive. */
  readonly latencyOp: LatencyOperation;
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
  { key: 'budgetOverheadPct', flag: '--budget-overhead', env: 'BENCH_BUDGET_OVERHEAD', arg: 'PCT', help: 'overhead budget per message (send + receive) vs the bare bus, with %, e.g. 1%', def: 'none', parse: percentage },
];

const EXAMPLE: Record<keyof CapacityOptions, string> = { predict: '500,1000', budgetP95Ms: '5ms', budgetOverheadPct: '1%', cellMessages: '2000', latencyOp: 'e2e' };

export const CAPACITY_FLAG_NAMES = CAPACITY_SPECS.map((s) => s.flag.slice(2));

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
  const own: Record<string, unknown> = {};
  const shared: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input.flags)) (CAPACITY_FLAG_NAMES.includes(k) ? own : shared)[k] = v;

  const capacity: { -readonly [K in keyof CapacityOptions]: CapacityOptions[K] } = { predict: [500, 1000], budgetP95Ms: null, budgetOverheadPct: null, cellMessages: 2000, latencyOp: 'delivery' };
  for (const spec of CAPACITY_SPECS) {
    const v = rawValue(spec.flag, [spec.env], { flags: own, env: input.env });
    if (v === null) continue;
    try {
      (capacity as Record<string, unknown>)[spec.key] = parseSingle(v, spec.flag, EXAMPLE[spec.key], spec.parse);
    } catch (e) {
      if (e instanceof Problem) problems.push(e.message);
      else throw e;
    }
  }

  // A sweep needs two scales at least; the shared pipeline accepts one, so check the raw value here.
  const scalesRaw = shared.scales ?? input.env.BENCH_SCALES ?? input.env.SCALE_LEVELS;
  const scalesLabel = shared.scales !== undefined ? '--scales' : input.env.BENCH_SCALES ? 'BENCH_SCALES (environment)' : 'SCALE_LEVELS (environment)';
  if (typeof scalesRaw === 'string' && scalesRaw.trim() !== '') {
    try {
      const n = scaleList(scalesRaw, scalesLabel).length;
      if (n < 2) problems.push(`${scalesLabel}: ${n} agent count given; a sweep needs at least two (six to fit the scaling model), e.g. --scales 1,2,5,10,20,50,100,200`);
    } catch {
      // resolveOptions reports this one
    }
  }

  let resolved: ReturnType<typeof resolveOptions> | null = null;
  try {
    resolved = resolveOptions({ ...input, flags: shared, preset: { ...CAPACITY_PRESET, ...(input.preset ?? {}) } });
  } catch (e) {
    if (e instanceof UsageError) problems.unshift(...e.problems);
    else throw e;
  }
  if (problems.length > 0 || resolved === null) throw new UsageError(problems);

  const warnings = [...resolved.warnings];
  let options = resolved.options;
  if (resolved.sources.out === 'default') options = Object.freeze({ ...options, out: resolve('results', `capacity-${stamp(input.now ?? new Date())}.jsonl`) });
  if (options.scales.length < 6) warnings.push(`${options.scales.length} scales: the throughput model (USL) needs 6 or more, so it will not be fitted ("too few points")`);
  return { options, capacity: Object.freeze({ ...capacity, predict: Object.freeze([...capacity.predict]) }), warnings };
}

export function capacityHelp(name: string, summary: string): string {
  const base = helpText(name, summary, CAPACITY_PRESET).replace('results/overhead-<UTC time>.jsonl', 'results/capacity-<UTC time>.jsonl');
  const lines = ['', 'Capacity flags:'];
  for (const s of CAPACITY_SPECS) {
    lines.push(`${`  ${s.flag} ${s.arg}`.padEnd(28)}${s.help}`);
    lines.push(`${''.padEnd(28)}default ${s.def} [${s.env}]`);
  }
  const at = base.indexOf('  -h, --help');
  return at < 0 ? base + lines.join('\n') : base.slice(0, at) + '\n' + lines.slice(1).join('\n') + '\n' + base.slice(at);
}
