/**
 * The ab command's options: the shared pipeline (defaults ← env ← flags) for everything the
 * matrix needs, plus the flags of its own (AB_SPECS). Each variant's options are the shared flags
 * with that variant's --a/--b string on top, resolved by the same pipeline, so a variant option is
 * validated exactly like a command-line flag. Then the two variants are checked against each
 * other: only what a variant may change (the layers' knobs, the driver's settings, the library's
 * revision, B's injected send cost) may differ; anything else would make them incomparable.
 * Every problem, shared, own or of a variant, is reported at once (exit 2).
 */
import { UsageError } from '../core/errors.ts';
import { helpText, readCommandFlags, resolveOptions, SPECS, defaultOut, type Options, type Preset, type ResolveInput } from '../config/options.ts';
import { nonNegativeNumber, parsePct, Problem } from '../core/parse.ts';
import type { LayerOptions } from '../core/words.ts';
import { parseFlags } from '../config/args.ts';
import { layerOptions } from '../run/specs.ts';
import { findRepo, resolveRevision, type Revision } from './revisions.ts';

export interface AbOptions {
  /** The --a and --b strings as given ('' when not given). */
  readonly a: string;
  readonly b: string;
  readonly aRev: string | null;
  readonly bRev: string | null;
  readonly bDelayUs: number;
  readonly aa: boolean;
  /** --fail-on-regression, %; null when not given. */
  readonly failOnRegressionPct: number | null;
}

interface AbSpec {
  key: keyof AbOptions;
  flag: string;
  env: string;
  kind: 'value' | 'boolean';
  arg?: string;
  help: string;
  def: string;
  example: string;
  parse?: (raw: string, label: string) => unknown;
}

const text = (raw: string) => raw;

export const AB_SPECS: readonly AbSpec[] = [
  { key: 'a', flag: '--a', env: 'BENCH_AB_A', kind: 'value', arg: 'OPTIONS', help: "variant A's options on top of the others, e.g. --a '--health-interval-ms 0' (any run or driver flag that a variant may change: layer knobs, driver settings such as --driver-config or a server URL)", def: 'none', example: "'--health-interval-ms 0'", parse: text },
  { key: 'b', flag: '--b', env: 'BENCH_AB_B', kind: 'value', arg: 'OPTIONS', help: "variant B's options on top of the others, e.g. --b '--health-interval-ms 100'", def: 'none', example: "'--health-interval-ms 100'", parse: text },
  { key: 'aRev', flag: '--a-rev', env: 'BENCH_AB_A_REV', kind: 'value', arg: 'REV', help: "shell driver: variant A's library as it is at this git revision of the repository its --driver-config lives in (materialised into the run directory; the checkout is not touched). Without it, A uses the files as they are", def: 'none', example: 'main', parse: revision },
  { key: 'bRev', flag: '--b-rev', env: 'BENCH_AB_B_REV', kind: 'value', arg: 'REV', help: "shell driver: variant B's library at this git revision (see --a-rev)", def: 'none', example: 'HEAD', parse: revision },
  { key: 'bDelayUs', flag: '--b-delay-us', env: 'BENCH_AB_B_DELAY_US', kind: 'value', arg: 'US', help: "busy-wait this much longer inside each of B's sends than inside A's (tmpfs and shell drivers; whole µs with shell): a known cost, to check that ab finds and sizes it", def: '0', example: '5', parse: (r, f) => nonNegativeNumber(r, f, 1_000_000) },
  { key: 'aa', flag: '--aa', env: 'BENCH_AB_AA', kind: 'boolean', help: 'allow identical variants (an A/A run: the false-alarm check); without it identical variants are refused', def: 'false', example: '' },
  { key: 'failOnRegressionPct', flag: '--fail-on-regression', env: 'BENCH_AB_FAIL_ON_REGRESSION', kind: 'value', arg: 'PCT', help: "exit 99 when any cell's 95 % interval of B against A lies entirely above PCT, e.g. 2%; exit 98 when none does but some interval reaches PCT or there is none (inconclusive); 0 when every interval lies below PCT", def: 'none', example: '2%', parse: parsePct },
];

