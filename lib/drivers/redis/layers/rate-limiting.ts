import type { LayerOptions } from '../../../core/words.ts';
import { Rejected, type Body } from '../../contract.ts';
import type { Delivered, Ops } from '../bus.ts';
import type { Conn } from '../connect.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * rate_limiting: before every send, the recipient's inbox depth (XLEN of its stream: the receive
 * deletes what it takes, so the length is the unread mail). While it holds `capacity` or more, the
 * sender backs off (backoffMs, doubling; a timer, so the worker's other agents go on) and checks
 * again; after `maxRetries` the send is rejected (Rejected) and nothing is written.
 * The check is a round trip of its own (≈ 47–50 µs measured): its reply decides whether the send
 * happens, so it cannot share the send's write.
 */
export class RateLimitLayer implements Ops {
  constructor(
    private readonly inner: Ops,
    private readonly conns: readonly Conn[],
    private readonly inboxOf: (agent: number) => string,
    private readonly opts: Pick<LayerOptions, 'capacity' | 'backoffMs' | 'maxRetries'>,
  ) {}

  async send(slot: number, to: number, body: Body): Promise<void> {
    let wait = this.opts.backoffMs;
    for (let attempt = 0; ; attempt++) {
      const depth = Number(await this.conns[slot]!.sendCommand(['XLEN', this.inboxOf(to)]));
      if (depth < this.opts.capacity) return this.inner.send(slot, to, body);
      if (attempt >= this.opts.maxRetries) throw new Rejected(`inbox of agent ${to} stayed full (${depth} messages) after ${attempt + 1} checks: send rejected`);
      if (wait > 0) await sleep(wait);
      wait *= 2;
    }
  }

  receive(slot: number): Promise<Delivered | null> {
    return this.inner.receive(slot);
  }
}
