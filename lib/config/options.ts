import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CONFIGS, type ConfigName } from '../core/words.ts';
import { DRIVERS, DRIVER_NAMES, driverEntry } from '../drivers/registry.ts';
import type { DriverEntry, DriverFlag } from '../drivers/contract.ts';
import { UsageError } from '../core/errors.ts';
import { nonNegativeNumber, positiveInt, Problem, scaleList, choiceList, seed } from '../core/parse.ts';
import { parseThresholds, type Threshold } from '../verdict/syntax.ts';
import { scopeProblems } from '../verdict/scope.ts';
import { FORMAT_NAMES, formatNames, getFormat } from '../report/formats.ts';
import { arrivals, duration, loadProblems, patternName, patternProblems, rate, waitSpec, type Arrivals } from '../workloads/flags.ts';
import { PATTERN_NAMES, patternOf } from '../workloads/index.ts';
import { faultList, faultProblems, type FaultSpec } from '../faults/spec.ts';

/** Everything a benchmark run needs, resolved and frozen. Nothing else reads env or argv. */
export interface Options {
  readonly scales: readonly number[];
  readonly runs: number;
  readonly iterations: number;
  readonly warmup: number;
  /** Configs measured besides `baseline` (always measured: every overhead is against it). */
  readonly layers: readonly ConfigName[];
  readonly workers: number;
  readonly baseDir: string;
  /** A file path, or '-' for stdout. */
  readonly out: string;
  readonly perfLog: string | null;
  readonly seed: number;
  readonly raw: boolean;
  readonly keep: boolean;
  /** Measure each config in a cell of its own instead of interleaving them (lib/run/matrix.ts). */
  readonly separateCells: boolean;
  readonly payloadBytes: number;
  readonly inboxCapacity: number;
  readonly backoffMs: number;
  readonly maxRetries: number;
  readonly healthIntervalMs: number;
  readonly healthQueryEvery: number;
  readonly sampleIntervalMs: number;
  readonly cellTimeoutS: number;
  readonly noopDelayUs: number;
  /** The buses measured, in order (lib/drivers/registry.ts): each runs the whole matrix. */
  readonly drivers: readonly string[];
  /** Each chosen driver's settings, validated from its own flags (lib/drivers/<name>/index.ts). */
  readonly driverSettings: Readonly<Record<string, unknown>>;
  /** Checked after the run; any failure → exit 99. */
  readonly thresholds: readonly Threshold[];
  /** How the results are printed at the end (lib/report/formats.ts). */
  readonly format: string;
  /** The resolution (noop interval half-width, %) the run should reach; wider is warned about. */
  readonly resolution: number;
  /** Open loop (lib/workloads/open.ts): messages per second of each sending agent, or of them all; null: the closed loop. */
  readonly rate: number | null;
  readonly rateTotal: number | null;
  readonly arrivals: Arrivals;
  /** Open loop: how long each cell sends. */
  readonly durationMs: number;
  /** Open loop: how receivers wait for mail (lib/workloads/flags.ts parseWait). */
  readonly wait: string;
  /** Not a flag: --find-max-rate gives its steps its p99 budget (lib/workloads/load.ts LoadOptions). */
  readonly giveUpLateMs?: number;
  /** Who sends to whom (lib/workloads/index.ts). */
  readonly pattern: string;
  /** Faults injected into every cell (lib/faults/spec.ts); any → the run is disturbed (exit 3). */
  readonly faults: readonly FaultSpec[];
}

type Key = keyof Options;
type Source = 'default' | 'env' | 'flag';

interface Spec {
  key: Key;
  flag: string;
  /** Environment names, most specific first; BENCH_* plus the legacy names users script against. */
  env: string[];
  kind: 'value' | 'boolean';
  /** May be given more than once (flag) or as a ';'-separated list (environment). */
  repeatable?: boolean;
  help: string;
  arg?: string;
  parse?: (raw: string, flag: string) => unknown;
  /** For a repeatable option: every value given, in order. */
  parseList?: (raws: string[], flag: string) => unknown;
}

const MEASURED = CONFIGS.filter((c) => c !== 'baseline');

