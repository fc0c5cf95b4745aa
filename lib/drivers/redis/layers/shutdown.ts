import type { Body } from '../../contract.ts';
import type { Delivered, Ops } from '../bus.ts';
import type { Conn } from '../connect.ts';

export class ShuttingDown extends Error {
  constructor(slot: number) {
    super(`bus is shutting down: send from local agent ${slot} refused`);
    this.name = 'ShuttingDown';
  }
}

/**
 * shutdown: every operation checks the shutdown flag; once it is set sends are refused while
 * receives go on, so inboxes can drain. The flag is a key (`SET`, for whoever starts later) plus a
 * PUBLISH on a channel of the same name: each worker subscribes once (one connection per config)
 * and reads the key once after subscribing (no gap), so the per-operation check is a local
 * boolean (~0 µs) instead of a GET round trip (≈ 47–50 µs measured). The price: another process
 * learns of the request one PUBLISH later (≈ one round trip); the requesting process at once.
 * The coordinated shutdown: each agent drains its inbox to empty, then joins the stopped set.
 */
export class ShutdownLayer implements Ops {
  private down = false;
  constructor(
    private readonly inner: Ops,
    private readonly key: string,
    private readonly stoppedKey: string,
    private readonly agentName: (slot: number) => string,
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

  send(slot: number, to: number, body: Body): Promise<void> {
    if (this.down) return Promise.reject(new ShuttingDown(slot));
    return this.inner.send(slot, to, body);
  }

  receive(slot: number): Promise<Delivered | null> {
    return this.inner.receive(slot);
  }

  /** The coordinator raises the flag for every process of the config. */
  async request(control: Conn): Promise<void> {
    this.down = true;
    await Promise.all([control.sendCommand(['SET', this.key, String(process.pid)]), control.sendCommand(['PUBLISH', this.key, 'shutdown'])]);
  }

  /** An agent's part: take everything left (through the layers below), then mark it stopped. */
  async drainAndStop(slot: number, conn: Conn, got: Delivered[]): Promise<void> {
    for (let m = await this.inner.receive(slot); m !== null; m = await this.inner.receive(slot)) got.push(m);
    await conn.sendCommand(['SADD', this.stoppedKey, this.agentName(slot)]);
  }
}
