import type { Body } from '../../contract.ts';
import type { Delivered, Ops } from '../bus.ts';

/**
 * Passes every operation through; measured like any layer, its interval is the resolution of the
 * run. `delayUs` busy-waits per operation: a known cost the harness must find.
 */
export class NoopLayer implements Ops {
  constructor(private readonly inner: Ops, private readonly delayUs: number) {}
  send(slot: number, to: number, body: Body): Promise<void> {
    if (this.delayUs > 0) spin(this.delayUs);
    return this.inner.send(slot, to, body);
  }
  receive(slot: number): Promise<Delivered | null> {
    if (this.delayUs > 0) spin(this.delayUs);
    return this.inner.receive(slot);
  }
}

function spin(us: number): void {
  const end = process.hrtime.bigint() + BigInt(Math.round(us * 1000));
  while (process.hrtime.bigint() < end);
}