/** The option table: one entry per flag. Help text, env names and parsing all come from here. */
export const SPECS: readonly Spec[] = [
  { key: 'scales', flag: '--scales', env: ['BENCH_SCALES', 'SCALE_LEVELS'], kind: 'value', arg: 'LIST', help: 'agent counts to measure, comma-separated (SCALE_LEVELS takes them space-separated)', parse: scaleList },
  { key: 'runs', flag: '--runs', env: ['BENCH_RUNS', 'STATISTICAL_RUNS'], kind: 'value', arg: 'N', help: 'statistical runs; each measures every config at every scale once, in a shuffled order', parse: (r, f) => positiveInt(r, f, 1000) },
  { key: 'iterations', flag: '--iterations', env: ['BENCH_ITERATIONS', 'BENCHMARK_ITERATIONS'], kind: 'value', arg: 'N', help: 'messages each agent sends per run and config', parse: (r, f) => positiveInt(r, f, 1_000_000) },
  { key: 'warmup', flag: '--warmup', env: ['BENCH_WARMUP'], kind: 'value', arg: 'N', help: 'messages per agent and config in the discarded warm-up pass before each run (0: no warm-up)', parse: (r, f) => positiveInt(r, f, 1_000_000, 0) },
  { key: 'layers', flag: '--layers', env: ['BENCH_LAYERS'], kind: 'value', arg: 'LIST', help: `configs to measure besides baseline: ${MEASURED.join(',')}`, parse: (r, f) => choiceList(r, f, MEASURED) },
  { key: 'workers', flag: '--workers', env: ['BENCH_WORKERS'], kind: 'value', arg: 'N', help: 'worker processes the agents are spread over (no more are started than the largest scale has agents)', parse: (r, f) => positiveInt(r, f, 256) },
  { key: 'baseDir', flag: '--base-dir', env: ['BENCH_BASE_DIR'], kind: 'value', arg: 'DIR', help: 'where the run directory is created; should be tmpfs', parse: (r) => resolve(r) },
  { key: 'out', flag: '--out', env: ['BENCH_OUT', 'BENCHMARK_RESULTS_FILE'], kind: 'value', arg: 'FILE', help: "JSONL results file, or '-' for stdout", parse: (r) => (r === '-' ? '-' : resolve(r)) },
  { key: 'perfLog', flag: '--perf-log', env: ['BENCH_PERF_LOG', 'PERF_LOG'], kind: 'value', arg: 'FILE', help: 'also write every resource sample (CPU, RSS, tmpfs) as JSONL here', parse: (r) => resolve(r) },
  { key: 'seed', flag: '--seed', env: ['BENCH_SEED'], kind: 'value', arg: 'N', help: 'seed of the shuffled orders: scales (or cells) per run, configs per round (recorded in the run record)', parse: seed },
  { key: 'raw', flag: '--raw', env: ['BENCH_RAW'], kind: 'boolean', help: 'also write every timed sample (`sample` records)' },
  { key: 'separateCells', flag: '--separate-cells', env: ['BENCH_SEPARATE_CELLS'], kind: 'boolean', help: 'measure each config in a cell of its own instead of all configs taking turns in one cell per scale (wider intervals; see docs/method.md)' },
  { key: 'keep', flag: '--keep', env: ['BENCH_KEEP'], kind: 'boolean', help: 'keep the run directory on tmpfs for inspection' },
  { key: 'payloadBytes', flag: '--payload-bytes', env: ['BENCH_PAYLOAD_BYTES'], kind: 'value', arg: 'N', help: 'size of each message payload', parse: (r, f) => positiveInt(r, f, 1 << 20, 0) },
  { key: 'inboxCapacity', flag: '--inbox-capacity', env: ['BENCH_INBOX_CAPACITY'], kind: 'value', arg: 'N', help: 'rate_limiting: inbox depth at which senders back off', parse: (r, f) => positiveInt(r, f, 1_000_000) },
  { key: 'backoffMs', flag: '--backoff-ms', env: ['BENCH_BACKOFF_MS'], kind: 'value', arg: 'MS', help: 'rate_limiting: first backoff wait, doubled on each retry', parse: (r, f) => nonNegativeNumber(r, f, 10_000) },
  { key: 'maxRetries', flag: '--max-retries', env: ['BENCH_MAX_RETRIES'], kind: 'value', arg: 'N', help: 'rate_limiting: retries before a send is rejected', parse: (r, f) => positiveInt(r, f, 100, 0) },
  { key: 'healthIntervalMs', flag: '--health-interval-ms', env: ['BENCH_HEALTH_INTERVAL_MS'], kind: 'value', arg: 'MS', help: 'health: least time between heartbeat writes of one agent (0: every operation)', parse: (r, f) => nonNegativeNumber(r, f, 60_000) },
  { key: 'healthQueryEvery', flag: '--health-query-every', env: ['BENCH_HEALTH_QUERY_EVERY'], kind: 'value', arg: 'N', help: "health: the coordinator queries every agent's health once per N rounds", parse: (r, f) => positiveInt(r, f, 1_000_000) },
  { key: 'sampleIntervalMs', flag: '--sample-interval-ms', env: ['BENCH_SAMPLE_INTERVAL_MS'], kind: 'value', arg: 'MS', help: "resource monitor sampling period (CPU and RSS at every sample; the bus's directory as often as 5 % of a core allows, and at the end of each cell)", parse: (r, f) => positiveInt(r, f, 60_000, 10) },
  { key: 'cellTimeoutS', flag: '--cell-timeout', env: ['BENCH_CELL_TIMEOUT'], kind: 'value', arg: 'S', help: 'seconds a cell may take per config in it (interleaved: × the configs) before it is recorded as failed', parse: (r, f) => positiveInt(r, f, 86_400) },
  { key: 'drivers', flag: '--driver', env: ['BENCH_DRIVER'], kind: 'value', arg: 'LIST', help: `buses to measure, comma-separated, each through the whole matrix: ${DRIVER_NAMES.join(', ')}`, parse: driverList },
  { key: 'thresholds', flag: '--threshold', env: ['BENCH_THRESHOLDS'], kind: 'value', arg: 'EXPR', repeatable: true, help: "a pass/fail check on the results, e.g. 'overhead(full_integration).message_send.p50 < 1%'; repeat for more (env: ';'-separated); any failure exits 99", parseList: thresholdList },
  { key: 'format', flag: '--format', env: ['BENCH_FORMAT'], kind: 'value', arg: 'NAME', help: `how the results are printed: ${FORMAT_NAMES.join(', ')}`, parse: (r, f) => formatName(r, f) },
  { key: 'resolution', flag: '--resolution', env: ['BENCH_RESOLUTION'], kind: 'value', arg: 'PCT', help: 'resolution wanted (noop interval half-width, %); a wider one is warned about with advice', parse: (r, f) => pctValue(r, f) },
  { key: 'pattern', flag: '--pattern', env: ['BENCH_PATTERN'], kind: 'value', arg: 'NAME', help: `who sends to whom: ${PATTERN_NAMES.join(', ')} (see docs/workloads.md)`, parse: (r, f) => patternName(r, f, PATTERN_NAMES) },
  { key: 'rate', flag: '--rate', env: ['BENCH_RATE'], kind: 'value', arg: 'R', help: 'open loop: each sending agent sends R messages/s on a schedule fixed in advance, for --duration (default: the closed loop, --iterations rounds as fast as the bus answers; see docs/workloads.md)', parse: rate },
  { key: 'rateTotal', flag: '--rate-total', env: ['BENCH_RATE_TOTAL'], kind: 'value', arg: 'R', help: 'open loop: R messages/s for all sending agents together, shared evenly (instead of --rate)', parse: rate },
  { key: 'arrivals', flag: '--arrivals', env: ['BENCH_ARRIVALS'], kind: 'value', arg: 'KIND', help: 'open loop: constant (evenly spaced sends) or poisson (random gaps seeded from --seed)', parse: arrivals },
  { key: 'durationMs', flag: '--duration', env: ['BENCH_DURATION'], kind: 'value', arg: 'TIME', help: 'open loop: how long each cell sends, with a unit (ms, s, m, h), e.g. 20s', parse: duration },
  { key: 'wait', flag: '--wait', env: ['BENCH_WAIT'], kind: 'value', arg: 'HOW', help: 'open loop: how receivers wait for mail: poll:INTERVAL (us or ms; poll:0us polls without pause), or watch (woken when mail arrives: tmpfs, NATS, Redis); recorded in the load records', parse: waitSpec },
  { key: 'faults', flag: '--fault', env: ['BENCH_FAULTS'], kind: 'value', arg: 'SPEC', repeatable: true, help: 'break something in every cell: kill-agent:N@P%, stall-agent:N@P%:DURATION (e.g. 500ms) or kill-worker:N@P% (agent or worker N, when P % of the workload is done), or restart-server@P%[:DURATION] (nats, redis: the server busbench started, down that long); repeat for more (env: \';\'-separated); see docs/faults.md; the run exits 3', parseList: faultList },
  { key: 'noopDelayUs', flag: '--noop-delay-us', env: ['BENCH_NOOP_DELAY_US'], kind: 'value', arg: 'US', help: 'noop: busy-wait this long per operation (to check the harness detects a known cost)', parse: (r, f) => nonNegativeNumber(r, f, 1_000_000) },
];

