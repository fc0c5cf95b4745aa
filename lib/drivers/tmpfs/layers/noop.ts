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
  /** `receiveDelayUs`: the receive's own busy-wait (0 with a send-only cost: busbench ab --b-delay-us). */
  constructor(inner: Bus, private readonly delayUs = 0, private readonly receiveDelayUs = delayUs) {
    super(inner);
  }
  override send(from: string, to: string, payload: unknown): Message {
    this.calls++;
    if (this.delayUs > 0) spin(this.delayUs);
    return this.inner.send(from, to, payload);
  }
  override receive(agent: string): Message | null {
    this.calls++;
    if (this.receiveDelayUs > 0) spin(this.receiveDelayUs);
    return this.inner.receive(agent);
  }
  counters(): Record<string, number> {
    return { calls: this.calls };
  }
}
