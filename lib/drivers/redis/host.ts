/**
 * Orchestrator side: the run's server (a private redis-server, or the user's --redis-url), and per
 * cell the inboxes: one stream per agent and config, each with its consumer group.
 */
import { join } from 'node:path';
import { UsageError } from '../../config/errors.ts';
import type { ConfigName } from '../../core/words.ts';
import type { CellBus, CellPlace, DriverHost, DriverRun } from '../contract.ts';
import { connect, redactUrl, release, type Conn } from './connect.ts';
import type { RedisSettings } from './index.ts';
import { deleteUnder } from './cleanup.ts';
import { cellBase, GROUP, keysOf } from './keys.ts';
import { startServer, type PrivateServer } from './server.ts';

/** What every worker gets to reach the bus. */
export interface RedisShared {
  url: string;
  prefix: string;
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
      await server?.stop();
      if (server) throw e;
      throw new UsageError([
        `--redis-url ${redactUrl(url)}: cannot connect (${(e as Error).message || (e as Error).name}); start Redis there, fix the URL, or leave --redis-url out to let busbench start a private redis-server`,
      ]);
    }
    try {
      const info = await serverInfo(admin, s, server, url);
      return new Run(admin, server, url, ctx.prefix, info);
    } catch (e) {
      await release(admin);
      await server?.stop();
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
    redis_version: field(text, 'redis_version'),
    ...(server ? { pid: server.pid, persistence: s.persistence } : {}),
    aof_enabled: field(persistence, 'aof_enabled') === '1',
    inbox: 'stream per agent + consumer group; receive = one EVALSHA (XREADGROUP COUNT 1, XACK, XDEL)',
  };
}

class Run implements DriverRun {
  readonly shared: RedisShared;
  constructor(
    private readonly admin: Conn,
    private readonly server: PrivateServer | null,
    url: string,
    private readonly prefix: string,
    readonly info: Record<string, unknown>,
  ) {
    this.shared = { url, prefix };
  }

  pids(): number[] {
    return this.server ? [this.server.pid] : [];
  }

  async openCell(cell: CellPlace): Promise<CellBus> {
    const base = cellBase(this.prefix, cell.id);
    // Every XGROUP CREATE of the cell goes out in one pipeline (issued together, awaited together).
    const creates: Promise<unknown>[] = [];
    for (const config of cell.configs) {
      const k = keysOf(base, config);
      for (let i = 0; i < cell.scale; i++) creates.push(this.admin.sendCommand(['XGROUP', 'CREATE', k.inbox(i), GROUP, '$', 'MKSTREAM']));
    }
    await Promise.all(creates);
    return new Cell(this.admin, base, cell.scale);
  }

  async close(): Promise<void> {
    try {
      if (this.admin.isOpen) await deleteUnder(this.admin, this.prefix);
    } finally {
      await release(this.admin);
      await this.server?.stop();
    }
  }

  killSync(): void {
    this.server?.killSync();
  }
}

class Cell implements CellBus {
  readonly spec: RedisCellSpec;
  constructor(private readonly admin: Conn, private readonly base: string, private readonly scale: number) {
    this.spec = { base };
  }

  async stopped(config: ConfigName): Promise<number | null> {
    return Number(await this.admin.sendCommand(['SCARD', keysOf(this.base, config).stopped]));
  }

  /** Entries still in the config's inboxes: not yet read, or read and never acknowledged (both stay in the stream). */
  async leftover(config: ConfigName): Promise<number> {
    const k = keysOf(this.base, config);
    const lens = await Promise.all(Array.from({ length: this.scale }, (_, i) => this.admin.sendCommand(['XLEN', k.inbox(i)])));
    return lens.reduce<number>((a, n) => a + Number(n), 0);
  }

  async close(): Promise<void> {
    if (this.admin.isOpen) await deleteUnder(this.admin, this.base);
  }
}
