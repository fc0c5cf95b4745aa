/**
 * The soak command's options: the shared pipeline (defaults ← soak preset ← env ← flags) plus its
 * own flags (--duration, its length here, --soak-interval, --soak-rate), parsed with the same rules, every problem
 * reported at once.
 */
import { UsageError } from '../core/errors.ts';
import { helpText, readCommandFlags, resolveInto, defaultOut, type Options, type Preset, type ResolveInput } from '../config/options.ts';
import { nonNegativeNumber, Problem } from '../core/parse.ts';
import { duration } from '../workloads/flags.ts';

export interface SoakOptions {
  /** How long traffic runs through each soaked cell (the shared --duration). */
  readonly durationMs: number;
  /** How often every resource is sampled. */
  readonly intervalMs: number;
  /** Rounds per second: each agent sends this many messages a second through each config. */
  readonly rate: number;
}

// iterations and warmup do not apply to a soak (it runs until its deadline, no warm-up pass).
export const SOAK_PRESET: Preset = { scales: [10], runs: 1, warmup: 0 };

interface SoakSpec {
  key: keyof SoakOptions;
  flag: string;
  env: string;
  arg: string;
  help: string;
  def: string;
  parse: (raw: string, label: string) => number;
}

function rate(raw: string, flag: string): number {
  const n = nonNegativeNumber(raw, flag, 100_000);
  if (n === 0) throw new Problem(`${flag}: a rate of 0 sends nothing; give messages per second per agent, e.g. ${flag} 20`);
  return n;
}

export const SOAK_SPECS: readonly SoakSpec[] = [
  { key: 'durationMs', flag: '--duration', env: 'BENCH_SOAK_DURATION', arg: 'TIME', help: 'how long traffic runs through each soaked cell, with a unit (ms, s, m, h), e.g. 10m', def: '10m', parse: duration },
  { key: 'intervalMs', flag: '--soak-interval', env: 'BENCH_SOAK_INTERVAL', arg: 'TIME', help: 'how often RSS, tmpfs use and every file of the bus are sampled, with a unit (ms, s, m, h); --duration must hold at least two', def: '5s', parse: duration },
  { key: 'rate', flag: '--soak-rate', env: 'BENCH_SOAK_RATE', arg: 'N', help: 'messages per second each agent sends through each config (a steady pace; the rounds start on a fixed schedule)', def: '20', parse: rate },
];

/** Shared flags a soak has no use for, and why. */
const IGNORED: readonly [string, string][] = [
  ['iterations', 'it runs until --duration'],
  ['warmup', 'it has no warm-up pass'],
  ['rate', 'it paces with --soak-rate'],
  ['rate-total', 'it paces with --soak-rate'],
  ['arrivals', 'its rounds come on a fixed schedule'],
  ['wait', 'its agents take their mail after each round'],
  ['pattern', 'it runs the rotation workload'],
];

export const SOAK_FLAG_NAMES = SOAK_SPECS.map((s) => s.flag.slice(2));

export interface SoakResolved {
  options: Options;
  soak: SoakOptions;
  warnings: string[];
}

/** Shared options (with the soak preset) and the soak flags, validated together. */
export function resolveSoak(input: ResolveInput): SoakResolved {
  const problems: string[] = [];
  const soak: { -readonly [K in keyof SoakOptions]: SoakOptions[K] } = { durationMs: 600_000, intervalMs: 5000, rate: 20 };
  const { values, labels, shared } = readCommandFlags(SOAK_SPECS.map((spec) => ({ ...spec, example: spec.def })), input, problems);
  Object.assign(soak, values);
  if (problems.length === 0 && soak.durationMs < 2 * soak.intervalMs) {
    problems.push(`${labels.durationMs}: ${fmt(soak.durationMs)} is shorter than two sample intervals (${labels.intervalMs} ${fmt(soak.intervalMs)}); a growth needs samples to fit: lengthen the soak or sample more often, e.g. --soak-interval ${fmt(Math.max(10, Math.floor(soak.durationMs / 10)))}`);
  }

  // What a soak does not use: said, not silently ignored.
  for (const [flag, why] of IGNORED) if (flag in shared) problems.push(`--${flag}: not used by a soak (${why}); drop it`);

  const resolved = resolveInto({ ...input, flags: shared, preset: { ...SOAK_PRESET, ...(input.preset ?? {}) } }, problems);
  if (resolved !== null && resolved.options.scales.length !== 1) {
    problems.push(`--scales: a soak runs one agent count (${resolved.options.scales.join(',')} given); give one, e.g. --scales 10`);
  }
  if (problems.length > 0 || resolved === null) throw new UsageError(problems);
  let options = resolved.options;
  if (resolved.sources.out === 'default') options = Object.freeze({ ...options, out: defaultOut('soak', input.now) });
  return { options, soak: Object.freeze(soak), warnings: resolved.warnings };
}

function fmt(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}

export function soakHelp(name: string, summary: string): string {
  // The soak's own --duration stands in the soak flags; the open loop's is not listed.
  const base = helpText(name, summary, SOAK_PRESET)
    .replace('results/overhead-<UTC time>.jsonl', 'results/soak-<UTC time>.jsonl')
    .replace(/\n {2}--duration [^\n]*\n[^\n]*/, '');
  const lines: string[] = [];
  for (const s of SOAK_SPECS) {
    lines.push(`${`  ${s.flag} ${s.arg}`.padEnd(28)}${s.help}`);
    lines.push(`${''.padEnd(28)}default ${s.def} [${s.env}]`);
  }
  const at = base.indexOf('  -h, --help');
  return at < 0 ? base + '\nSoak flags:\n' + lines.join('\n') : base.slice(0, at) + '\nSoak flags:\n' + lines.join('\n') + '\n' + base.slice(at);
}
