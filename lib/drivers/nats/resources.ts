/**
 * The JetStream resources of one config's bus: a work-queue stream holding every agent's inbox
 * (subject per agent), a durable pull consumer per agent filtered on its subject, and a KV bucket
 * when a layer keeps state on the bus (health heartbeats, the shutdown flag, stopped marks).
 *
 * Why one stream per config and a consumer per agent, not a stream per agent: one stream is one
 * store file set and one API call to create or remove, whatever the scale, and the per-agent
 * consumers give each agent its own cursor, pending count and acks. Work-queue retention removes
 * a message once acked, so the stream holds exactly the mail not yet taken (an inbox), its size
 * stays flat over a long cell, and "leftover" is the stream's message count.
 */
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { agentId } from '../../core/agents.ts';
import type { Names } from './names.ts';

export async function createInboxes(jsm: JetStreamManager, names: Names, scale: number): Promise<void> {
  await jsm.streams.add({
    name: names.stream,
    subjects: [names.inboxes],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: 1,
  });
  // Consumers are independent API calls: issue them together (pipelined on one connection).
  const ids = Array.from({ length: scale }, (_, i) => agentId(i));
  await Promise.all(
    ids.map((id) =>
      jsm.consumers.add(names.stream, {
        durable_name: id,
        filter_subject: names.inbox(id),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        // Far longer than any cell's gap between taking a message and acking it: no redelivery.
        ack_wait: 60_000_000_000,
      }),
    ),
  );
}

export async function createBucket(nc: NatsConnection, names: Names) {
  return new Kvm(nc).create(names.bucket, { history: 1, storage: StorageType.File });
}

/** Delete a stream if it exists (a KV bucket is its stream KV_<bucket>). */
export async function deleteStream(jsm: JetStreamManager, stream: string): Promise<void> {
  try {
    await jsm.streams.delete(stream);
  } catch (e) {
    if (!/not found/i.test((e as Error).message)) throw e;
  }
}
