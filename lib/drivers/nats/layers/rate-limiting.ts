/**
 * rate_limiting: before each send, read the recipient's inbox depth from the server (its
 * consumer's info: messages not yet delivered + delivered but not yet acked). While it holds
 * `capacity` or more, back off (backoffMs, doubling) and check again; after `maxRetries` retries
 * reject the send (Rejected): nothing is published. The loop is lib/drivers/layers.ts's, shared
 * with tmpfs and redis; here the inbox listing is one JetStream API request, and the wait is a
 * timer, not a blocking sleep: other agents of this worker share the event loop.
 */
import { Rejected } from '../../contract.ts';
import { backoffAsync, type BackoffOptions } from '../../layers.ts';
import type { Agent } from '../agent.ts';
import type { Ops } from '../ops.ts';
import { steady } from '../steady.ts';

export function rateLimitLayer(inner: Ops, opts: BackoffOptions, stream: string, ids: readonly string[]): Ops {
  const depthOf = async (a: Agent, to: number) => {
    const name = ids[to] ?? String(to);
    const info = await (a.reconnect ? steady(() => a.jsm.consumers.info(stream, name)) : a.jsm.consumers.info(stream, name));
    return info.num_pending + info.num_ack_pending;
  };
  const refuse = (to: number, depth: number, checks: number) => new Rejected(`inbox of ${ids[to] ?? to} stayed full (${depth} messages) after ${checks} checks: send rejected`);
  return {
    async send(a, to, body) {
      await backoffAsync(opts, a, to, depthOf, refuse);
      await inner.send(a, to, body);
    },
    async receive(a) {
      return await inner.receive(a);
    },
  };
}
