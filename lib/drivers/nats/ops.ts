/**
 * The bare bus, as the layers see it: send publishes to the recipient's inbox subject and waits
 * for JetStream's ack (the message is stored); receive pulls the oldest message (no wait) and acks
 * it, or returns null when the pull finds none, or when the last message it took came with the
 * consumer's word that none was pending after it (`Agent.nonePending`). Layers wrap these two
 * functions, each returning the same shape.
 */
import { SendFailed, type Body, type Receipt } from '../contract.ts';
import type { Agent } from './agent.ts';
import type { Names } from './names.ts';
import { pendingAfter } from './puller.ts';
import { steady } from './steady.ts';

export interface Ops {
  send(a: Agent, to: number, body: Body): Promise<void>;
  receive(a: Agent): Promise<Receipt | null>;
}

/** What travels on the wire; `sent_at_ns` is the sender's CLOCK_MONOTONIC (same clock in every process of the host). */
interface WireMessage {
  from: string;
  to: string;
  sent_at_ns: string;
  payload: unknown;
}

const ACK = '+ACK';

export function bareOps(names: Names, ids: readonly string[]): Ops {
  // Subjects built once: string building per send costs more than an array lookup.
  const subjects = ids.map((id) => names.inbox(id));
  return {
    async send(a, to, body) {
      const recipient = ids[to];
      if (recipient === undefined) throw new Error(`no agent ${to} at this scale (${ids.length})`);
      const msg: WireMessage = { from: a.id, to: recipient, sent_at_ns: process.hrtime.bigint().toString(), payload: body };
      try {
        const data = JSON.stringify(msg);
        await (a.reconnect ? steady(() => a.js.publish(subjects[to]!, data)) : a.js.publish(subjects[to]!, data));
      } catch (e) {
        throw new SendFailed(`JetStream publish to ${recipient}: ${(e as Error).message}`);
      }
      a.sent++;
    },
    async receive(a) {
      // The server said, delivering the last message, that none was left after it: the answer a
      // pull would have given then, without asking again. The next receive asks. Not when the watch
      // has heard of more messages than were taken: one published may not have been stored yet.
      if (a.nonePending) {
        a.nonePending = false;
        if (a.notices <= a.received) return null;
      }
      const m = await a.puller.pull();
      if (m === null) return null;
      const msg = m.json<WireMessage>();
      // A plain publish to the reply subject, like JsMsg.ack(): no round trip. Work-queue
      // retention then removes the message; the connection is flushed before anyone counts.
      m.respond(ACK);
      a.nonePending = pendingAfter(m.reply) === 0;
      a.received++;
      return { from: msg.from, sent_at_ns: msg.sent_at_ns, payload: msg.payload };
    },
  };
}
