/**
 * Orchestrator side: the run's server (a private nats-server, or the user's --nats-url after
 * checking it has JetStream), one admin connection, and per cell the JetStream resources of each
 * config. Clean-up deletes the streams and buckets the run created, by their names (names.ts):
 * nothing else on a user's server is listed or touched.
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { layersOf, type ConfigName } from '../../core/words.ts';
import type { CellBus, CellPlace, DriverHost } from '../contract.ts';
import { redactUrl, ServerRun } from '../server.ts';
import type { NatsSettings } from './index.ts';
import { countStopped } from './layers/shutdown.ts';
import { namesOf, safePrefix, type Names } from './names.ts';
import { createBucket, createInboxes, deleteStream } from './resources.ts';
import { checkUserServer, CONNECT_TIMEOUT_MS, startServer, type PrivateServer } from './server.ts';
import type { NatsCellSpec, NatsShared } from './shared.ts';

export const host: DriverHost<NatsSettings> = {
  async open(ctx) {
    const prefix = safePrefix(ctx.prefix);
    let server: PrivateServer | null = null;
    let url: string;
    let version: string;
    if (ctx.settings.url !== null) {
      url = ctx.settings.url;
      version = (await checkUserServer(url, '--nats-url')).version;
    } else {
      server = await startServer(ctx.settings.serverBin, `${ctx.runDir}/nats`);
      url = server.url;
      version = server.version;
    }
    let admin: Admin | null = null;
    try {
      admin = await adminConnection(url);
      const { jsm } = admin;
      const acc = await jsm.getAccountInfo();
      const info = {
        server_version: version,
        client: '@nats-io/transport-node + @nats-io/jetstream + @nats-io/kv (v3)',
        url: redactUrl(url),
        server: server === null ? 'user (--nats-url)' : 'private (started by busbench, loopback)',
        ...(server === null ? {} : { store_dir: server.storeDir, server_pid: server.process.pid }),
        jetstream_limits: { max_memory: acc.limits.max_memory, max_storage: acc.limits.max_storage },
        inbox: 'one work-queue stream per config (file storage), one durable pull consumer per agent, explicit ack',
        prefix,
      };
      return new NatsRun(admin, server, { url, prefix, ...(ctx.restarts ? { reconnect: true } : {}) }, info);
    } catch (e) {
      await admin?.nc.close().catch(() => {});
      await server?.process.stop();
      throw e;
    }
  },
};

/** The run's admin connection: made again after a server restart (--fault restart-server). */
interface Admin {
  nc: NatsConnection;
  jsm: JetStreamManager;
}

async function adminConnection(url: string): Promise<Admin> {
  const nc = await connect({ servers: url, name: 'busbench host', reconnect: false, timeout: CONNECT_TIMEOUT_MS });
  try {
    return { nc, jsm: await jetstreamManager(nc) };
  } catch (e) {
    await nc.close().catch(() => {});
    throw e;
  }
}

class NatsRun extends ServerRun<NatsShared, PrivateServer> {
  /** Cells not yet closed: the run's close removes what they left. */
  private readonly cells = new Set<NatsCell>();

  constructor(
    private admin: Admin,
    server: PrivateServer | null,
    shared: NatsShared,
    info: Record<string, unknown>,
  ) {
    super(info, shared, server);
  }

  protected override async reconnect(): Promise<void> {
    await this.admin.nc.close().catch(() => {});
    this.admin = await adminConnection(this.shared.url);
  }

  async openCell(cell: CellPlace): Promise<CellBus> {
    const c = new NatsCell(() => this.admin, this.shared.prefix, cell, this.own?.storeDir ?? null, () => this.cells.delete(c));
    this.cells.add(c);
    try {
      await c.create();
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  protected async release(): Promise<void> {
    if (this.admin.nc.isClosed()) return;
    try {
      await Promise.all([...this.cells].map((c) => c.close()));
    } finally {
      await this.admin.nc.close().catch(() => {});
    }
  }
}

class NatsCell implements CellBus {
  readonly spec: NatsCellSpec;
  readonly usage?: { dir: string; ignore: readonly string[] };
  private readonly names: Map<ConfigName, Names>;
  /** Configs whose bucket holds stopped marks (the shutdown layer). */
  private readonly counted: Set<ConfigName>;

  constructor(
    private readonly admin: () => Admin,
    prefix: string,
    private readonly place: CellPlace,
    storeDir: string | null,
    private readonly closed: () => void,
  ) {
    this.spec = { id: place.id };
    this.names = new Map(place.configs.map((config) => [config, namesOf(prefix, place.id, config)]));
    this.counted = new Set(place.configs.filter((config) => layersOf(config).includes('shutdown')));
    // A private server's store is on the run's tmpfs and holds only this run's streams (earlier
    // cells' are deleted): its bytes are the bus's tmpfs use. A user's server's store is not ours.
    if (storeDir !== null) this.usage = { dir: storeDir, ignore: [] };
  }

  async create(): Promise<void> {
    const { nc, jsm } = this.admin();
    for (const [config, names] of this.names) {
      await createInboxes(jsm, names, this.place.scale);
      if (hasKv(config)) await createBucket(nc, names);
    }
  }

  async leftover(config: ConfigName): Promise<number> {
    // Work-queue retention: the stream holds exactly the messages not yet acked by their agent.
    const si = await this.admin().jsm.streams.info(this.namesOf(config).stream);
    return si.state.messages;
  }

  async stopped(config: ConfigName): Promise<number | null> {
    if (!this.counted.has(config)) return null;
    const kv = await new Kvm(this.admin().nc).open(this.namesOf(config).bucket);
    return countStopped(kv);
  }

  /** Deletes the cell's streams and buckets by name (a name never created is not an error). */
  async close(): Promise<void> {
    const { nc, jsm } = this.admin();
    if (nc.isClosed()) return;
    const streams: string[] = [];
    for (const [config, names] of this.names) {
      streams.push(names.stream);
      if (hasKv(config)) streams.push(`KV_${names.bucket}`);
    }
    await Promise.all(streams.map((s) => deleteStream(jsm, s)));
    this.closed();
  }

  private namesOf(config: ConfigName): Names {
    const n = this.names.get(config);
    if (n === undefined) throw new Error(`config ${config} is not in cell ${this.place.id}`);
    return n;
  }
}

/** Configs whose layers keep state in a KV bucket (health heartbeats, the shutdown flag and stopped marks). */
function hasKv(config: ConfigName): boolean {
  const layers = layersOf(config);
  return layers.includes('health') || layers.includes('shutdown');
}
