import type { Bus, Message } from '../types.ts';
import { Layer } from './wrapper.ts';
import { Rejected } from '../../contract.ts';

/** A send refused by backpressure: what the harness counts as rejected (never written, so not sent). */
export class BackpressureError extends Rejected {
  constructor(readonly to: string, readonly depth: number, readonly attempts: number) {
    super(`inbox of ${to} stayed full (${depth} messages) after ${attempts} attempts: send rejected`);
    this.name = 'BackpressureError';
  }
}

export interface RateLimitOptions {
  /** Inbox depth at which a sender must wait. */
  capacity: number;
  /** First wait in ms; doubled on every retry. */
  backoffMs: number;
  /** Retries after the first check before the send is rejected. */
  maxRetries: number;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * rate_limiting: before every send, checks the recipient's inbox depth (one listing of it). While
 * the inbox holds `capacity` messages or more the sender backs off (backoffMs, doubling) and checks
 * again; after `maxRetries` it rejects the send with BackpressureError. Nothing is written then.
 */
export class RateLimitLayer extends Layer {
  readonly name = 'rate_limiting';
  private checks = 0;
  private waits = 0;
  private rejected = 0;
  constructor(inner: Bus, private readonly opts: RateLimitOptions) {
    super(inner);
  }
  override send(from: string, to: string, payload: unknown): Message {
    let wait = this.opts.backoffMs;
    for (let attempt = 0; ; attempt++) {
      this.checks++;
      const depth = this.inner.depth(to);
      if (depth < this.opts.capacity) return this.inner.send(from, to, payload);
      if (attempt >= this.opts.maxRetries) {
        this.rejected++;
        throw new BackpressureError(to, depth, attempt + 1);
      }
      this.waits++;
      if (wait > 0) Atomics.wait(sleeper, 0, 0, wait);
      wait *= 2;
    }
  }
  counters(): Record<string, number> {
    return { checks: this.checks, waits: this.waits, rejected: this.rejected };
  }
}
