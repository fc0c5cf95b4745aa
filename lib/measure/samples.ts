/**
 * A growable Float64Array of durations in nanoseconds. push() is the only thing on the hot path:
 * one bounds check and one store, no allocation until the buffer doubles.
 */
export class Samples {
  private buf: Float64Array;
  private n = 0;
  constructor(capacity = 1024) {
    this.buf = new Float64Array(Math.max(16, capacity));
  }
  push(ns: number): void {
    if (this.n === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = ns;
  }
  get length(): number {
    return this.n;
  }
  /** A right-sized copy (structured-clone friendly, for IPC). */
  values(): Float64Array {
    return this.buf.slice(0, this.n);
  }
}
