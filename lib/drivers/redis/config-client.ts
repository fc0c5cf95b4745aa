/**
 * One config's bus for the agents of one worker: a connection per local agent, plus a control
 * connection for the coordinator's calls (health query, shutdown request) and, with the shutdown
 * layer, a subscriber connection. Every call is async; agents of a worker run concurrently.
 */
import type { ConfigName, LayerOptions } from '../../core/words.ts';
import type { Body, ConfigClient, DrainResult } from '../contract.ts';
import { BareBus, type Delivered } from './bus.ts';
import { AGENT_CONNECT_MS, connect, release, type Conn } from './connect.ts';
import { keysOf } from './keys.ts';
import { InboxWatcher } from './watch.ts';
import { queryHealth, type HealthReport } from './layers/health.ts';
import { buildStack, type Stack } from './layers/stack.ts';
import { timedStart } from '../../measure/lifecycle.ts';

export interface OpenOptions {
  url: string;
  /** The cell's key base (host.ts RedisCellSpec). */
  base: string;
  config: ConfigName;
  scale: number;
  local: readonly number[];
  layer: LayerOptions;
  /** Heartbeat TTL (tests shorten it). */
  healthTtlMs?: number;
  /** --fault restart-server: connections live through a restart of the server (connect.ts). */
  reconnect?: boolean;
}

export async function openConfigClient(o: OpenOptions): Promise<RedisConfigClient> {
  const conns: Conn[] = [];
  const extra: Conn[] = [];
  try {
    const made = await Promise.allSettled(o.local.map((a) => timedStart(() => connect(o.url, { name: `busbench-${o.config}-a${a}`, timeoutMs: AGENT_CONNECT_MS, reconnect: o.reconnect === true }))));
    const startup: number[] = [];
    for (const r of made) if (r.status === 'fulfilled') (conns.push(r.value.value), startup.push(r.value.ms));
    const failed = made.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const keys = keysOf(o.base, o.config);
    const bare = new BareBus(keys, conns, o.local, o.scale, o.reconnect === true);
    const stack = buildStack(o.config, bare, o.layer, o.healthTtlMs);
    // The coordinator's calls get a connection of their own, so they never queue behind an
    // agent's operation (or delay one); configs without health or shutdown need none.
    let control: Conn | null = null;
    if (stack.health || stack.shutdown) {
      control = await connect(o.url, { name: `busbench-${o.config}-control`, timeoutMs: AGENT_CONNECT_MS, reconnect: o.reconnect === true });
      extra.push(control);
    }
    if (stack.shutdown && control) {
      const sub = control.duplicate();
      sub.on('error', () => undefined);
      await sub.connect();
      extra.push(sub);
      await stack.shutdown.watch(sub, control);
    }
    if (stack.health) await stack.health.beatAll();
    const client = new RedisConfigClient(stack, conns, control, extra, keys.heartbeat, o.scale, (slot) => keys.inbox(o.local[slot]!));
    client.startup = startup;
    return client;
  } catch (e) {
    await Promise.all([...conns, ...extra].map(release));
    throw e;
  }
}

export class RedisConfigClient implements ConfigClient {
  readonly sync = false;
  readonly concurrent = true;
  /** The last health query's findings (for tests and the curious; the harness only times the call). */
  lastHealth: HealthReport | null = null;
  readonly healthQuery?: () => Promise<void>;
  readonly requestShutdown?: () => Promise<void>;
  private readonly heartbeatKeys: string[];

  constructor(
    private readonly stack: Stack,
    private readonly conns: readonly Conn[],
    control: Conn | null,
    private readonly extra: readonly Conn[],
    heartbeat: (agent: number) => string,
    scale: number,
    private readonly inboxOf: (slot: number) => string,
  ) {
    this.heartbeatKeys = Array.from({ length: scale }, (_, i) => heartbeat(i));
    if (stack.health && control) {
      this.healthQuery = async () => {
        this.lastHealth = await queryHealth(control, this.heartbeatKeys);
      };
    }
    const shutdown = stack.shutdown;
    if (shutdown && control) this.requestShutdown = () => shutdown.request(control);
  }

  /** Per local agent: connect to handshake done (ms). */
  startup: number[] = [];
  startupMs(): { what: string; ms: number[] } {
    return { what: 'network client', ms: this.startup };
  }

  staleAgents(): number[] | null {
    return this.lastHealth && [...this.lastHealth.missing];
  }

  send(slot: number, to: number, body: Body): Promise<void> {
    return this.stack.ops.send(slot, to, body);
  }

  receive(slot: number): Promise<Delivered | null> {
    return this.stack.ops.receive(slot);
  }

  private watcher: InboxWatcher | null = null;

  /** `--wait watch`: a blocking XREAD over the worker's inboxes of this config (watch.ts). */
  watch(slot: number, onMail: () => void): () => void {
    this.watcher ??= new InboxWatcher(this.conns[0]!);
    return this.watcher.add(this.inboxOf(slot), onMail);
  }

  async drain(slot: number, coordinated: boolean): Promise<DrainResult> {
    const got: Delivered[] = [];
    if (coordinated && this.stack.shutdown) {
      await this.stack.shutdown.drainAndStop(slot, this.conns[slot]!, got);
      return { got, stopped: true };
    }
    for (let m = await this.receive(slot); m !== null; m = await this.receive(slot)) got.push(m);
    // No drain-and-stop for this config, or not a coordinated drain: nothing to report.
    return { got, stopped: null };
  }

  async close(): Promise<void> {
    this.watcher?.close();
    await Promise.all([...this.conns, ...this.extra].map(release));
  }
}
