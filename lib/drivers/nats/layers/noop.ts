import type { Ops } from '../ops.ts';

/** Passes everything through; `delayUs` busy-waits per operation, like lib/layers/noop.ts (a known cost to find). */
export function noopLayer(inner: Ops, delayUs: number): Ops {
  return {
    send(a, to, body) {
      if (delayUs > 0) spin(delayUs);
      return inner.send(a, to, body);
    },
    receive(a) {
      if (delayUs > 0) spin(delayUs);
      return inner.receive(a);
    },
  };
}

function spin(us: number): void {
  const end = process.hrtime.bigint() + BigInt(Math.round(us * 1000));
  while (process.hrtime.bigint() < end);
}
