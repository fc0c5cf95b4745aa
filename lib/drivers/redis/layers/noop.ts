import type { Body } from '../../contract.ts';
import { spin } from '../../layers.ts';
import type { Delivered, Ops } from '../bus.ts';

/**
 * Passes every operation through; measured like any layer, its interval is the resolution of the
 * run. `delayUs` busy-waits per operation: a known cost the harness must find. Like every layer of
 * this driver it is one async frame that awaits the layer below once, so what it measures is the
 * cost of being a layer, and another layer's cost above it is that layer's work.
 */
export class NoopLayer implements Ops {
  constructor(private readonly inner: Ops, private readonly delayUs: number) {}
  async send(slot: number, to: number, body: Body): Promise<void> {
    if (this.delayUs > 0) spin(this.delayUs);
    await this.inner.send(slot, to, body);
  }
  async receive(slot: number): Promise<Delivered | null> {
    if (this.delayUs > 0) spin(this.delayUs);
    return await this.inner.receive(slot);
  }
}
