import { Rejected, type Body } from '../../contract.ts';
import { backoffAsync, type BackoffOptions } from '../../layers.ts';
import type { Delivered, Ops } from '../bus.ts';
import type { Conn } from '../connect.ts';

/**
 * rate_limiting: before every send, the recipient's inbox depth (XLEN of its stream: the receive
 * deletes what it takes, so the length is the unread mail). While it holds `capacity` or more, the
 * sender backs off (backoffMs, doubling; a timer, so the worker's other agents go on) and checks
 * again; after `maxRetries` the send is rejected (Rejected) and nothing is written. The loop is
 * lib/drivers/layers.ts's, shared with tmpfs and nats.
 * The check is a round trip of its own (scripts/redis-design-bench.ts: XLEN): its reply decides
 * whether the send happens, so it cannot share the send's write.
 */
export class RateLimitLayer implements Ops {
  private readonly depthOf: (conn: Conn, to: number) => Promise<number>;
  constructor(
    private readonly inner: Ops,
    private readonly conns: readonly Conn[],
    /** Inbox key of each agent index. */
    inboxes: readonly string[],
    private readonly opts: BackoffOptions,
  ) {
    this.depthOf = async (conn, to) => Number(await conn.sendCommand(['XLEN', inboxes[to]!]));
  }

  async send(slot: number, to: number, body: Body): Promise<void> {
    await backoffAsync(this.opts, this.conns[slot]!, to, this.depthOf, refuse);
    await this.inner.send(slot, to, body);
  }

  async receive(slot: number): Promise<Delivered | null> {
    return await this.inner.receive(slot);
  }
}

function refuse(to: number, depth: number, checks: number): Error {
  return new Rejected(`inbox of agent ${to} stayed full (${depth} messages) after ${checks} checks: send rejected`);
}