export type Preset = Partial<Record<Key, unknown>>;

export function defaults(cores: number): Options {
  return {
    scales: [1, 10, 100],
    runs: 5,
    iterations: 100,
    warmup: 20,
    layers: MEASURED,
    workers: Math.max(1, cores),
    baseDir: '/dev/shm',
    out: '',
    perfLog: null,
    seed: 0,
    raw: false,
    keep: false,
    separateCells: false,
    payloadBytes: 256,
    inboxCapacity: 1000,
    backoffMs: 1,
    maxRetries: 5,
    healthIntervalMs: 0,
    healthQueryEvery: 10,
    sampleIntervalMs: 100,
    cellTimeoutS: 120,
    noopDelayUs: 0,
    drivers: ['tmpfs'],
    driverSettings: {},
    thresholds: [],
    format: 'table',
    resolution: 1,
    rate: null,
    rateTotal: null,
    arrivals: 'constant',
    durationMs: 10_000,
    wait: 'poll:1ms',
    pattern: 'rotation',
    faults: [],
  };
}

/** The quick preset: a smoke-sized run (replaces defaults; env and flags still win). */
export const QUICK: Preset = { scales: [1, 3], runs: 2, iterations: 20, warmup: 5 };

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

export interface ResolveInput {
  /** Parsed flags (minimist shape: `_` positionals, names without dashes). */
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
  cores: number;
  preset?: Preset;
  /** Used for the default output file name. */
  now?: Date;
  /** Random seed used when none is given. */
  randomSeed?: () => number;
}

