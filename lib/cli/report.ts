import { EXIT, UsageError } from '../core/errors.ts';
import { readRecords } from '../records/reader.ts';
import { formatNames, getFormat } from '../report/formats.ts';
import { failure } from './failure.ts';
import { flagHelp, parseCommandFlags, type FlagSpec } from './flags.ts';
import { colourFor, emit, outTarget } from './output.ts';
import { terminal } from './terminal.ts';

const FLAGS: FlagSpec[] = [
  { name: 'format', kind: 'value', arg: 'NAME', help: `one of ${formatNames().join(', ')} (default table)` },
  { name: 'out', kind: 'value', arg: 'FILE', help: 'write the export to FILE instead of stdout' },
];

/** busbench report FILE --format NAME: any results file in any export format. */
export async function reportMain(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const term = terminal(env);
  try {
    const f = parseCommandFlags(argv, FLAGS, { names: ['FILE'] });
    if (f.help) {
      process.stdout.write(flagHelp('report', 'FILE', `Renders a results file (JSONL) in one of these formats:\n${formatNames().map((n) => `  ${n.padEnd(11)}${getFormat(n)!.description}`).join('\n')}`, FLAGS, '0 ok, 2 bad flags or a bad results file (nothing is written).') + '\n');
      return EXIT.ok;
    }
    const name = f.values.format?.[0] ?? 'table';
    const format = getFormat(name);
    if (!format) throw new UsageError([`--format: unknown format "${name}"; choose from ${formatNames().join(', ')}`]);
    const out = outTarget(f.values.out?.[0]);
    const records = await readRecords(f.positionals[0]!);
    emit(format.render(records, { colour: out === null && colourFor(term, process.stdout) }), out);
    return EXIT.ok;
  } catch (e) {
    return failure(term, 'report', e);
  }
}
