import { EXIT, UsageError } from '../core/errors.ts';
import { readRecords } from '../records/reader.ts';
import type { Body, ThresholdRecord } from '../records/schema.ts';
import { SCHEMA_VERSION } from '../records/schema.ts';
import { buildRows } from '../report/rows.ts';
import { getFormat } from '../report/formats.ts';
import { advice } from '../report/advice.ts';
import { evaluateThresholds } from '../verdict/evaluate.ts';
import { parseThresholds } from '../verdict/syntax.ts';
import { failure } from './failure.ts';
import { flagHelp, parseCommandFlags, type FlagSpec } from './flags.ts';
import { colourFor, emit, outTarget } from './output.ts';
import { terminal } from './terminal.ts';

const FLAGS: FlagSpec[] = [
  { name: 'threshold', kind: 'value', repeatable: true, arg: 'EXPR', help: "a check, e.g. 'overhead(full_integration).message_send.p50 < 1%'; repeat for more" },
  { name: 'out', kind: 'value', arg: 'FILE', help: "also write the threshold records as JSONL to FILE ('-' for stdout)" },
  { name: 'format', kind: 'value', arg: 'NAME', help: 'how the verdicts are printed: table (default) or markdown' },
];

/** busbench check FILE --threshold EXPR …: judges a results file; exit 99 when any threshold fails. */
export async function checkMain(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const term = terminal(env);
  try {
    const f = parseCommandFlags(argv, FLAGS, { names: ['FILE'] });
    if (f.help) {
      process.stdout.write(flagHelp('check', 'FILE', 'Judges thresholds against a results file (JSONL); see docs/verdicts.md for the expression grammar.', FLAGS, '0 all passed, 99 a threshold failed, 2 a bad expression, flag or results file.') + '\n');
      return EXIT.ok;
    }
    const texts = f.values.threshold ?? [];
    const { thresholds, problems } = parseThresholds(texts);
    if (texts.length === 0) problems.push("--threshold: give at least one, e.g. --threshold 'integrity.lost == 0'");
    const fmt = f.values.format?.[0] ?? 'table';
    if (fmt !== 'table' && fmt !== 'markdown') problems.push(`--format: "${fmt}" is not available for check; use table or markdown (other exports: busbench report)`);
    if (problems.length > 0) throw new UsageError(problems);
    const out = outTarget(f.values.out?.[0]);
    const records = await readRecords(f.positionals[0]!);

    const results = evaluateThresholds(thresholds, records);
    // The records come from the file, so they name its driver (the reader never returns none).
    const stamped = results.map((r) => ({ schema: SCHEMA_VERSION, timestamp: new Date().toISOString(), driver: records[0]!.driver, ...r }) as ThresholdRecord);
    // Verdicts only: the file's own threshold records (from the run) are not repeated.
    // The table goes to stderr when stdout carries the JSONL (--out -).
    const stream = out === '-' ? process.stderr : process.stdout;
    stream.write(getFormat(fmt)!.render(stamped, { colour: colourFor(term, stream) }));
    if (out !== null) emit(stamped.map((r) => JSON.stringify(r)).join('\n') + '\n', out);
    for (const note of advice({ rows: buildRows(records), records: [], wantedPct: Infinity, thresholds })) term.warn(note);
    const failed = results.filter((r: Body<ThresholdRecord>) => !r.passed).length;
    term.err(failed === 0 ? `all ${results.length} threshold(s) passed` : `${failed} of ${results.length} threshold(s) failed`);
    return failed === 0 ? EXIT.ok : EXIT.thresholds;
  } catch (e) {
    return failure(term, 'check', e);
  }
}