export interface Resolved {
  options: Options;
  sources: Record<Key, Source>;
  warnings: string[];
}

/**
 * defaults ← preset ← env ← flags, validated all at once. Throws UsageError listing every
 * problem (exit 2) before anything is created or run.
 */
export function resolveOptions(input: ResolveInput): Resolved {
  const problems: string[] = [];
  const warnings: string[] = [];
  const opts: Record<string, unknown> = { ...defaults(input.cores), ...(input.preset ?? {}) };
  const sources = Object.fromEntries(Object.keys(opts).map((k) => [k, 'default'])) as Record<Key, Source>;
  const byName = new Map(SPECS.map((s) => [s.flag.slice(2), s]));
  const driverFlags = new Set(DRIVERS.flatMap((d) => d.flags.map((f) => f.flag.slice(2))));

  for (const name of Object.keys(input.flags)) {
    if (name === '_' || name === 'help' || name === 'h' || name === '--') continue;
    if (!byName.has(name) && !driverFlags.has(name)) problems.push(`--${name}: unknown flag; see --help for the flags there are`);
  }
  const positionals = (input.flags['_'] as unknown[] | undefined) ?? [];
  if (positionals.length > 0) problems.push(`unexpected argument "${String(positionals[0])}"; flags start with --, see --help`);

  for (const spec of SPECS) {
    const v = rawValue(spec.flag, spec.env, input);
    if (v === null) continue;
    try {
      if (spec.kind === 'boolean') opts[spec.key] = parseBoolean(v, spec.flag);
      else if (spec.repeatable) {
        const list = Array.isArray(v.raw) ? v.raw : v.from === 'env' ? String(v.raw).split(/;|\n/).filter((x) => x.trim() !== '') : [v.raw];
        if (list.some((x) => x === true || x === false || x === undefined)) throw new Problem(`${v.label}: needs a value, e.g. ${spec.flag} ${spec.arg ?? 'VALUE'}`);
        opts[spec.key] = spec.parseList!(list.map(String), v.label);
      } else opts[spec.key] = parseSingle(v, spec.flag, spec.arg ?? 'VALUE', spec.parse!);
      sources[spec.key] = v.from;
    } catch (e) {
      if (e instanceof Problem) problems.push(e.message);
      else throw e;
    }
  }

  const o = opts as unknown as { -readonly [K in Key]: Options[K] };
  checkBaseDir(o.baseDir, sources.baseDir === 'env' ? 'BENCH_BASE_DIR' : '--base-dir', problems);
  if (o.out === '') o.out = defaultOut('overhead', input.now);
  else if (o.out !== '-') checkOutFile(o.out, '--out', problems);
  if (o.perfLog !== null) checkOutFile(o.perfLog, '--perf-log', problems);
  if (sources.seed === 'default') o.seed = (input.randomSeed ?? (() => Math.floor(Math.random() * 0xffffffff)))();
  o.driverSettings = resolveDrivers(o.drivers, o.cellTimeoutS, input, problems);
  const servers = o.drivers.map((name) => {
    const entry = driverEntry(name) as DriverEntry;
    return { driver: name, cannot: entry.restartable ? (name in o.driverSettings ? entry.restartable(o.driverSettings[name]) : null) : `${name} has no server to restart (restart-server is for a networked driver: nats, redis); drop it or use --driver nats or redis` };
  });
  problems.push(...faultProblems(o.faults, { scales: o.scales, workers: o.workers, servers }, sources.faults === 'env' ? 'BENCH_FAULTS (environment)' : '--fault'));
  if (o.faults.length > 0 && (o.rate !== null || o.rateTotal !== null)) problems.push("--fault: strikes at a share of the closed loop's rounds (--iterations); drop --rate/--rate-total to inject faults");
  problems.push(...scopeProblems(o.thresholds, { scales: o.scales, configs: ['baseline', ...o.layers] }));
  const pattern = patternOf(o.pattern);
  loadProblems(o, (k) => sources[k] !== 'default', problems);
  patternProblems(pattern, o, problems);
  if (o.iterations < 2 && o.runs < 2) warnings.push('--iterations 1 with --runs 1 gives one sample per agent: no interval can be computed');

  if (problems.length > 0) throw new UsageError(problems);
  return { options: Object.freeze({ ...o, scales: Object.freeze([...o.scales]), layers: Object.freeze([...o.layers]), thresholds: Object.freeze([...o.thresholds]), faults: Object.freeze([...o.faults]), drivers: Object.freeze([...o.drivers]), driverSettings: Object.freeze({ ...o.driverSettings }) }), sources, warnings };
}

