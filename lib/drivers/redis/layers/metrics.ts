import type { Body } from '../../contract.ts';
import type { Delivered, Ops } from '../bus.ts';
import type { Conn } from '../connect.ts';

/** Entries the metrics stream keeps (approximately: MAXLEN ~ trims whole nodes, at almost no cost). */
const MAXLEN = String(100_000);

/**
 * metrics: one entry per send and per received message in one metrics stream shared by every
 * agent (XADD … MAXLEN ~ keeps it bounded), written on the agent's own connection.
 *  - send: the entry is issued in the same tick as the send's XADD, so both go out in one socket
 *    write and cost one round trip (scripts/redis-design-bench.ts: "XADD + XADD metrics pipelined"
 *    against "XADD alone" and "XADD then XADD metrics"). Redis runs a connection's commands in
 *    order, so the entry lands right after the message; if the send fails, the entry of the
 *    attempt is still there (the reference writes its line only after a success).
 *  - receive: the entry needs to know what was received (and nothing is written for an empty
 *    poll, as in the reference), so it follows the receive's reply: one more round trip.
 * A Redis stream rather than a local file, because the point of a Redis bus is that agents may
 * live on several hosts; an O_APPEND file would be cheaper but not shared beyond one machine.
 */
export class MetricsLayer implements Ops {
  private readonly pid = String(process.pid);
  /** Agent id of each local slot. */
  private readonly from: readonly string[];

  constructor(
    private readonly inner: Ops,
    private readonly conns: readonly Conn[],
    local: readonly number[],
    /** Agent id of each agent index. */
    private readonly names: readonly string[],
    private readonly stream: string,
  ) {
    this.from = local.map((i) => names[i]!);
  }

  async send(slot: number, to: number, body: Body): Promise<void> {
    const sent = this.inner.send(slot, to, body);
    const entry = this.conns[slot]!.sendCommand(['XADD', this.stream, 'MAXLEN', '~', MAXLEN, '*', 't_ns', process.hrtime.bigint().toString(), 'pid', this.pid, 'op', 'send', 'from', this.from[slot]!, 'to', this.names[to]!]);
    try {
      await sent;
    } catch (e) {
      await entry.catch(() => undefined);
      throw e;
    }
    await entry;
  }

  async receive(slot: number): Promise<Delivered | null> {
    const m = await this.inner.receive(slot);
    if (m !== null) await this.conns[slot]!.sendCommand(['XADD', this.stream, 'MAXLEN', '~', MAXLEN, '*', 't_ns', process.hrtime.bigint().toString(), 'pid', this.pid, 'op', 'receive', 'id', m.id, 'from', m.from, 'to', m.to]);
    return m;
  }
}
