import { UsageError, exitCodeFor } from '../core/errors.ts';
import type { Terminal } from './terminal.ts';

/**
 * Prints an error the way every command does and returns its exit code. `what` names the kind of
 * bad input: "option" for the benchmarks' flags, "input" for files and expressions.
 */
export function failure(term: Terminal, command: string, e: unknown, what: 'option' | 'input' = 'input'): number {
  term.endProgress();
  if (e instanceof UsageError) {
    term.err(`busbench ${command}: ${e.problems.length === 1 ? `bad ${what}` : `${e.problems.length} bad ${what}s`}:`);
    for (const p of e.problems) term.err(`  ${p}`);
    term.err(`Run 'busbench ${command} --help' for the flags.`);
  } else term.err(`busbench ${command}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return exitCodeFor(e);
}