/** Where a value came from, and how a message names it: `--scales`, or `SCALE_LEVELS (environment)`. */
export interface RawValue {
  raw: unknown;
  from: 'flag' | 'env';
  label: string;
}

/**
 * A flag's raw value: from the command line, else from the first of its environment names that is
 * set (non-empty); null when neither. Every command reads its flags through here.
 */
export function rawValue(flag: string, env: readonly string[], input: Pick<ResolveInput, 'flags' | 'env'>): RawValue | null {
  const name = flag.slice(2);
  if (name in input.flags) return { raw: input.flags[name], from: 'flag', label: flag };
  for (const e of env) {
    const v = input.env[e];
    if (v !== undefined && v !== '') return { raw: v, from: 'env', label: `${e} (environment)` };
  }
  return null;
}

/** A switch's raw value: given alone, or 1/0, true/false, yes/no, on/off (the environment's way). */
export function parseBoolean(v: RawValue, flag: string): boolean {
  if (Array.isArray(v.raw)) throw new Problem(`${flag}: given ${v.raw.length} times; give it once`);
  const s = String(v.raw).toLowerCase();
  if (v.raw === true || TRUE.has(s)) return true;
  if (v.raw === false || FALSE.has(s)) return false;
  if (v.from === 'flag') throw new Problem(`${flag}: takes no value ("${String(v.raw)}"); write ${flag} alone, or ${flag}=0 to turn it off`);
  throw new Problem(`${v.label}: "${String(v.raw)}" is not a yes/no value; use 1 or 0`);
}

/**
 * A single-valued flag's raw value parsed; a repeat, or a flag without its value, is a Problem
 * naming the flag and an example (`arg`).
 */
