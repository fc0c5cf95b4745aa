/**
 * One config's bus for the agents of one worker: a connection per local agent, the config's layers
 * wrapped around the bare JetStream send/receive in the reference order (outermost first, see
 * layersOf), plus a coordinator connection for the health query and the shutdown request.
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { agentId, agentIndices } from '../../core/agents.ts';
import { timedStart } from '../../measure/lifecycle.ts';
import { layersOf, type ConfigName, type LayerOptions } from '../../core/words.ts';
import type { Body, ConfigClient, DrainResult, Receipt } from '../contract.ts';
import { closeAgent, connectAgent, reconnectOptions, TIMED_CLIENT, type Agent } from './agent.ts';
import { beat, healthLayer, queryHealth, type HealthReport } from './layers/health.ts';
import { metricsLayer } from './layers/metrics.ts';
import { noopLayer } from './layers/noop.ts';
import { rateLimitLayer } from './layers/rate-limiting.ts';
import { markStopped, raiseFlag, shutdownLayer, watchFlag } from './layers/shutdown.ts';
import type { Names } from './names.ts';
import { STEADY_TIMEOUT_MS } from './steady.ts';
import { bareOps, type Ops } from './ops.ts';

export interface OpenOptions {
  url: string;
  names: Names;
  config: ConfigName;
  scale: number;
  local: readonly number[];
  layer: LayerOptions;
  /** health: a heartbeat older than this is stale (the reference's default: 5 s). */
  staleMs?: number;
  /** --fault restart-server: connections live through a restart of the server (agent.ts reconnectOptions). */
  reconnect?: boolean;
}

export async function openConfigClient(o: OpenOptions): Promise<NatsConfigClient> {
  const ids = Array.from({ length: o.scale }, (_, i) => agentId(i));
  const layers = layersOf(o.config);
  const needsKv = layers.includes('health') || layers.includes('shutdown');
  const agents: Agent[] = [];
  let control: NatsConnection | null = null;
  const watchers: { seen: Promise<void>; stop(): void }[] = [];
  try {
    // Connect the agents together: each connect is a few round trips, independent of the others.
    const opened = await Promise.allSettled(o.local.map((i) => timedStart(() => connectAgent(o.url, ids[i]!, o.names.stream, o.reconnect))));
    const startup: number[] = [];
    for (const r of opened) if (r.status === 'fulfilled') (agents.push(r.value.value), startup.push(r.value.ms));
    const failed = opened.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    control = await connect({ servers: o.url, name: `busbench coordinator ${o.config}`, ...TIMED_CLIENT, ...reconnectOptions(o.reconnect === true) });
    let controlKv: KV | null = null;
    if (needsKv) {
      // With --fault restart-server, KV calls time out after 2 s like every other request (steady.ts).
      controlKv = await new Kvm(o.reconnect ? jetstream(control, { timeout: STEADY_TIMEOUT_MS }) : control).open(o.names.bucket);
      await Promise.all(agents.map(async (a) => (a.kv = await new Kvm(o.reconnect ? a.js : a.nc).open(o.names.bucket))));
    }
    // Build the stack innermost first, so the first name in layersOf() ends up outermost.
    let ops: Ops = bareOps(o.names, ids);
    for (const name of [...layers].reverse()) {
      switch (name) {
        case 'noop':
          ops = noopLayer(ops, o.layer.noopDelayUs);
          break;
        case 'metrics':
          ops = metricsLayer(ops, o.names.metrics);
          break;
        case 'health':
          ops = healthLayer(ops, o.layer.healthIntervalMs);
          break;
        case 'rate_limiting':
          ops = rateLimitLayer(ops, o.layer, o.names.stream, ids);
          break;
        case 'shutdown':
          ops = shutdownLayer(ops);
          break;
      }
    }
    // Like the reference's register(): every agent has a heartbeat from the start.
    if (layers.includes('health')) await Promise.all(agents.map((a) => beat(a, 0n, true)));
    if (layers.includes('shutdown')) for (const a of agents) watchers.push(await watchFlag(a));
    const client = new NatsConfigClient(ops, agents, ids, control, controlKv, watchers, layers, o.staleMs ?? 5000, o.names.inbox, o.reconnect === true);
    client.startup = startup;
    return client;
  } catch (e) {
    for (const w of watchers) w.stop();
    await Promise.all(agents.map(closeAgent));
    await control?.close().catch(() => {});
    throw e;
  }
}

