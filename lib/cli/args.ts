import { parseArgv } from 'zx';
import { SPECS } from '../config/options.ts';

const VALUE_FLAGS = SPECS.filter((s) => s.kind === 'value').map((s) => s.flag.slice(2));
const BOOLEAN_FLAGS = [...SPECS.filter((s) => s.kind === 'boolean').map((s) => s.flag.slice(2)), 'help'];

/**
 * argv → flags object (zx's minimist). Value flags stay strings, so validation sees what was typed.
 * Two fixes on top of minimist: a value that looks like a negative number (`--scales -1`) stays
 * the flag's value instead of becoming flags of its own, and booleans that were not given are left
 * out (minimist would set them false, hiding the environment's value). `extraValueFlags`: a
 * command's own value flags (names without dashes), kept as strings too; `extraBooleanFlags` its own switches.
 */
export function parseFlags(argv: string[], extraValueFlags: readonly string[] = [], extraBooleanFlags: readonly string[] = []): Record<string, unknown> {
  const valueFlags = [...VALUE_FLAGS, ...extraValueFlags];
  const booleanFlags = [...BOOLEAN_FLAGS, ...extraBooleanFlags];
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith('--') && !a.includes('=') && valueFlags.includes(a.slice(2)) && next !== undefined && /^-\d/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  const flags = parseArgv(args, { string: [...valueFlags], boolean: [...booleanFlags], alias: { h: 'help' } }) as Record<string, unknown>;
  const given = (name: string) => args.some((a) => a === `--${name}` || a === `--no-${name}` || a.startsWith(`--${name}=`) || (name === 'help' && a === '-h'));
  for (const b of booleanFlags) if (!given(b)) delete flags[b];
  if (!given('help')) delete flags.h;
  return flags;
}