export function parseSingle<T>(v: RawValue, flag: string, arg: string, parse: (raw: string, label: string) => T): T {
  if (Array.isArray(v.raw)) throw new Problem(`${flag}: given ${v.raw.length} times; give it once`);
  if (v.raw === true || v.raw === false || v.raw === undefined) throw new Problem(`${v.label}: needs a value, e.g. ${flag} ${arg}`);
  return parse(String(v.raw), v.label);
}

/** A flag a command has beside the option table's (capacity, soak, ab): read and parsed the same way. */
export interface CommandFlag {
  key: string;
  flag: string;
  env: string;
  /** Shown in "needs a value, e.g. --flag EXAMPLE". */
  example: string;
  /** A switch: given alone on the command line, or 1/0 from the environment. */
  boolean?: boolean;
  parse?: (raw: string, label: string) => unknown;
}

/**
 * A command's own flags, split from the option table's: each read from argv or its environment
 * name and parsed, every problem pushed. `shared` is the rest of argv, for resolveOptions;
 * `labels` names each flag as the user gave it (for later messages).
 */
export function readCommandFlags(specs: readonly CommandFlag[], input: Pick<ResolveInput, 'flags' | 'env'>, problems: string[]): { values: Record<string, unknown>; labels: Record<string, string>; shared: Record<string, unknown> } {
  const names = new Set(specs.map((s) => s.flag.slice(2)));
  const own: Record<string, unknown> = {};
  const shared: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input.flags)) (names.has(k) ? own : shared)[k] = v;
  const values: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  for (const s of specs) {
    const v = rawValue(s.flag, [s.env], { flags: own, env: input.env });
    labels[s.key] = v?.label ?? s.flag;
    if (v === null) continue;
    try {
      values[s.key] = s.boolean ? parseBoolean(v, s.flag) : parseSingle(v, s.flag, s.example, s.parse!);
    } catch (e) {
      if (e instanceof Problem) problems.push(e.message);
      else throw e;
    }
  }
  return { values, labels, shared };
}

/**
 * resolveOptions for a command that has problems of its own to report with the shared ones: the
 * shared options' problems go first into `problems`, and null comes back instead of a throw.
 */
export function resolveInto(input: ResolveInput, problems: string[]): Resolved | null {
  try {
    return resolveOptions(input);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    problems.unshift(...e.problems);
    return null;
  }
}

/** Every --threshold parsed on its own; all bad ones reported together, each pointing at its fault. */
function thresholdList(raws: string[], flag: string): Threshold[] {
  const { thresholds, problems } = parseThresholds(raws, flag);
  if (problems.length > 0) throw new Problem(problems.join('\n  '));
  return thresholds;
}

function formatName(raw: string, flag: string): string {
  if (!getFormat(raw)) throw new Problem(`${flag}: unknown format "${raw}"; choose from ${formatNames().join(', ')}`);
  return raw;
}

function pctValue(raw: string, flag: string): number {
  const s = raw.trim().replace(/%$/, '');
  const n = nonNegativeNumber(s, flag, 1000);
  if (n === 0) throw new Problem(`${flag}: 0% cannot be reached; give a positive percentage, e.g. ${flag} 1`);
  return n;
}

function driverList(raw: string, flag: string): string[] {
  const names = raw.split(',').map((x) => x.trim());
  const out: string[] = [];
  for (const n of names) {
    if (!DRIVER_NAMES.includes(n)) throw new Problem(`${flag}: unknown driver "${n}"; choose from ${DRIVER_NAMES.join(', ')} (several: comma-separated)`);
    if (out.includes(n)) throw new Problem(`${flag}: ${n} is listed twice; list each driver once`);
    out.push(n);
  }
  return out;
}

/** A driver flag's value from the flags or the environment, with the label a message names it by. */
function driverFlagValue(f: DriverFlag, input: ResolveInput, problems: string[]): { value?: unknown; label: string } {
  const v = rawValue(f.flag, f.env, input);
  if (v === null) return { label: f.flag };
  try {
    return { value: parseSingle(v, f.flag, f.arg, f.parse), label: v.label };
  } catch (e) {
    if (e instanceof Problem) problems.push(e.message);
    else throw e;
  }
  return { label: v.label };
}

