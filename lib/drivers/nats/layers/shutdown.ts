/**
 * shutdown: a flag key in the config's KV bucket. Each agent WATCHES it (a KV watch is an ordered
 * push consumer on the key's subject): the watcher keeps the agent's `shuttingDown` boolean, so the
 * check on every operation costs nothing on the wire, where the reference pays one stat per
 * operation. Once the flag is set, sends are refused (ShuttingDown) while receives go on, so inboxes
 * drain. Coordinated shutdown: the coordinator puts the flag; each agent drains its inbox and puts
 * stopped.<agent>; the runner counts those keys.
 */
import type { KV } from '@nats-io/kv';
import { ShuttingDown } from '../../layers.ts';
import type { Agent } from '../agent.ts';
import type { Ops } from '../ops.ts';

const FLAG = 'shutdown';
const STOPPED = 'stopped';

export function shutdownLayer(inner: Ops): Ops {
  return {
    async send(a, to, body) {
      if (a.shuttingDown) throw new ShuttingDown(a.id);
      await inner.send(a, to, body);
    },
    async receive(a) {
      return await inner.receive(a);
    },
  };
}

/**
 * Start the agent's watch of the flag (its current value first, then updates). Resolves once the
 * watch is set up; `seen` resolves when the flag has been seen set.
 */
export async function watchFlag(a: Agent): Promise<{ seen: Promise<void>; stop(): void }> {
  const w = await a.kv!.watch({ key: FLAG });
  let mark: () => void = () => {};
  const seen = new Promise<void>((r) => (mark = r));
  void (async () => {
    for await (const e of w) {
      if (e.operation === 'PUT') {
        a.shuttingDown = true;
        mark();
      }
    }
  })().catch(() => {});
  return { seen, stop: () => w.stop() };
}

export async function raiseFlag(kv: KV): Promise<void> {
  await kv.put(FLAG, JSON.stringify({ reason: 'coordinated shutdown', pid: process.pid, at_ms: Date.now() }));
}

export async function markStopped(a: Agent): Promise<void> {
  await a.kv!.put(`${STOPPED}.${a.id}`, JSON.stringify({ pid: process.pid, sent: a.sent, received: a.received }));
}

export async function countStopped(kv: KV): Promise<number> {
  let n = 0;
  for await (const _ of await kv.keys(`${STOPPED}.>`)) n++;
  return n;
}
