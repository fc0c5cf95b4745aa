/**
 * One agent's end of the bus. Agents are separate processes in the systems busbench models, so
 * each gets its own connection (its own socket, parser and flush), never a shared one.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { HEARTBEAT } from './layers/health.ts';
import { Puller } from './puller.ts';
import { STEADY_TIMEOUT_MS } from './steady.ts';
import { RETRY_MS, STEADY_MS } from '../steady.ts';

export interface Agent {
  readonly id: string;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  /** JetStream API (consumer info) for the rate limiting layer's depth checks. */
  readonly jsm: JetStreamManager;
  readonly puller: Puller;
  /** --fault restart-server: calls that a restart makes fail are asked again (steady.ts). */
  readonly reconnect: boolean;
  /** The config's KV bucket, opened on this agent's connection (configs with health or shutdown). */
  kv: KV | null;
  /** This agent's heartbeat key in the bucket (health). */
  readonly beatKey: string;
  /**
   * The last message taken came with the consumer's pending count at 0 (puller.ts pendingAfter):
   * the next receive clears it and returns null without a pull (a take ends without one more round
   * trip), unless the watch has heard of more messages than were taken (`notices`). A drain clears
   * it first: only a take right after that message may rely on it.
   */
  nonePending: boolean;
  /** `--wait watch`: messages the watch heard published to this agent's inbox (config-client.ts watch); 0 without it. */
  notices: number;
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

/**
 * Every timed connection (agents, the coordinator's control connection, the calibration's floor)
 * runs without the client's async stack traces. With them on (the client's default), each request
 * builds two Error objects to keep its caller's stack: 16 and 17 % of the two workers' busy time
 * in a CPU profile of a 100-agent cell (docs/drivers.md). A production client that wants speed turns them
 * off; an error still says what failed, without the caller's frames.
 */
export const TIMED_CLIENT = { noAsyncTraces: true } as const;

/**
 * How a connection treats a lost server. By default it does not reconnect: a server that goes away
 * fails the cell at once with the client's error. With --fault restart-server (`reconnect`), it
 * does what a NATS application does: tries again every 50 ms (up to 30 s), buffering what is
 * published meanwhile.
 */
export function reconnectOptions(reconnect: boolean): ConnectionOptions {
  return reconnect ? { reconnect: true, maxReconnectAttempts: Math.ceil(STEADY_MS / RETRY_MS), reconnectTimeWait: RETRY_MS, reconnectJitter: 0 } : { reconnect: false };
}

export async function connectAgent(url: string, id: string, stream: string, reconnect = false): Promise<Agent> {
  const nc = await connect({ servers: url, name: `busbench ${id}`, timeout: AGENT_CONNECT_MS, ...TIMED_CLIENT, ...reconnectOptions(reconnect) });
  try {
    // checkAPI false: the host already knows JetStream is there; skip a round trip per agent.
    // With --fault restart-server a request lost in the restart is asked again after 2 s rather than the client's 5 s.
    const timeout = reconnect ? { timeout: STEADY_TIMEOUT_MS } : {};
    const jsm = await jetstreamManager(nc, { checkAPI: false, ...timeout });
    const puller = new Puller(nc, stream, id, 5000, reconnect);
    // A restarted server forgot the pull that was waiting for an answer: ask again once reconnected.
    if (reconnect) void (async () => {
      for await (const s of nc.status()) if (s.type === 'reconnect') puller.again();
    })().catch(() => undefined);
    return { id, nc, js: jetstream(nc, timeout), jsm, puller, reconnect, kv: null, beatKey: `${HEARTBEAT}.${id}`, nonePending: false, notices: 0, shuttingDown: false, sent: 0, received: 0, lastBeatNs: -1n };
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
