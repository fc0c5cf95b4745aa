import { parseArgv } from 'zx';
import { SPECS } from '../config/options.ts';

/**
 * argv → flags object (zx's minimist): value flags stay strings, so validation sees what was typed.
 * `extraValueFlags`: a command's own value flags (names without dashes), kept as strings too.
 */
export function parseFlags(argv: string[], extraValueFlags: readonly string[] = []): Record<string, unknown> {
  return parseArgv(argv, {
    string: [...SPECS.filter((s) => s.kind === 'value').map((s) => s.flag.slice(2)), ...extraValueFlags],
    boolean: [...SPECS.filter((s) => s.kind === 'boolean').map((s) => s.flag.slice(2)), 'help'],
    alias: { h: 'help' },
    // Booleans absent from argv must stay absent, so env can still set them.
    default: {},
  }) as Record<string, unknown>;
}
