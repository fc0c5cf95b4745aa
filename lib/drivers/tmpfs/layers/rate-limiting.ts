import type { Bus, Message } from '../types.ts';
import { Layer } from './wrapper.ts';
import { Rejected } from '../../contract.ts';
import { backoffSync, type BackoffOptions } from '../../layers.ts';

/** A send refused by backpressure: what the harness counts as rejected (never written, so not sent). */
export class BackpressureError extends Rejected {
  constructor(readonly to: string, readonly depth: number, readonly attempts: number) {
    super(`inbox of ${to} stayed full (${depth} messages) after ${attempts} attempts: send rejected`);
    this.name = 'BackpressureError';
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => void Atomics.wait(sleeper, 0, 0, ms);
const depthOf = (bus: Bus, to: string) => bus.depth(to);

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
  constructor(inner: Bus, private readonly opts: BackoffOptions) {
    super(inner);
  }
  override send(from: string, to: string, payload: unknown): Message {
    const checks = backoffSync(this.opts, this.inner, to, depthOf, sleep, this.refuse);
    this.checks += checks;
    this.waits += checks - 1;
    return this.inner.send(from, to, payload);
  }
  private readonly refuse = (to: string, depth: number, checks: number): Error => {
    this.checks += checks;
    this.waits += checks - 1;
    this.rejected++;
    return new BackpressureError(to, depth, checks);
  };
  counters(): Record<string, number> {
    return { checks: this.checks, waits: this.waits, rejected: this.rejected };
  }
}
