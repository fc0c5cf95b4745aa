/**
 * Orchestrator side: the run's server (a private redis-server, or the user's --redis-url), and per
 * cell the inboxes: one stream per agent and config, each with its consumer group. Clean-up
 * removes the keys the run's cells can make, by name (keys.ts), and nothing else.
 */
import { join } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { layersOf, type ConfigName } from '../../core/words.ts';
import type { CellBus, CellPlace, DriverHost } from '../contract.ts';
import { redactUrl, ServerRun } from '../server.ts';
import { unlinkAll } from './cleanup.ts';
import { connect, release, type Conn } from './connect.ts';
import type { RedisSettings } from './index.ts';
import { cellBase, everyKey, GROUP, keysOf, type Keys } from './keys.ts';
import { startServer, type PrivateServer } from './server.ts';

/** What every worker gets to reach the bus. */
export interface RedisShared {
  url: string;
  prefix: string;
  /** --fault restart-server: the clients live through a restart of the server (connect.ts). */
  reconnect?: boolean;
}

/** What the workers get for one cell. */
export interface RedisCellSpec {
  base: string;
}

export const host: DriverHost<RedisSettings> = {
  async open(ctx) {
    const s = ctx.settings;
    let server: PrivateServer | null = null;
    if (s.url === null) server = await startServer({ bin: s.serverBin, dir: join(ctx.runDir, 'redis'), persistence: s.persistence });
    const url = server ? server.url : s.url!;
    let admin: Conn;
    try {
      admin = await connect(url, { name: 'busbench-host' });
    } catch (e) {
      await server?.process.stop();
      if (server) throw e;
      throw new UsageError([
        `--redis-url ${redactUrl(url)}: cannot connect (${(e as Error).message || (e as Error).name}); start Redis there, fix the URL, or leave --redis-url out to let busbench start a private redis-server`,
      ]);
    }
    try {
      const info = await serverInfo(admin, s, server, url);
      return new Run(admin, server, { url, prefix: ctx.prefix, ...(ctx.restarts ? { reconnect: true } : {}) }, info);
    } catch (e) {
      await release(admin);
      await server?.process.stop();
      throw e;
    }
  },
};

/** Version and persistence as the server itself reports them (INFO works where CONFIG is disabled). */
async function serverInfo(c: Conn, s: RedisSettings, server: PrivateServer | null, url: string): Promise<Record<string, unknown>> {
  const text = String(await c.sendCommand(['INFO', 'server']));
  const persistence = String(await c.sendCommand(['INFO', 'persistence']));
  const field = (t: string, name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(t)?.[1]?.trim() ?? null;
  return {
    server: server ? 'private' : 'user',
    url: redactUrl(url),
    server_version: field(text, 'redis_version'),
    ...(server ? { pid: server.process.pid, persistence: s.persistence } : {}),
    aof_enabled: field(persistence, 'aof_enabled') === '1',
    inbox: 'stream per agent + consumer group; receive = one EVALSHA (XREADGROUP COUNT 1, XACK, XDEL)',
  };
}

class Run extends ServerRun<RedisShared, PrivateServer> {
  /** Cells not yet closed: the run's close removes what they left. */
  private readonly cells = new Set<Cell>();

  constructor(
    private admin: Conn,
    server: PrivateServer | null,
    shared: RedisShared,
    info: Record<string, unknown>,
  ) {
    super(info, shared, server);
  }

  protected override async reconnect(): Promise<void> {
    await release(this.admin);
    this.admin = await connect(this.shared.url, { name: 'busbench-host' });
  }

  async openCell(place: CellPlace): Promise<CellBus> {
    const cell = new Cell(() => this.admin, cellBase(this.shared.prefix, place.id), place, () => this.cells.delete(cell));
    this.cells.add(cell);
    // Every XGROUP CREATE of the cell goes out in one pipeline (issued together, awaited together);
    // all of them settled before a failure removes what the others made.
    const creates: Promise<unknown>[] = [];
    for (const k of cell.keys.values()) {
      for (let i = 0; i < place.scale; i++) creates.push(this.admin.sendCommand(['XGROUP', 'CREATE', k.inbox(i), GROUP, '$', 'MKSTREAM']));
    }
    const failed = (await Promise.allSettled(creates)).find((r) => r.status === 'rejected');
    if (failed !== undefined) {
      await cell.close();
      throw (failed as PromiseRejectedResult).reason;
    }
    return cell;
  }

  protected async release(): Promise<void> {
    try {
      if (this.admin.isOpen) for (const c of [...this.cells]) await c.close();
    } finally {
      await release(this.admin);
    }
  }
}

class Cell implements CellBus {
  readonly spec: RedisCellSpec;
  readonly keys: Map<ConfigName, Keys>;

  constructor(
    private readonly conn: () => Conn,
    base: string,
    private readonly place: CellPlace,
    private readonly closed: () => void,
  ) {
    this.spec = { base };
    this.keys = new Map(place.configs.map((config) => [config, keysOf(base, config)]));
  }

  async stopped(config: ConfigName): Promise<number | null> {
    // Only a config with the shutdown layer has agents that mark themselves stopped.
    if (!layersOf(config).includes('shutdown')) return null;
    return Number(await this.conn().sendCommand(['SCARD', this.keysOf(config).stopped]));
  }

  /** Entries still in the config's inboxes: not yet read, or read and never acknowledged (both stay in the stream). */
  async leftover(config: ConfigName): Promise<number> {
    const k = this.keysOf(config);
    const lens = await Promise.all(Array.from({ length: this.place.scale }, (_, i) => this.conn().sendCommand(['XLEN', k.inbox(i)])));
    return lens.reduce<number>((a, n) => a + Number(n), 0);
  }

  async close(): Promise<void> {
    const admin = this.conn();
    if (!admin.isOpen) return;
    await unlinkAll(admin, [...this.keys.values()].flatMap((k) => everyKey(k, this.place.scale)));
    this.closed();
  }

  private keysOf(config: ConfigName): Keys {
    const k = this.keys.get(config);
    if (k === undefined) throw new Error(`config ${config} is not in cell ${this.place.id}`);
    return k;
  }
}
