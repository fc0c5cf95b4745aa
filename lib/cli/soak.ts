import { availableParallelism } from 'node:os';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EXIT } from '../core/errors.ts';
import type { BenchRecord, SoakRecord } from '../records/schema.ts';
import { resolveSoak, soakHelp, SOAK_FLAG_NAMES } from '../soak/flags.ts';
import { runSoak } from '../soak/run.ts';
import { getFormat } from '../report/formats.ts';
import { parseFlags } from '../config/args.ts';
import { failure } from './failure.ts';
import { finishRun } from './finish.ts';
import { interruption } from './overhead.ts';
import { terminal } from './terminal.ts';
import { colourFor } from './output.ts';

export const SOAK = {
  name: 'soak',
  summary:
    'Steady traffic through the chosen configs for --duration on one long-lived bus per config, sampling RSS (harness,\nworkers, their children, a server), tmpfs bytes and files and every lasting file of the bus each --soak-interval;\nfits each one\'s growth over time with a 95 % interval and says per resource whether it grows. Thresholds can gate on it: growth(rss) < 1MB/min.',
};

/** The soak's verdicts in words: every one that grows or shrinks, the stable ones but lasting files (counted). */
export function soakLines(records: readonly BenchRecord[]): string[] {
  const soak = records.filter((r): r is SoakRecord => r.type === 'soak');
  const lines: string[] = [];
  let stableFiles = 0;
  for (const r of soak) {
    if (r.resource === 'file' && r.verdict === 'stable') stableFiles++;
    else lines.push(`${r.verdict === 'grows' ? '✗' : r.verdict === 'stable' ? '✓' : '·'} ${r.text}`);
  }
  if (stableFiles > 0) lines.push(`✓ ${stableFiles} other lasting file${stableFiles === 1 ? '' : 's'} of the bus stable`);
  return lines;
}

/** `busbench soak`. Returns the exit code. */
export async function soakMain(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const term = terminal(env);
  try {
    const flags = parseFlags(argv, SOAK_FLAG_NAMES);
    if (flags.help) {
      process.stdout.write(soakHelp(SOAK.name, SOAK.summary) + '\n');
      return EXIT.ok;
    }
    const { options, soak, warnings } = resolveSoak({ flags, env, cores: availableParallelism() });
    for (const w of warnings) term.warn(w);
    if (options.out !== '-') mkdirSync(dirname(options.out), { recursive: true });
    const outcome = await runSoak(options, soak, { progress: term.progress, warn: term.warn, interrupted: interruption() });
    term.endProgress();
    const stream = options.out === '-' ? process.stderr : process.stdout;
    const thresholds = outcome.records.filter((r) => r.type === 'threshold');
    stream.write(['Soak: growth of each resource over time (least squares, 95 % interval)', ...soakLines(outcome.records).map((l) => `  ${l}`), ''].join('\n'));
    if (thresholds.length > 0) stream.write(getFormat('table')!.render(thresholds, { colour: colourFor(term, stream) }));
    finishRun(term, options, outcome.records);
    return outcome.exitCode;
  } catch (e) {
    return failure(term, SOAK.name, e, 'option');
  }
}
