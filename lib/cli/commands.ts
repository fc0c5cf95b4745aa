import { EXIT } from '../config/errors.ts';
import { QUICK } from '../config/options.ts';
import { overheadMain, OVERHEAD, QUICK_CMD } from './overhead.ts';
import { capacityMain } from './capacity.ts';
import { checkMain } from './check.ts';
import { compareMain } from './compare.ts';
import { reportMain } from './report.ts';
import { runMain, RUN } from './run.ts';
import { soakMain } from './soak.ts';

type Handler = (argv: string[], env: Record<string, string | undefined>) => Promise<number>;

/** Every `busbench` subcommand: name → what it does and how to run it. */
export const COMMANDS: Record<string, { summary: string; run: Handler }> = {
  overhead: { summary: 'bare bus vs each layer vs all layers, at each agent scale (the main job)', run: (a, e) => overheadMain(OVERHEAD, a, e) },
  quick: { summary: 'the overhead benchmark at smoke size', run: (a, e) => overheadMain({ ...QUICK_CMD, preset: QUICK }, a, e) },
  capacity: { summary: 'sweep agent counts, fit a scaling model, predict and check budgets (JSONL + HTML report)', run: (a, e) => capacityMain(a, e) },
  soak: { summary: 'steady traffic for --duration: does RSS, tmpfs use or any file of the bus grow? (fitted with an interval)', run: soakMain },
  check: { summary: 'judge thresholds against a results file (exit 99 when one fails)', run: checkMain },
  compare: { summary: 'compare two results files: change per cell, 95 % interval, verdict', run: compareMain },
  run: { summary: RUN.summary, run: runMain },
  report: { summary: 'render a results file as table, markdown, bmf, prometheus, csv or html', run: reportMain },
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
