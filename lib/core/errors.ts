/**
 * Exit codes, in one place (k6's 99 for failed thresholds). `disturbed`: the run finished with
 * --fault injected as asked; its losses are the faults' (docs/faults.md).
 */
export const EXIT = Object.freeze({ ok: 0, runtime: 1, usage: 2, disturbed: 3, aborted: 130, thresholds: 99, /** busbench ab --fail-on-regression: neither a regression nor its absence shown. */ inconclusive: 98 });

/** Bad flags, env or config: every problem at once, each naming the flag and the fix. Exit 2. */
export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n  - ${problems.join('\n  - ')}`);
    this.name = 'UsageError';
  }
}

/** Maps any thrown value to a process exit code. The only place that does. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (typeof err === 'object' && err !== null && 'exitCode' in err && typeof err.exitCode === 'number') return err.exitCode;
  return EXIT.runtime;
}
