import type { Body } from '../../contract.ts';
import type { Delivered, Ops } from '../bus.ts';
import type { Conn } from '../connect.ts';

/** An agent whose heartbeat is older than this is stale (the reference's threshold): its key has expired. */
const STALE_MS = 5000;

export interface HealthReport {
  agents: number;
  healthy: number;
  /** Agent indices without a live heartbeat (expired: stale; never written: missing). */
  missing: number[];
}

/**
 * health: a heartbeat key per agent, SET with a TTL (PX) so that Redis itself forgets an agent that
 * went quiet: the coordinator's query is one MGET of every agent's key, and a missing key is a
 * stale (or dead) agent, with no clock compared across processes or hosts.
 * The beat is issued in the same tick as the operation (one socket write with it, one round trip
 * for both: scripts/redis-design-bench.ts "XADD + SET PX pipelined" against "XADD alone"), at most
 * once per `intervalMs` per agent (0: every operation). The value carries the agent's counters up
 * to the previous operation (the beat does not wait for this one's result).
 */
export class HealthLayer implements Ops {
  private readonly last: bigint[];
  private readonly sent: number[];
  private readonly received: number[];
  private readonly intervalNs: bigint;
  private readonly ttl: string;
  private readonly pid = process.pid;

  constructor(
    private readonly inner: Ops,
    private readonly conns: readonly Conn[],
    /** Heartbeat key of each local slot. */
    private readonly keys: readonly string[],
    intervalMs: number,
    ttlMs = STALE_MS,
  ) {
    const n = conns.length;
    this.last = new Array<bigint>(n).fill(-1n);
    this.sent = new Array<number>(n).fill(0);
    this.received = new Array<number>(n).fill(0);
    this.intervalNs = BigInt(Math.round(intervalMs * 1e6));
    this.ttl = String(ttlMs);
  }

  /** Every local agent's first beat (at open, like the reference's beat on register). */
  async beatAll(): Promise<void> {
    await Promise.all(this.conns.map((_, slot) => this.beat(slot, true)));
  }

  async send(slot: number, to: number, body: Body): Promise<void> {
    const op = this.inner.send(slot, to, body);
    const beat = this.beat(slot, false);
    try {
      await op;
    } catch (e) {
      await beat?.catch(() => undefined);
      throw e;
    }
    if (beat !== null) await beat;
    this.sent[slot]!++;
  }

  async receive(slot: number): Promise<Delivered | null> {
    const op = this.inner.receive(slot);
    const beat = this.beat(slot, false);
    let m: Delivered | null;
    try {
      m = await op;
    } catch (e) {
      await beat?.catch(() => undefined);
      throw e;
    }
    if (beat !== null) await beat;
    if (m !== null) this.received[slot]!++;
    return m;
  }

  private beat(slot: number, force: boolean): Promise<unknown> | null {
    const now = process.hrtime.bigint();
    if (!force && this.intervalNs > 0n && now - this.last[slot]! < this.intervalNs) return null;
    this.last[slot] = now;
    const value = `{"pid":${this.pid},"t_ns":"${now}","sent":${this.sent[slot]},"received":${this.received[slot]}}`;
    return this.conns[slot]!.sendCommand(['SET', this.keys[slot]!, value, 'PX', this.ttl]);
  }
}

/** The coordinator's query: one MGET of every agent's heartbeat key. */
export async function queryHealth(c: Conn, keys: readonly string[]): Promise<HealthReport> {
  const values = (await c.sendCommand(['MGET', ...keys])) as (string | null)[];
  const missing: number[] = [];
  values.forEach((v, i) => {
    if (v === null) missing.push(i);
  });
  return { agents: keys.length, healthy: keys.length - missing.length, missing };
}
