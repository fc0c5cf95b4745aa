/**
 * One agent's end of the bus. Agents are separate processes in the systems busbench models, so
 * each gets its own connection (its own socket, parser and flush), never a shared one.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { HEARTBEAT } from './layers/health.ts';
import { Puller } from './puller.ts';

export interface Agent {
  readonly id: string;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  /** JetStream API (consumer info) for the rate limiting layer's depth checks. */
  readonly jsm: JetStreamManager;
  readonly puller: Puller;
  /** The config's KV bucket, opened on this agent's connection (configs with health or shutdown). */
  kv: KV | null;
  /** This agent's heartbeat key in the bucket (health). */
  readonly beatKey: string;
  /** Set by the shutdown layer's watcher when the flag key appears: checking it costs no round trip. */
  shuttingDown: boolean;
  sent: number;
  received: number;
  lastBeatNs: bigint;
}

/**
 * Every agent of a cell connects at once (700 connections at 100 agents and 7 configs), so on a
 * loaded machine the handshakes queue for seconds; the server was already found answering when the
 * run started (server.ts, a short deadline there), so only a hang is to be caught here.
 */
const AGENT_CONNECT_MS = 30_000;

export async function connectAgent(url: string, id: string, stream: string): Promise<Agent> {
  const nc = await connect({ servers: url, name: `busbench ${id}`, reconnect: false, timeout: AGENT_CONNECT_MS });
  try {
    // checkAPI false: the host already knows JetStream is there; skip a round trip per agent.
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    return { id, nc, js: jetstream(nc), jsm, puller: new Puller(nc, stream, id), kv: null, beatKey: `${HEARTBEAT}.${id}`, shuttingDown: false, sent: 0, received: 0, lastBeatNs: -1n };
  } catch (e) {
    await nc.close().catch(() => {});
    throw e;
  }
}

export async function closeAgent(a: Agent): Promise<void> {
  a.puller.close();
  if (!a.nc.isClosed()) {
    // Flush first: acks are plain publishes, and must reach the server before it counts leftovers.
    await a.nc.flush().catch(() => {});
    await a.nc.close().catch(() => {});
  }
}
