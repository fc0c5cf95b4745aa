import { EXIT } from '../core/errors.ts';

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
  /** --fault: faults injected, and cells (counted in cellsFailed) that a fault killed a worker of. */
  faults?: number;
  cellsFaulted?: number;
}

/**
 * A broken run: its figures cannot be trusted whatever the thresholds say. With faults injected,
 * losses, failed calls and cells whose worker a fault killed are what was asked for; a cell
 * failing otherwise still breaks the run.
 */
function broken(t: Tally): boolean {
  if (disturbed(t)) return t.failure !== undefined || t.cellsFailed > (t.cellsFaulted ?? 0);
  return t.failure !== undefined || t.cellsFailed > 0 || t.lost > 0 || t.duplicated > 0 || t.failedCalls > 0;
}

const disturbed = (t: Tally) => (t.faults ?? 0) > 0;

/** 0 ok; the signal's code when interrupted; 1 broken; 99 a threshold failed; 3 disturbed by --fault. */
export function exitCodeOf(t: Tally): number {
  if (t.aborted !== null) return t.aborted;
  if (broken(t)) return EXIT.runtime;
  if (t.thresholdsFailed > 0) return EXIT.thresholds;
  return disturbed(t) ? EXIT.disturbed : EXIT.ok;
}

export function reasonOf(t: Tally): string | undefined {
  if (t.aborted !== null) return 'interrupted by signal';
  if (t.failure !== undefined) return t.failure;
  if (disturbed(t) && t.cellsFailed <= (t.cellsFaulted ?? 0) && t.thresholdsFailed === 0) {
    return `disturbed: ${t.faults} fault(s) injected (--fault); lost ${t.lost}, duplicated ${t.duplicated}${t.cellsFaulted ? `, ${t.cellsFaulted} cell(s) lost with a killed worker` : ''}`;
  }
  if (t.cellsFailed > (t.cellsFaulted ?? 0)) return `${t.cellsFailed - (t.cellsFaulted ?? 0)} cell(s) failed`;
  if (t.lost + t.duplicated > 0) return 'messages lost or duplicated';
  if (t.failedCalls > 0) return `${t.failedCalls} library call(s) failed`;
  if (t.thresholdsFailed > 0) return `${t.thresholdsFailed} threshold(s) failed`;
  return undefined;
}
