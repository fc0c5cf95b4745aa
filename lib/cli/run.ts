import { EXIT, UsageError } from '../core/errors.ts';
import { STEP_COMMANDS } from './scenario/commands.ts';
import { readScenario } from './scenario/load.ts';
import { planScenario, shellLine } from './scenario/plan.ts';
import { parseFlags } from '../config/args.ts';
import { failure } from './failure.ts';
import { terminal } from './terminal.ts';

export const RUN = {
  name: 'run',
  summary: 'run a scenario file (JSON: driver, configs, scales, thresholds and any other option, in steps)',
};

const HELP = `Usage: busbench run FILE [flags] [--dry-run]

Runs the scenario in FILE: a JSON object whose keys are the options of the command it runs (the
flags without their dashes: "scales", "layers" or "configs", "driver", "payload-bytes",
"threshold"…), optionally in "steps" run in order (e.g. overhead, then capacity). Flags given
here override the file's values in every step that takes them. See docs/scenarios.md; scenarios/
holds ready ones.

Flags:
  --dry-run                   check the file and print each step as the command line it runs; run nothing
  any flag of the step's command (busbench overhead --help, busbench capacity --help, …)
  -h, --help                  show this help

Exit codes: those of the steps' commands (the first step's that is not 0); 2 a bad file or flag,
before anything runs.`;

/** `busbench run FILE`: every step validated first, then run one after the other. */
export async function runMain(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const term = terminal(env);
  try {
    // --dry-run is this command's own switch; the rest are the steps' flags.
    const dry = argv.includes('--dry-run');
    const rest = argv.filter((a) => a !== '--dry-run');
    const own = [...new Set(Object.values(STEP_COMMANDS).flatMap((c) => c.keys().filter((k) => k.kind === 'value').map((k) => k.name)))];
    const flags = parseFlags(rest, own);
    if (flags.help) {
      process.stdout.write(HELP + '\n');
      return EXIT.ok;
    }
    const positionals = ((flags._ as unknown[] | undefined) ?? []).map(String);
    if (positionals.length === 0) throw new UsageError(['missing FILE: give a scenario file, e.g. busbench run scenarios/overhead.json']);
    if (positionals.length > 1) throw new UsageError([`unexpected argument "${positionals[1]}"; give one scenario FILE, then flags`]);
    const scenario = readScenario(positionals[0]!);
    const steps = planScenario(scenario, flags, env);
    for (const s of steps) for (const w of s.warnings) term.warn(w);
    if (dry) {
      const lines = [`${scenario.file}: ${steps.length} step${steps.length === 1 ? '' : 's'}, valid${scenario.description ? ` (${scenario.description})` : ''}`];
      steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s.name}: busbench ${s.command} ${shellLine(s.argv)}`));
      process.stdout.write(lines.join('\n') + '\n');
      return EXIT.ok;
    }
    let code: number = EXIT.ok;
    for (const [i, s] of steps.entries()) {
      term.err(`scenario ${scenario.name}: step ${i + 1}/${steps.length} ${s.name} (busbench ${s.command})`);
      const c = await STEP_COMMANDS[s.command]!.main(s.argv, env);
      if (code === EXIT.ok) code = c;
      // Interrupted, or a problem only found when it started (a missing server): the rest is not run.
      if (c === EXIT.aborted || c === 143 || c === EXIT.usage) break;
    }
    return code;
  } catch (e) {
    return failure(term, RUN.name, e);
  }
}
