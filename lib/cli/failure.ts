import { UsageError, exitCodeFor } from '../config/errors.ts';
import type { Terminal } from './terminal.ts';

/** Prints an error the way every command does and returns its exit code. */
export function failure(term: Terminal, command: string, e: unknown): number {
  term.endProgress();
  if (e instanceof UsageError) {
    term.err(`busbench ${command}: ${e.problems.length === 1 ? 'bad input' : `${e.problems.length} problems`}:`);
    for (const p of e.problems) term.err(`  ${p}`);
    term.err(`Run 'busbench ${command} --help' for the flags.`);
  } else term.err(`busbench ${command}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return exitCodeFor(e);
}
