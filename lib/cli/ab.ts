import { availableParallelism } from 'node:os';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { abHelp, parseAbFlags, resolveAb, type AbResolved, type VariantPlan } from '../ab/flags.ts';
import { materialise } from '../ab/revisions.ts';
import { abRecords, gateOf } from '../ab/verdict.ts';
import { EXIT } from '../core/errors.ts';
import { resolveOptions } from '../config/options.ts';
import { ofType, withoutVariantFigures } from '../records/select.ts';
import { getFormat } from '../report/formats.ts';
import { runMatrix, type RunVariant } from '../run/runner.ts';
import { failure } from './failure.ts';
import { finishRun } from './finish.ts';
import { interruption } from './overhead.ts';
import { colourFor } from './output.ts';
import { terminal } from './terminal.ts';

export const AB = {
  name: 'ab',
  summary:
    'A/B in one run: the overhead matrix with every config measured under variant A and variant B in the same cells,\ntaking turns round by round, matched per message. Per (config, scale, operation): the change of B against A with\na 95 % interval and a verdict; --fail-on-regression gates CI. Variants differ by options (--a/--b), by the\nrevision of a shell library (--a-rev/--b-rev) or by a cost injected into B (--b-delay-us). See docs/ab.md.',
};

/** A variant as the run starts it; a library at a revision is written into the run directory first. */
function runVariant(r: AbResolved, plan: VariantPlan, runDir: string, env: Record<string, string | undefined>): RunVariant {
  if (plan.revision === null) return { name: plan.name, driverSettings: plan.options.driverSettings, layer: plan.layer };
  const config = materialise(plan.revision, join(runDir, 'sources', plan.name));
  const flag = plan.name === 'A' ? '--a-rev' : '--b-rev';
  // The variant's driver config read from the revision, through the same checks as any --driver-config.
  let settings;
  try {
    settings = resolveOptions({ flags: { ...r.shared, ...plan.flags, 'driver-config': config, seed: String(r.options.seed), out: '-' }, env, cores: availableParallelism() }).options.driverSettings;
  } catch (e) {
    if (e instanceof Error && 'problems' in e) (e as { problems: string[] }).problems.forEach((p, i, all) => (all[i] = `${flag} ${plan.revision!.rev}: ${p}`));
    throw e;
  }
  return { name: plan.name, driverSettings: settings, layer: plan.layer };
}

/** `busbench ab`. Returns the exit code. */
export async function abMain(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const term = terminal(env);
  const name = AB.name;
  try {
    const flags = parseAbFlags(argv);
    if (flags.help) {
      process.stdout.write(abHelp(name, AB.summary) + '\n');
      return EXIT.ok;
    }
    const r = resolveAb({ flags, env, cores: availableParallelism() });
    const { options, ab } = r;
    for (const w of r.warnings) term.warn(w);
    if (options.out !== '-') mkdirSync(dirname(options.out), { recursive: true });
    const bound = ab.failOnRegressionPct;
    const outcome = await runMatrix(
      options,
      { progress: term.progress, warn: term.warn, interrupted: interruption() },
      {
        config: {
          ab: {
            a: ab.a,
            b: ab.b,
            a_rev: r.variants[0].revision ? `${r.variants[0].revision.rev} (${r.variants[0].revision.sha})` : null,
            b_rev: r.variants[1].revision ? `${r.variants[1].revision.rev} (${r.variants[1].revision.sha})` : null,
            b_delay_us: ab.bDelayUs,
            aa: ab.aa,
            fail_on_regression_pct: bound,
            layer: { A: r.variants[0].layer, B: r.variants[1].layer },
          },
        },
        variants: (runDir) => r.variants.map((v) => runVariant(r, v, runDir, env)),
        aggregated: (agg, emit) => abRecords(agg, bound).forEach(emit),
        gate: (records) => gateOf(ofType(records, 'ab'), bound),
      },
    );
    term.endProgress();
    const stream = options.out === '-' ? process.stderr : process.stdout;
    const format = options.format === 'markdown' ? 'markdown' : 'table';
    if (options.format !== format) term.warn(`--format ${options.format}: ab prints table or markdown; the results file can be rendered with busbench report --format ${options.format}`);
    stream.write(getFormat(format)!.render(outcome.records, { colour: colourFor(term, stream) }));
    const summary = ofType(outcome.records, 'summary')[0];
    if (bound !== null && summary && summary.exit_code === 0) term.err(`every interval of B against A lies below ${bound}%`);
    // The HTML report beside the results: the A/B table and the run's resources (not A's and B's figures mixed).
    finishRun(term, options, withoutVariantFigures(outcome.records));
    return outcome.exitCode;
  } catch (e) {
    return failure(term, name, e, 'option');
  }
}