export class NatsConfigClient implements ConfigClient {
  readonly sync = false;
  readonly concurrent = true;
  readonly healthQuery?: () => Promise<void>;
  readonly requestShutdown?: () => Promise<void>;
  /** The last health query's answer (for tests and debugging; the harness only times the call). */
  lastHealth: HealthReport | null = null;
  private closed = false;

  constructor(
    private readonly ops: Ops,
    private readonly agents: readonly Agent[],
    ids: readonly string[],
    private readonly control: NatsConnection,
    controlKv: KV | null,
    private readonly watchers: readonly { seen: Promise<void>; stop(): void }[],
    layers: readonly string[],
    private readonly staleMs: number,
    private readonly inboxOf: (agent: string) => string,
    private readonly reconnect = false,
  ) {
    const kv = controlKv;
    if (kv !== null && layers.includes('health')) {
      this.healthQuery = async () => {
        this.lastHealth = await queryHealth(kv, ids, this.staleMs, this.reconnect);
      };
    }
    if (kv !== null && layers.includes('shutdown')) {
      this.requestShutdown = async () => {
        await raiseFlag(kv);
        // Return once this worker's agents have seen it (their watchers); agents of other
        // workers see it through their own watchers, a server push away.
        await Promise.race([Promise.all(this.watchers.map((w) => w.seen)), new Promise((r) => setTimeout(r, 5000).unref())]);
      };
    }
  }

  /** Per local agent: connect to handshake done (ms). */
  startup: number[] = [];
  startupMs(): { what: string; ms: number[] } {
    return { what: 'network client', ms: this.startup };
  }

  staleAgents(): number[] | null {
    return this.lastHealth && agentIndices([...this.lastHealth.stale, ...this.lastHealth.missing]);
  }

  send(slot: number, to: number, body: Body): Promise<void> {
    return this.ops.send(this.agent(slot), to, body);
  }

  receive(slot: number): Promise<Receipt | null> {
    return this.ops.receive(this.agent(slot));
  }

  /**
   * `--wait watch`: a core NATS subscription on the agent's inbox subject (the stream keeps the
   * message; the subscription only hears that one was published), on the config's control connection.
   */
  watch(slot: number, onMail: () => void): () => void {
    const a = this.agent(slot);
    const sub = this.control.subscribe(this.inboxOf(a.id), {
      callback: () => {
        a.notices++;
        onMail();
      },
    });
    return () => sub.unsubscribe();
  }

  async drain(slot: number, coordinated: boolean): Promise<DrainResult> {
    const a = this.agent(slot);
    const got: Receipt[] = [];
    a.nonePending = false; // what is left now, not what was pending when the last message came
    for (let m = await this.ops.receive(a); m !== null; m = await this.ops.receive(a)) got.push(m);
    // Acks are buffered publishes: make sure the server has them before anyone counts leftovers.
    await a.nc.flush();
    if (coordinated && this.requestShutdown !== undefined) {
      await markStopped(a);
      return { got, stopped: true };
    }
    // No drain-and-stop for this config, or not a coordinated drain: nothing to report.
    return { got, stopped: null };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watchers) w.stop();
    await Promise.all(this.agents.map(closeAgent));
    await this.control.close().catch(() => {});
  }

  private agent(slot: number): Agent {
    const a = this.agents[slot];
    if (a === undefined) throw new Error(`no local agent in slot ${slot}`);
    return a;
  }
}
