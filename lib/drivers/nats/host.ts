/**
 * Orchestrator side: the run's server (a private nats-server, or the user's --nats-url after
 * checking it has JetStream), one admin connection, and per cell the JetStream resources of each
 * config. Clean-up deletes only streams named with this run's prefix.
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { layersOf, type ConfigName } from '../../core/words.ts';
import type { CellBus, CellPlace, DriverHost, DriverRun } from '../contract.ts';
import type { NatsSettings } from './index.ts';
import { countStopped } from './layers/shutdown.ts';
import { namesOf, ownedByCell, ownedByRun, safePrefix } from './names.ts';
import { createBucket, createInboxes, deleteStream } from './resources.ts';
import { checkUserServer, redactUrl, startServer, type PrivateServer } from './server.ts';
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
    try {
      const nc = await connect({ servers: url, name: 'busbench host', reconnect: false });
      const jsm = await jetstreamManager(nc);
      const acc = await jsm.getAccountInfo();
      return new NatsRun(nc, jsm, server, url, prefix, {
        server_version: version,
        client: '@nats-io/transport-node + @nats-io/jetstream + @nats-io/kv (v3)',
        url: redactUrl(url),
        server: server === null ? 'user (--nats-url)' : 'private (started by busbench, loopback)',
        ...(server === null ? {} : { store_dir: server.storeDir, server_pid: server.pid }),
        jetstream_limits: { max_memory: acc.limits.max_memory, max_storage: acc.limits.max_storage },
        inbox: 'one work-queue stream per config (file storage), one durable pull consumer per agent, explicit ack',
        prefix,
      });
    } catch (e) {
      await server?.stop();
      throw e;
    }
  },
};

class NatsRun implements DriverRun {
  readonly shared: NatsShared;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly server: PrivateServer | null,
    url: string,
    private readonly prefix: string,
    readonly info: Record<string, unknown>,
  ) {
    this.shared = { url, prefix };
  }

  pids(): number[] {
    return this.server === null ? [] : [this.server.pid];
  }

  async openCell(cell: CellPlace): Promise<CellBus> {
    const c = new NatsCell(this.nc, this.jsm, this.prefix, cell, this.server?.storeDir ?? null);
    try {
      await c.create();
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.nc.isClosed()) {
        // Every stream with the run prefix, whichever cell made it (a cell may not have closed).
        const names: string[] = [];
        for await (const s of this.jsm.streams.names()) if (ownedByRun(this.prefix, s)) names.push(s);
        await Promise.all(names.map((s) => deleteStream(this.jsm, s)));
        await this.nc.close();
      }
    } finally {
      await this.server?.stop();
    }
  }

  killSync(): void {
    this.server?.killSync();
  }
}

class NatsCell implements CellBus {
  readonly spec: NatsCellSpec;
  readonly usage?: { dir: string; ignore: readonly string[] };

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly prefix: string,
    private readonly place: CellPlace,
    storeDir: string | null,
  ) {
    this.spec = { id: place.id };
    // A private server's store is on the run's tmpfs and holds only this run's streams (earlier
    // cells' are deleted): its bytes are the bus's tmpfs use. A user's server's store is not ours.
    if (storeDir !== null) this.usage = { dir: storeDir, ignore: [] };
  }

  async create(): Promise<void> {
    for (const config of this.place.configs) {
      const names = namesOf(this.prefix, this.place.id, config);
      await createInboxes(this.jsm, names, this.place.scale);
      const layers = layersOf(config);
      if (layers.includes('health') || layers.includes('shutdown')) await createBucket(this.nc, names);
    }
  }

  async leftover(config: ConfigName): Promise<number> {
    // Work-queue retention: the stream holds exactly the messages not yet acked by their agent.
    const si = await this.jsm.streams.info(namesOf(this.prefix, this.place.id, config).stream);
    return si.state.messages;
  }

  async stopped(config: ConfigName): Promise<number | null> {
    if (!layersOf(config).includes('shutdown')) return 0;
    const kv = await new Kvm(this.nc).open(namesOf(this.prefix, this.place.id, config).bucket);
    return countStopped(kv);
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    const names: string[] = [];
    for await (const s of this.jsm.streams.names()) if (ownedByCell(this.prefix, this.place.id, s)) names.push(s);
    await Promise.all(names.map((s) => deleteStream(this.jsm, s)));
  }
}
