import type { Bus, Message } from '../types.ts';
import { spin } from '../../layers.ts';
import { Layer } from './wrapper.ts';

/**
 * Passes every operation through. Measured like any layer, its overhead interval is the
 * resolution of the run. `delayUs` busy-waits per operation: a known cost the harness must find.
 */
export class NoopLayer extends Layer {
  readonly name = 'noop';
  private calls = 0;
  constructor(inner: Bus, private readonly delayUs = 0) {
    super(inner);
  }
  override send(from: string, to: string, payload: unknown): Message {
    this.calls++;
    if (this.delayUs > 0) spin(this.delayUs);
    return this.inner.send(from, to, payload);
  }
  override receive(agent: string): Message | null {
    this.calls++;
    if (this.delayUs > 0) spin(this.delayUs);
    return this.inner.receive(agent);
  }
  counters(): Record<string, number> {
    return { calls: this.calls };
  }
}

/**
 * `busbench ab --b-delay-us`: the base of both variants' send busy-wait (B's extra is added to it),
 * drawn afresh per call, uniformly from `[from, from + spread)` µs. A wait ends at the first clock read
 * past its end, so against a wait of 0 (which ends at its first read) B's extra came out short
 * (0.43 of 0.45 µs timed alone); after a base spread over many turns of the loop both waits end
 * the same way on average and differ by the extra alone. docs/ab.md has the measurements.
 */
export const SEND_WAIT_BASE_US = { from: 0.25, spread: 0.5 } as const;

/**
 * busbench ab --b-delay-us: a busy-wait inside the bare bus's send, after its work, in both
 * variants: A waits a random base (SEND_WAIT_BASE_US), B the same plus `us`, through the same code,
 * so the variants differ by the extra wait alone. After the work, as in the shell driver, where a
 * wall-clock wait at the start of a send came out about 3 µs short whatever its size (here, before
 * the work, it measured on target too: docs/ab.md). Not a layer of any config: receives pass through.
 */
export class SendWait extends Layer {
  readonly name = 'send_wait';
  /** The shortest wait: the base's lower bound plus this variant's extra. */
  private readonly leastUs: number;
  constructor(inner: Bus, us: number) {
    super(inner);
    this.leastUs = SEND_WAIT_BASE_US.from + us;
  }
  override send(from: string, to: string, payload: unknown): Message {
    const sent = this.inner.send(from, to, payload);
    spin(this.leastUs + Math.random() * SEND_WAIT_BASE_US.spread);
    return sent;
  }
  counters(): Record<string, number> {
    return {};
  }
}
