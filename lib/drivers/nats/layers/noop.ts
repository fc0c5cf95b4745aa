/**
 * noop: passes everything through; `delayUs` busy-waits per operation (a known cost to find), like
 * lib/drivers/tmpfs/layers/noop.ts. Like every layer of this driver it is one async frame that
 * awaits the layer below once, so what it measures is the cost of being a layer, and another
 * layer's cost above it is that layer's work.
 */
import { spin } from '../../layers.ts';
import type { Ops } from '../ops.ts';

export function noopLayer(inner: Ops, delayUs: number): Ops {
  return {
    async send(a, to, body) {
      if (delayUs > 0) spin(delayUs);
      await inner.send(a, to, body);
    },
    async receive(a) {
      if (delayUs > 0) spin(delayUs);
      return await inner.receive(a);
    },
  };
}
