import { UsageError } from '../core/errors.ts';
import { parseArgs } from '../config/args.ts';

/** A flag of the file-reading commands (check, compare, report). */
export interface FlagSpec {
  name: string;
  kind: 'value' | 'boolean';
  repeatable?: boolean;
  arg?: string;
  help: string;
}

export interface Parsed {
  values: Record<string, string[]>;
  booleans: Set<string>;
  positionals: string[];
  help: boolean;
}

/**
 * argv → flags for a command with a small flag table. Unknown flags, missing values, repeats of a
 * single-valued flag and a wrong number of files are all reported at once (UsageError, exit 2).
 */
export function parseCommandFlags(argv: string[], specs: readonly FlagSpec[], files: { names: string[] }): Parsed {
  const raw = parseArgs(argv, { values: specs.filter((s) => s.kind === 'value').map((s) => s.name), booleans: specs.filter((s) => s.kind === 'boolean').map((s) => s.name) });
  const problems: string[] = [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: Record<string, string[]> = {};
  const booleans = new Set<string>();
  for (const [name, v] of Object.entries(raw)) {
    if (name === '_' || name === 'help' || name === 'h' || name === '--') continue;
    const spec = byName.get(name);
    if (!spec) {
      problems.push(`--${name}: unknown flag; see --help for the flags there are`);
      continue;
    }
    if (spec.kind === 'boolean') {
      if (v === true) booleans.add(name);
      continue;
    }
    const list = (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : ''));
    if (list.length > 1 && !spec.repeatable) problems.push(`--${name}: given ${list.length} times; give it once`);
    if (list.some((x) => x === '')) problems.push(`--${name}: needs a value, e.g. --${name} ${spec.arg ?? 'VALUE'}`);
    values[name] = list;
  }
  const positionals = ((raw['_'] as unknown[] | undefined) ?? []).map(String);
  const help = raw.help === true;
  if (!help) {
    if (positionals.length < files.names.length) problems.push(`missing ${files.names.slice(positionals.length).join(' and ')}: give ${files.names.join(' ')}`);
    if (positionals.length > files.names.length) problems.push(`unexpected argument "${positionals[files.names.length]}"; give ${files.names.join(' ')} then flags`);
  }
  if (problems.length > 0) throw new UsageError(problems);
  return { values, booleans, positionals, help };
}

export function flagHelp(command: string, files: string, summary: string, specs: readonly FlagSpec[], exits: string): string {
  const lines = [`Usage: busbench ${command} ${files} [flags]`, '', summary, '', 'Flags:'];
  for (const s of specs) lines.push(`  ${`--${s.name}${s.arg ? ` ${s.arg}` : ''}`.padEnd(30)}${s.help}`);
  lines.push(`  ${'-h, --help'.padEnd(30)}show this help`, '', `Exit codes: ${exits}`);
  return lines.join('\n');
}
