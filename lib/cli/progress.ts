/**
 * Progress of a matrix: cells done, elapsed, and an ETA. The ETA is the mean time of the cells
 * done so far (from the first cell's start, so startup and calibration are not counted) times the
 * cells left; cells of every scale are shuffled within each statistical run, so that mean is a
 * fair one for the rest. None before the first cell is done.
 */
export interface ProgressState {
  done: number;
  total: number;
  label: string;
}

export class Eta {
  private t0: number | null = null;
  private lastTotal = -1;
  constructor(private readonly now: () => number) {}

  /** Called with every progress update; a new total (another driver's matrix) starts afresh. */
  update(s: ProgressState): void {
    if (this.t0 === null || s.total !== this.lastTotal || s.done === 0) this.t0 = this.now();
    this.lastTotal = s.total;
  }

  /** ms left, or null when it cannot be told yet (no cell done) or nothing is left. */
  left(s: ProgressState): number | null {
    if (this.t0 === null || s.done === 0 || s.done >= s.total) return null;
    return ((this.now() - this.t0) / s.done) * (s.total - s.done);
  }
}

/** 45 s, 3m 05s, 1h 02m. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
