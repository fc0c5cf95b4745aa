import { EXIT } from '../config/errors.ts';

/** What happened in a run, counted as it goes; the exit code and the summary's reason follow from it alone. */
export interface Tally {
  cellsOk: number;
  cellsFailed: number;
  lost: number;
  duplicated: number;
  failedCalls: number;
  thresholdsFailed: number;
  /** The exit code asked for by a signal (130 SIGINT, 143 SIGTERM). */
  aborted: number | null;
  /** The run itself broke (a worker pool that would not start, an output that failed). */
  failure?: string;
}

/** A broken run: its figures cannot be trusted whatever the thresholds say. */
function broken(t: Tally): boolean {
  return t.failure !== undefined || t.cellsFailed > 0 || t.lost > 0 || t.duplicated > 0 || t.failedCalls > 0;
}

/** 0 ok; the signal's code when interrupted; 1 broken; 99 a threshold failed. */
export function exitCodeOf(t: Tally): number {
  if (t.aborted !== null) return t.aborted;
  if (broken(t)) return EXIT.runtime;
  return t.thresholdsFailed > 0 ? EXIT.thresholds : EXIT.ok;
}

export function reasonOf(t: Tally): string | undefined {
  if (t.aborted !== null) return 'interrupted by signal';
  if (t.failure !== undefined) return t.failure;
  if (t.cellsFailed > 0) return `${t.cellsFailed} cell(s) failed`;
  if (t.lost + t.duplicated > 0) return 'messages lost or duplicated';
  if (t.failedCalls > 0) return `${t.failedCalls} library call(s) failed`;
  if (t.thresholdsFailed > 0) return `${t.thresholdsFailed} threshold(s) failed`;
  return undefined;
}
