/**
 * rate_limiting: before each send, read the recipient's inbox depth from the server (its
 * consumer's info: messages not yet delivered + delivered but not yet acked). While it holds
 * `capacity` or more, back off (backoffMs, doubling) and check again; after `maxRetries` retries
 * reject the send (Rejected): nothing is published. Like lib/layers/rate-limiting.ts, with the
 * inbox listing replaced by one JetStream API request.
 * The wait is a timer, not a blocking sleep: other agents of this worker share the event loop.
 */
import { Rejected } from '../../contract.ts';
import type { Ops } from '../ops.ts';

export interface RateLimitOptions {
  capacity: number;
  backoffMs: number;
  maxRetries: number;
}

export function rateLimitLayer(inner: Ops, opts: RateLimitOptions, stream: string, ids: readonly string[]): Ops {
  return {
    async send(a, to, body) {
      const recipient = ids[to] ?? String(to);
      let wait = opts.backoffMs;
      for (let attempt = 0; ; attempt++) {
        const info = await a.jsm.consumers.info(stream, recipient);
        const depth = info.num_pending + info.num_ack_pending;
        if (depth < opts.capacity) return inner.send(a, to, body);
        if (attempt >= opts.maxRetries) throw new Rejected(`inbox of ${recipient} stayed full (${depth} messages) after ${attempt + 1} checks: send rejected`);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        wait *= 2;
      }
    },
    receive: (a) => inner.receive(a),
  };
}
