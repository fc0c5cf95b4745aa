/**
 * What the drivers' layers share, whatever their bus (tmpfs, nats, redis): the noop layer's
 * busy-wait, the rate limiting layer's check-and-back-off loop and the shutdown layer's refusal.
 */

/** Busy-waits `us` microseconds on the thread (the noop layer's known cost, for the harness to find). */
export function spin(us: number): void {
  const end = process.hrtime.bigint() + BigInt(Math.round(us * 1000));
  while (process.hrtime.bigint() < end);
}

export interface BackoffOptions {
  /** Inbox depth at which a sender must wait. */
  capacity: number;
  /** First wait in ms; doubled on every retry. */
  backoffMs: number;
  /** Retries after the first check before the send is rejected. */
  maxRetries: number;
}

/**
 * rate_limiting's loop: check the recipient's depth (`depthOf(ctx, to)`); below `capacity` the send
 * may go (returns the number of checks made); else wait backoffMs (doubling) and check again; after
 * `maxRetries` retries throw `rejected(to, depth, checks)`: nothing is sent. `sleep` blocks the
 * thread (a sync bus: tmpfs). The functions are the layer's, made once: nothing is allocated per send.
 */
export function backoffSync<C, T>(o: BackoffOptions, ctx: C, to: T, depthOf: (ctx: C, to: T) => number, sleep: (ms: number) => void, rejected: (to: T, depth: number, checks: number) => Error): number {
  let wait = o.backoffMs;
  for (let attempt = 0; ; attempt++) {
    const depth = depthOf(ctx, to);
    if (depth < o.capacity) return attempt + 1;
    if (attempt >= o.maxRetries) throw rejected(to, depth, attempt + 1);
    if (wait > 0) sleep(wait);
    wait *= 2;
  }
}

/** backoffSync for an async bus: the depth is a request, the wait a timer (the worker's other agents go on meanwhile). */
export async function backoffAsync<C, T>(o: BackoffOptions, ctx: C, to: T, depthOf: (ctx: C, to: T) => Promise<number>, rejected: (to: T, depth: number, checks: number) => Error): Promise<number> {
  let wait = o.backoffMs;
  for (let attempt = 0; ; attempt++) {
    const depth = await depthOf(ctx, to);
    if (depth < o.capacity) return attempt + 1;
    if (attempt >= o.maxRetries) throw rejected(to, depth, attempt + 1);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    wait *= 2;
  }
}

/** A send refused because the coordinated shutdown was requested (receives go on). */
export class ShuttingDown extends Error {
  constructor(agent: string) {
    super(`bus is shutting down: send from ${agent} refused`);
    this.name = 'ShuttingDown';
  }
}
