import { EXIT } from '../core/errors.ts';

type Handler = (argv: string[], env: Record<string, string | undefined>) => Promise<number>;

/**
 * Every `busbench` subcommand: name → what it does and how to run it. A command's code is loaded
 * only when it runs: `check` on a results file need not load the drivers and the runner.
 */
export const COMMANDS: Record<string, { summary: string; run: Handler }> = {
  overhead: { summary: 'bare bus vs each layer vs all layers, at each agent scale (the main job)', run: async (a, e) => { const m = await import('./overhead.ts'); return m.overheadMain(m.OVERHEAD, a, e); } },
  quick: { summary: 'the overhead benchmark at smoke size', run: async (a, e) => { const m = await import('./overhead.ts'); const { QUICK } = await import('../config/options.ts'); return m.overheadMain({ ...m.QUICK_CMD, preset: QUICK }, a, e); } },
  capacity: { summary: 'sweep agent counts, fit a scaling model, predict and check budgets (JSONL + HTML report)', run: async (a, e) => (await import('./capacity.ts')).capacityMain(a, e) },
  ab: { summary: 'A/B in one run: two variants (options, library revisions) side by side in every cell; change of B vs A, 95 % interval, verdict', run: async (a, e) => (await import('./ab.ts')).abMain(a, e) },
  soak: { summary: 'steady traffic for --duration: does RSS, tmpfs use or any file of the bus grow? (fitted with an interval)', run: async (a, e) => (await import('./soak.ts')).soakMain(a, e) },
  check: { summary: 'judge thresholds against a results file (exit 99 when one fails)', run: async (a, e) => (await import('./check.ts')).checkMain(a, e) },
  compare: { summary: 'compare two results files: change per cell, 95 % interval, verdict', run: async (a, e) => (await import('./compare.ts')).compareMain(a, e) },
  run: { summary: 'run a scenario file (JSON: driver, configs, scales, thresholds and any other option, in steps)', run: async (a, e) => (await import('./run.ts')).runMain(a, e) },
  report: { summary: 'render a results file as table, markdown, bmf, prometheus, csv or html', run: async (a, e) => (await import('./report.ts')).reportMain(a, e) },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length)) + 2;
  return [
    'Usage: busbench <command> [flags]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    '',
    "Run 'busbench <command> --help' for a command's flags.",
  ].join('\n');
}

export async function dispatch(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write(usage() + '\n');
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`busbench: unknown command "${name}"; choose one of ${Object.keys(COMMANDS).join(', ')}\n\n${usage()}\n`);
    return EXIT.usage;
  }
  return cmd.run(rest, env);
}
