/**
 * health: a heartbeat per agent in the config's KV bucket (key hb.<agent>), put after each send
 * or receive, at most once per `intervalMs` (0: on every operation), like the reference's per-agent
 * heartbeat file. The put is awaited: KV puts are JetStream publishes, and an agent that does not
 * wait for the ack does not know its heartbeat was stored (the reference's pwrite has completed
 * when it returns).
 * `queryHealth` is the coordinator's view: every agent's last heartbeat, stale when older than
 * `staleMs` by the server's own timestamp of the put. The coordinator knows the roster (agent ids
 * 0..scale-1), so it gets each key directly, all requests in flight at once: one round trip's
 * latency plus the server's work per key, where listing the keys first (kv.keys()) would create
 * an ordered consumer per query.
 */
import type { KV } from '@nats-io/kv';
import type { Agent } from '../agent.ts';
import type { Ops } from '../ops.ts';
import { steady } from '../steady.ts';

export interface HealthReport {
  /** Agents with a heartbeat. */
  agents: number;
  healthy: number;
  stale: string[];
  /** Agents of the roster with no heartbeat at all. */
  missing: string[];
}

/** Heartbeat keys are `hb.<agent>` (Agent.beatKey, made once per agent). */
export const HEARTBEAT = 'hb';

export async function beat(a: Agent, intervalNs: bigint, force: boolean): Promise<void> {
  const now = process.hrtime.bigint();
  if (!force && intervalNs > 0n && now - a.lastBeatNs < intervalNs) return;
  a.lastBeatNs = now;
  const value = `{"pid":${process.pid},"status":"ok","sent":${a.sent},"received":${a.received}}`;
  await (a.reconnect ? steady(() => a.kv!.put(a.beatKey, value)) : a.kv!.put(a.beatKey, value));
}

export function healthLayer(inner: Ops, intervalMs: number): Ops {
  const intervalNs = BigInt(Math.round(intervalMs * 1e6));
  return {
    async send(a, to, body) {
      await inner.send(a, to, body);
      await beat(a, intervalNs, false);
    },
    async receive(a) {
      const m = await inner.receive(a);
      await beat(a, intervalNs, false);
      return m;
    },
  };
}

/** Reads every agent's heartbeat (the gets in parallel). */
export async function queryHealth(kv: KV, ids: readonly string[], staleMs: number, reconnect = false): Promise<HealthReport> {
  const read = () => Promise.all(ids.map((id) => kv.get(`${HEARTBEAT}.${id}`)));
  const entries = await (reconnect ? steady(read) : read());
  const nowMs = Date.now();
  const report: HealthReport = { agents: 0, healthy: 0, stale: [], missing: [] };
  for (const [i, e] of entries.entries()) {
    const id = ids[i]!;
    if (e === null || e.operation !== 'PUT') {
      report.missing.push(id);
      continue;
    }
    report.agents++;
    if (nowMs - e.created.getTime() > staleMs) report.stale.push(id);
    else report.healthy++;
  }
  return report;
}