export const AB_FLAG_NAMES = AB_SPECS.map((s) => s.flag.slice(2));

/**
 * argv → flags (the shared parser, with ab's own flags). `--b '--health-interval-ms 100'`: a
 * variant's value starts with dashes, so it is joined to its flag (`--b=…`) first.
 */
export function parseAbFlags(argv: readonly string[]): Record<string, unknown> {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '--a' || a === '--b') && i + 1 < argv.length) joined.push(`${a}=${argv[++i]!}`);
    else joined.push(a);
  }
  const booleans = AB_SPECS.filter((s) => s.kind === 'boolean').map((s) => s.flag.slice(2));
  return parseFlags(joined, AB_FLAG_NAMES.filter((f) => !booleans.includes(f)), booleans);
}

/** What a variant may change; every other option must be the same for both (else incomparable). */
const VARIANT_KEYS: readonly (keyof Options)[] = ['inboxCapacity', 'backoffMs', 'maxRetries', 'healthIntervalMs', 'noopDelayUs', 'driverSettings'];
/** Options of the run itself, not of what is measured: a variant may not set them (they would be ignored). */
const RUN_ONLY: readonly (keyof Options)[] = ['out', 'perfLog', 'format', 'resolution', 'thresholds', 'keep', 'raw', 'baseDir', 'seed', 'sampleIntervalMs', 'cellTimeoutS'];
/** Drivers whose bare send can take B's injected cost (lib/drivers/tmpfs/layers/stack.ts, shell/compose.ts). */
const DELAY_DRIVERS = ['tmpfs', 'shell'];

function revision(raw: string, flag: string): string {
  const s = raw.trim();
  if (s === '' || s.startsWith('-')) throw new Problem(`${flag}: "${raw}" is not a revision; give a branch, tag or commit, e.g. ${flag} main`);
  return s;
}

/** One variant as resolved: its options and, with --a-rev/--b-rev, the revision of its library. */
export interface VariantPlan {
  name: 'A' | 'B';
  /** The --a/--b flags, parsed (minimist shape). */
  flags: Record<string, unknown>;
  options: Options;
  layer: LayerOptions;
  revision: Revision | null;
}

export interface AbResolved {
  options: Options;
  /** The flags shared by both variants (minimist shape), under each variant's own. */
  shared: Record<string, unknown>;
  ab: AbOptions;
  variants: [VariantPlan, VariantPlan];
  warnings: string[];
}

/**
 * Splits an option string the way a POSIX shell splits words: blanks separate, '…' keeps
 * everything literally, "…" and \ quote. No expansion of any kind.
 */
export function splitWords(raw: string, flag: string): string[] {
  const out: string[] = [];
  let word: string | null = null;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word = (word ?? '') + c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < raw.length && '"\\$`'.includes(raw[i + 1]!)) word = (word ?? '') + raw[++i]!;
      else word = (word ?? '') + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < raw.length) {
      word = (word ?? '') + raw[++i]!;
    } else if (/\s/.test(c)) {
      if (word !== null) out.push(word);
      word = null;
    } else word = (word ?? '') + c;
  }
  if (quote !== null) throw new Problem(`${flag}: "${raw}" has an unclosed ${quote}; quote the whole value once, e.g. ${flag} '--health-interval-ms 100'`);
  if (word !== null) out.push(word);
  return out;
}

/** The A/B's own flags from argv or the environment (read like every command's own flags); the rest of argv is the shared flags. */
function ownOptions(input: ResolveInput, problems: string[]): { ab: AbOptions; shared: Record<string, unknown> } {
  const ab: Record<string, unknown> = { a: '', b: '', aRev: null, bRev: null, bDelayUs: 0, aa: false, failOnRegressionPct: null };
  const { values, shared } = readCommandFlags(AB_SPECS.map((spec) => ({ ...spec, boolean: spec.kind === 'boolean' })), input, problems);
  Object.assign(ab, values);
  return { ab: ab as unknown as AbOptions, shared };
}

