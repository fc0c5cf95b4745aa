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
 * busbench ab --b-delay-us: a busy-wait inside the bare bus's send, in both variants. B waits `us`;
 * A waits 0 through the same call, which reads the clock and compares just as B's does, so the
 * variants differ by the wait alone (the call and its clock reads would otherwise add about 0.1 µs
 * to B's cost beyond the wait asked for: docs/ab.md). Not a layer of any config: receives pass through.
 */
export class SendWait extends Layer {
  readonly name = 'send_wait';
  constructor(inner: Bus, private readonly us: number) {
    super(inner);
  }
  override send(from: string, to: string, payload: unknown): Message {
    spin(this.us);
    return this.inner.send(from, to, payload);
  }
  counters(): Record<string, number> {
    return {};
  }
}
