import minimist from 'minimist';
import { SPECS } from './options.ts';

const VALUE_FLAGS = SPECS.filter((s) => s.kind === 'value').map((s) => s.flag.slice(2));
const BOOLEAN_FLAGS = SPECS.filter((s) => s.kind === 'boolean').map((s) => s.flag.slice(2));

/**
 * The one argv parser of every command: minimist (what zx's parseArgv runs; imported on its own,
 * because loading zx costs every command's start about 0.3 s of CPU). Value flags stay strings, so
 * validation sees what was typed. Two fixes on top of minimist: a value that looks like a negative
 * number (`--scales -1`) stays the flag's value instead of becoming flags of its own, and booleans
 * that were not given are left out (minimist would set them false, hiding the environment's
 * value). `-h` is `--help`. Names are without dashes; positionals are under `_`.
 */
export function parseArgs(argv: readonly string[], names: { values: readonly string[]; booleans: readonly string[] }): Record<string, unknown> {
  const booleans = [...names.booleans, 'help'];
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith('--') && !a.includes('=') && names.values.includes(a.slice(2)) && next !== undefined && /^-\d/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  const flags = minimist(args, { string: [...names.values], boolean: booleans, alias: { h: 'help' } }) as Record<string, unknown>;
  const given = (name: string) => args.some((a) => a === `--${name}` || a === `--no-${name}` || a.startsWith(`--${name}=`) || (name === 'help' && a === '-h'));
  for (const b of booleans) if (!given(b)) delete flags[b];
  if (!given('help')) delete flags.h;
  return flags;
}

/**
 * argv → flags of a benchmark command: the option table's flags (lib/config/options.ts), plus a
 * command's own value flags and switches (names without dashes).
 */
export function parseFlags(argv: string[], extraValueFlags: readonly string[] = [], extraBooleanFlags: readonly string[] = []): Record<string, unknown> {
  return parseArgs(argv, { values: [...VALUE_FLAGS, ...extraValueFlags], booleans: [...BOOLEAN_FLAGS, ...extraBooleanFlags] });
}