const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
const flagOfKey = (key: keyof Options) => SPECS.find((s) => s.key === key)?.flag ?? key;

/**
 * What `ab` changes in the defaults: 10 statistical runs instead of 5. Its verdicts are read
 * over all cells of a run (Holm), and 5 runs leave too few degrees of freedom for that: A/A runs
 * on the reference bus at 10 agents called a cell different in 3 of 20 runs with 5 runs, in 0 of
 * 14 with 10 (docs/ab.md).
 */
export const AB_PRESET: Preset = { runs: 10 };

/** Shared options, the ab flags and both variants, validated together; throws UsageError with every problem. */
export function resolveAb(asked: ResolveInput): AbResolved {
  const input: ResolveInput = { ...asked, preset: { ...AB_PRESET, ...(asked.preset ?? {}) } };
  const problems: string[] = [];
  const { ab, shared } = ownOptions(input, problems);

  // Each variant's own flags, parsed first: the run's options may need them (a driver config given
  // only per variant, --a '--driver-config old.json' --b '--driver-config new.json').
  const given: { name: 'A' | 'B'; raw: string; flag: string; flags: Record<string, unknown> }[] = [];
  for (const [name, raw, flag] of [['A', ab.a, '--a'], ['B', ab.b, '--b']] as const) {
    try {
      const flags = parseFlags(splitWords(raw, flag));
      given.push({ name, raw, flag, flags });
      for (const key of RUN_ONLY) {
        const f = flagOfKey(key).slice(2);
        if (f in flags) problems.push(`${flag} '${raw}': ${flagOfKey(key)} is a setting of the whole run, not of one variant; give it outside ${flag}`);
      }
    } catch (e) {
      if (e instanceof Problem) problems.push(e.message);
      else throw e;
    }
  }

  // The run's options: the shared flags; if they alone do not resolve, with A's on top (what the
  // variants must share is then checked below, B against A).
  const attempt = (flags: Record<string, unknown>) => {
    try {
      return { resolved: resolveOptions({ ...input, flags }), problems: [] as readonly string[] };
    } catch (e) {
      if (e instanceof UsageError) return { resolved: null, problems: e.problems };
      throw e;
    }
  };
  let first = attempt(shared);
  if (first.resolved === null && given[0] !== undefined) {
    const withA = attempt({ ...shared, ...given[0].flags });
    if (withA.resolved !== null) first = withA;
  }
  const base = first.resolved;
  if (base === null) throw new UsageError([...first.problems, ...problems]);
  const options: Options = base.sources.out === 'default' ? Object.freeze({ ...base.options, out: defaultOut('ab', input.now) }) : base.options;
  if (options.separateCells) problems.push('--separate-cells: ab measures A and B taking turns inside each cell; drop --separate-cells');

  // Each variant: the shared flags with its own on top, through the same pipeline (same seed).
  const plans: VariantPlan[] = [];
  for (const { name, raw, flag, flags } of given) {
    try {
      const r = resolveOptions({ ...input, flags: { ...shared, ...flags, seed: String(options.seed), out: '-' } });
      plans.push({ name, flags, options: r.options, layer: layerOptions(r.options), revision: null });
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      // The run's options resolved without it: every problem here is the variant's.
      problems.push(...e.problems.map((p) => `${flag} '${raw}': ${p}`));
    }
  }
  if (problems.length > 0 || plans.length < 2) throw new UsageError(problems);
  const [a, b] = plans as [VariantPlan, VariantPlan];

  // Comparable: everything but what a variant may change is the same.
  for (const spec of SPECS) {
    if (VARIANT_KEYS.includes(spec.key) || RUN_ONLY.includes(spec.key)) continue;
    if (!same(a.options[spec.key], b.options[spec.key])) problems.push(`${spec.flag}: differs between the variants (A ${JSON.stringify(a.options[spec.key])}, B ${JSON.stringify(b.options[spec.key])}), which would make them incomparable; give it once, outside --a/--b`);
  }
  if (ab.bDelayUs > 0) {
    // Both variants wait through the same code, B this much longer (words.ts LayerOptions.sendDelayUs).
    a.layer = { ...a.layer, sendDelayUs: 0 };
    b.layer = { ...b.layer, sendDelayUs: ab.bDelayUs };
  }
  if (ab.bDelayUs > 0) for (const d of options.drivers) if (!DELAY_DRIVERS.includes(d)) problems.push(`--b-delay-us: not available with --driver ${d} (only ${DELAY_DRIVERS.join(', ')}); drop it or measure one of those`);
  // bash's clock ($EPOCHREALTIME) counts whole µs: a fraction would be rounded away, in both variants alike.
  if (ab.bDelayUs > 0 && !Number.isInteger(ab.bDelayUs) && options.drivers.includes('shell')) problems.push(`--b-delay-us: ${ab.bDelayUs} µs with --driver shell, whose busy-wait counts whole µs; give a whole number, e.g. --b-delay-us ${Math.max(1, Math.round(ab.bDelayUs))}`);

  // Revisions of the shell library: the repository the driver config lives in, each revision checked now.
  if (ab.aRev !== null || ab.bRev !== null) {
    if (options.drivers.length !== 1 || options.drivers[0] !== 'shell') problems.push(`${ab.aRev !== null ? '--a-rev' : '--b-rev'}: revisions are of a bash library: use it with --driver shell alone`);
    else {
      for (const [plan, rev, flag] of [[a, ab.aRev, '--a-rev'], [b, ab.bRev, '--b-rev']] as const) {
        if (rev === null) continue;
        const file = (plan.options.driverSettings.shell as { config: { file: string } } | undefined)?.config.file;
        if (file === undefined) continue;
        const repo = findRepo(file, flag, problems);
        if (repo !== null) plan.revision = resolveRevision(repo, rev, file, flag, problems);
      }
    }
  }

  const identical = same(a.layer, b.layer) && same(a.options.driverSettings, b.options.driverSettings) && (a.revision?.sha ?? null) === (b.revision?.sha ?? null) && (a.revision === null) === (b.revision === null);
  // Identical is judged only between variants that are otherwise comparable and resolved.
  if (identical && !ab.aa && problems.length === 0) problems.push('--a/--b: the two variants are identical (same options, library and revision); give them a difference, or add --aa for an A/A run (the false-alarm check)');
  if (problems.length > 0) throw new UsageError(problems);

  const warnings = [...base.warnings];
  if (options.runs < 2) warnings.push(`--runs ${options.runs}: the interval of B against A needs 2 runs or more; every cell will be inconclusive`);
  return { options, shared, ab: Object.freeze(ab), variants: [a, b], warnings };
}

export function abHelp(name: string, summary: string): string {
  const base = helpText(name, summary, AB_PRESET).replace('results/overhead-<UTC time>.jsonl', 'results/ab-<UTC time>.jsonl');
  const lines = ['A/B flags:'];
  for (const s of AB_SPECS) {
    lines.push(`${`  ${s.flag}${s.arg ? ` ${s.arg}` : ''}`.padEnd(28)}${s.help}`);
    lines.push(`${''.padEnd(28)}default ${s.def} [${s.env}]`);
  }
  const at = base.indexOf('  -h, --help');
  const body = at < 0 ? base + '\n\n' + lines.join('\n') : base.slice(0, at) + '\n' + lines.join('\n') + '\n' + base.slice(at);
  return body.replace(/Exit codes: .*$/, 'Exit codes: 0 ok (with --fail-on-regression: every interval below it), 1 runtime error or lost messages, 2 bad flags, 98 inconclusive against --fail-on-regression, 99 a regression beyond it, 130/143 interrupted.');
}
