import { EXIT, UsageError } from '../core/errors.ts';
import { parsePct, Problem } from '../core/parse.ts';
import { readRecords } from '../records/reader.ts';
import type { BenchRecord, RunRecord } from '../records/schema.ts';
import { renderCompareMarkdown, renderCompareTable } from '../report/compare.ts';
import { compareRuns, NOISE_FACTOR, regressions } from '../verdict/compare.ts';
import { differences } from '../verdict/fingerprint.ts';
import { failure } from './failure.ts';
import { flagHelp, parseCommandFlags, type FlagSpec } from './flags.ts';
import { colourFor, emit, outTarget } from './output.ts';
import { terminal, type Terminal } from './terminal.ts';

const FLAGS: FlagSpec[] = [
  { name: 'fail-on-regression', kind: 'value', arg: 'PCT', help: 'exit 99 when a cell is significantly slower by more than PCT, e.g. 5%' },
  { name: 'noise-factor', kind: 'value', arg: 'N', help: `widen every interval N times for the noise between two invocations that the runs of one file do not show (default ${NOISE_FACTOR}, from the A/A check in docs/measurements/2026-11-23-verdicts.md; measure your runner's with scripts/aa.ts; 1: the runs' spread alone)` },
  { name: 'layers-only', kind: 'boolean', help: 'judge only layers relative to the bare bus of their own run (robust to machine drift; leaves the baseline out)' },
  { name: 'format', kind: 'value', arg: 'NAME', help: 'table (default) or markdown' },
  { name: 'out', kind: 'value', arg: 'FILE', help: 'write the comparison to FILE instead of stdout' },
];


function fingerprintWarnings(term: Terminal, a: RunRecord | undefined, b: RunRecord | undefined): void {
  if (!a || !b) {
    term.warn(`${!a ? 'OLD' : 'NEW'} has no run record: its environment cannot be checked against the other's`);
    return;
  }
  const d = differences(a, b);
  if (d.machine.length > 0) {
    const bar = '!'.repeat(72);
    term.err(bar);
    term.warn('THE TWO RUNS COME FROM DIFFERENT ENVIRONMENTS: a difference below may be the machine, not the code.');
    for (const x of d.machine) term.err(`  ${x.field}: ${JSON.stringify(x.old)} → ${JSON.stringify(x.new)}`);
    term.err('  Compare runs made on the same machine, kernel, Node and tmpfs (keep the baseline file per runner).');
    term.err(bar);
  }
  if (d.settings.length > 0) term.warn(`the runs used different settings (${d.settings.map((x) => `${x.field} ${JSON.stringify(x.old)} → ${JSON.stringify(x.new)}`).join(', ')}): figures may differ for that reason alone`);
  if (d.build.length > 0) term.err(`builds: ${d.build.map((x) => `${x.field} ${String(x.old ?? 'unknown')} → ${String(x.new ?? 'unknown')}`).join(', ')}`);
}

const runOf = (r: readonly BenchRecord[]) => r.find((x): x is RunRecord => x.type === 'run');

/** busbench compare OLD NEW: per cell, the change and whether it is real. */
export async function compareMain(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const term = terminal(env);
  try {
    const f = parseCommandFlags(argv, FLAGS, { names: ['OLD', 'NEW'] });
    if (f.help) {
      process.stdout.write(
        flagHelp('compare', 'OLD NEW', 'Compares two results files cell by cell (config × agents × operation): old and new p50/p95, the change with a\n95 % simultaneous interval (Welch t-test on log per-run medians; a layer relative to the bare bus of its own run;\nBonferroni over the cells), and a verdict: slower, faster or no significant change.', FLAGS, '0 ok, 99 a significant slowdown beyond --fail-on-regression, 2 bad flags or files, or nothing in common.') + '\n',
      );
      return EXIT.ok;
    }
    const problems: string[] = [];
    let bound: number | null = null;
    const rawBound = f.values['fail-on-regression']?.[0];
    if (rawBound !== undefined) {
      try {
        bound = parsePct(rawBound, '--fail-on-regression');
      } catch (e) {
        if (e instanceof Problem) problems.push(e.message);
        else throw e;
      }
    }
    let factor: number | undefined;
    const rawFactor = f.values['noise-factor']?.[0];
    if (rawFactor !== undefined) {
      factor = Number(rawFactor.trim());
      if (!/^\d+(\.\d+)?$/.test(rawFactor.trim()) || factor < 1) problems.push(`--noise-factor: "${rawFactor}" is not a number of at least 1; use e.g. --noise-factor 2`);
    }
    const fmt = f.values.format?.[0] ?? 'table';
    if (fmt !== 'table' && fmt !== 'markdown') problems.push(`--format: "${fmt}" is not available for compare; use table or markdown`);
    if (problems.length > 0) throw new UsageError(problems);
    const out = outTarget(f.values.out?.[0]);
    const oldRecords = await readRecords(f.positionals[0]!);
    const newRecords = await readRecords(f.positionals[1]!);

    const methods = (r: readonly BenchRecord[]) => [...new Set(r.flatMap((x) => (x.type === 'overhead' ? [x.method] : [])))].sort().join(', ');
    if (methods(oldRecords) !== '' && methods(newRecords) !== '' && methods(oldRecords) !== methods(newRecords))
      term.warn(`the overheads were computed differently (${methods(oldRecords)} → ${methods(newRecords)}, see docs/method.md, Statistics): a layer's change includes the change of method`);
    const c = compareRuns(oldRecords, newRecords, { layersOnly: f.booleans.has('layers-only'), ...(factor !== undefined ? { noiseFactor: factor } : {}) });
    if (c.cells.length === 0 && f.booleans.has('layers-only'))
      throw new UsageError([`--layers-only: no layer cell can be compared (a layer is judged against the bare bus of its own run, which needs a baseline and 2 or more runs in both files); drop --layers-only or compare runs made with --runs 2 or more`]);
    if (c.cells.length === 0) throw new UsageError([`${f.positionals[0]} and ${f.positionals[1]} have no config, agent count and operation in common: nothing to compare (were both made by busbench overhead with overlapping --scales and --layers?)`]);
    // A gate on data that could not be tested fails, like a threshold with nothing to judge.
    if (bound !== null && c.tested === 0) throw new UsageError(['--fail-on-regression: no cell had 2 or more runs in both files, so nothing could be tested; compare runs made with --runs 5 or more']);
    fingerprintWarnings(term, runOf(oldRecords), runOf(newRecords));
    emit(fmt === 'markdown' ? renderCompareMarkdown(c) : renderCompareTable(c, out === null && colourFor(term, process.stdout)), out);
    if (c.tested === 0) term.warn('no cell had 2 or more runs in both files, so nothing could be tested: use --runs 5 or more');
    if (bound !== null) {
      const bad = regressions(c, bound);
      if (bad.length > 0) {
        term.err(`regression beyond ${bound}%: ${bad.map((x) => `${x.config} @ ${x.agents} ${x.operation} ${x.change_pct! >= 0 ? '+' : ''}${x.change_pct!.toFixed(1)}%`).join(', ')}`);
        return EXIT.thresholds;
      }
      term.err(`no significant slowdown beyond ${bound}%`);
    }
    return EXIT.ok;
  } catch (e) {
    return failure(term, 'compare', e);
  }
}