/** Every driver's flags read; each chosen driver's settings checked; a flag of a driver not chosen is a problem. */
function resolveDrivers(chosen: readonly string[], cellTimeoutS: number, input: ResolveInput, problems: string[]): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const d of DRIVERS) {
    const values: Record<string, unknown> = {};
    const labels: Record<string, string> = {};
    let given: string | null = null;
    for (const f of d.flags) {
      const { value, label } = driverFlagValue(f, input, problems);
      labels[f.key] = label;
      if (value !== undefined) {
        values[f.key] = value;
        given ??= label;
      }
    }
    if (!chosen.includes(d.name)) {
      if (given !== null) problems.push(`${given}: only used with --driver ${d.name}; add ${d.name} to --driver or drop it`);
      continue;
    }
    const s = driverEntry(d.name).settings({ values, label: (k) => labels[k] ?? k, cellTimeoutS }, problems);
    if (s !== null) settings[d.name] = s;
  }
  return settings;
}

/** Where a command's results go when --out is not given: results/<command>-<UTC time>.jsonl. */
export function defaultOut(command: string, now: Date = new Date()): string {
  return resolve('results', `${command}-${stamp(now)}.jsonl`);
}

/** UTC timestamp usable in a file name: 20261123T151800Z. */
export function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function checkBaseDir(dir: string, flag: string, problems: string[]): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    problems.push(`${flag}: ${dir} does not exist; create it or point ${flag} at an existing tmpfs directory such as /dev/shm`);
    return;
  }
  if (!st.isDirectory()) {
    problems.push(`${flag}: ${dir} is not a directory; point ${flag} at a directory such as /dev/shm`);
    return;
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    problems.push(`${flag}: ${dir} is not writable; choose a directory you can write to, such as /dev/shm`);
  }
}

function checkOutFile(file: string, flag: string, problems: string[]): void {
  if (existsSync(file) && statSync(file).isDirectory()) {
    problems.push(`${flag}: ${file} is a directory; give a file name inside it`);
    return;
  }
  const parent = dirname(file);
  if (!existsSync(parent)) problems.push(`${flag}: directory ${parent} does not exist; create it first or choose another path`);
  else if (!statSync(parent).isDirectory()) problems.push(`${flag}: ${parent} is not a directory; choose a path inside a directory`);
  else {
    try {
      accessSync(parent, constants.W_OK);
    } catch {
      problems.push(`${flag}: directory ${parent} is not writable; choose another path`);
    }
  }
}

/** Help text, generated from the option table. */
export function helpText(command: string, summary: string, preset: Preset = {}): string {
  const d = { ...defaults(1), ...preset } as Record<string, unknown>;
  const lines = [`Usage: busbench ${command} [flags]`, '', summary, '', 'Flags (environment names in brackets; flags win over env, env over defaults):'];
  for (const s of SPECS) {
    const left = `  ${s.flag}${s.arg ? ` ${s.arg}` : ''}`;
    let def = d[s.key];
    if (s.key === 'workers') def = 'cores';
    else if (s.key === 'out') def = 'results/overhead-<UTC time>.jsonl';
    else if (s.key === 'seed') def = 'random';
    else if (s.key === 'durationMs') def = `${(def as number) / 1000}s`;
    const shown = Array.isArray(def) ? (def.length === 0 ? 'none' : def.join(',')) : def === null ? 'none' : String(def);
    lines.push(`${left.padEnd(28)}${s.help}`);
    lines.push(`${''.padEnd(28)}default ${shown} [${s.env.join(', ')}]`);
  }
  for (const driver of DRIVERS) {
    if (driver.flags.length === 0) continue;
    lines.push('', `Flags of the ${driver.name} driver (${driver.summary}):`);
    for (const f of driver.flags) {
      lines.push(`${`  ${f.flag} ${f.arg}`.padEnd(28)}${f.help}`);
      lines.push(`${''.padEnd(28)}default ${f.default ?? 'none'} [${f.env.join(', ')}]`);
    }
  }
  lines.push('  -h, --help                show this help', '', 'Exit codes: 0 ok, 1 runtime error or lost messages, 2 bad flags, 3 finished with --fault injected (disturbed), 99 a threshold failed, 130/143 interrupted.');
  return lines.join('\n');
}
