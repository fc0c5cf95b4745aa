import type { Body } from '../../contract.ts';
import { ShuttingDown } from '../../layers.ts';
import type { Delivered, Ops } from '../bus.ts';
import type { Conn } from '../connect.ts';

/**
 * shutdown: every operation checks the shutdown flag; once it is set sends are refused while
 * receives go on, so inboxes can drain. The flag is a key (`SET`, for whoever starts later) plus a
 * PUBLISH on a channel of the same name: each worker subscribes once (one connection per config)
 * and reads the key once after subscribing (no gap), so the per-operation check is a local
 * boolean instead of a GET round trip (scripts/redis-design-bench.ts: "local flag" against "GET
 * flag"). The price: another process learns of the request one PUBLISH later (about one round
 * trip); the requesting process at once.
 * The coordinated shutdown: each agent drains its inbox to empty, then joins the stopped set.
 */
export class ShutdownLayer implements Ops {
  private down = false;
  constructor(
    private readonly inner: Ops,
    private readonly key: string,
    private readonly stoppedKey: string,
    /** Agent id of each local slot. */
    private readonly names: readonly string[],
  ) {}

  /** Subscribe, then read the key: a request made before the subscription is seen too. */
  async watch(sub: Conn, control: Conn): Promise<void> {
    await sub.subscribe(this.key, () => {
      this.down = true;
    });
    if (Number(await control.sendCommand(['EXISTS', this.key])) === 1) this.down = true;
  }

  get shuttingDown(): boolean {
    return this.down;
  }

  async send(slot: number, to: number, body: Body): Promise<void> {
    if (this.down) throw new ShuttingDown(this.names[slot]!);
    await this.inner.send(slot, to, body);
  }

  async receive(slot: number): Promise<Delivered | null> {
    return await this.inner.receive(slot);
  }

  /** The coordinator raises the flag for every process of the config. */
  async request(control: Conn): Promise<void> {
    this.down = true;
    await Promise.all([control.sendCommand(['SET', this.key, String(process.pid)]), control.sendCommand(['PUBLISH', this.key, 'shutdown'])]);
  }

  /** An agent's part: take everything left (through the layers below), then mark it stopped. */
  async drainAndStop(slot: number, conn: Conn, got: Delivered[]): Promise<void> {
    for (let m = await this.inner.receive(slot); m !== null; m = await this.inner.receive(slot)) got.push(m);
    await conn.sendCommand(['SADD', this.stoppedKey, this.names[slot]!]);
  }
}
