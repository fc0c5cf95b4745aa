/**
 * The Redis Streams driver's entry: its name, flags and their validation. Loaded by every process,
 * so nothing here imports the Redis client or starts a server; host.ts and client.ts are loaded
 * lazily where they run.
 */
import { Problem } from '../../config/parse.ts';
import type { DriverEntry } from '../contract.ts';
import type { Persistence } from './server.ts';

export interface RedisSettings {
  /** A user's server (redis:// or rediss://host:port[/db]), or null: busbench starts a private redis-server. */
  url: string | null;
  /** The redis-server binary for the private server. */
  serverBin: string;
  /** The private server's persistence (a user's server keeps its own). */
  persistence: Persistence;
}

const PERSISTENCE: readonly Persistence[] = ['off', 'rdb', 'aof'];

/** Syntax only: reachability is checked in host.open(), where a connection is allowed. */
export function parseRedisUrl(raw: string, label: string): string {
  const s = raw.trim();
  const fix = `use e.g. ${label} redis://127.0.0.1:6379/0 (or leave it unset to let busbench start a private redis-server)`;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new Problem(`${label}: "${raw}" is not a URL; ${fix}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Problem(`${label}: "${raw}" has scheme ${u.protocol.slice(0, -1)}, not redis or rediss; ${fix}`);
  if (u.hostname === '') throw new Problem(`${label}: "${raw}" names no host; ${fix}`);
  if (u.search !== '' || u.hash !== '') throw new Problem(`${label}: "${raw}" has a query or fragment; give only host:port and a database number; ${fix}`);
  if (u.pathname !== '' && u.pathname !== '/' && !/^\/\d{1,5}$/.test(u.pathname)) {
    throw new Problem(`${label}: "${raw}" has path ${u.pathname}; the only path allowed is a database number such as /0; ${fix}`);
  }
  return s;
}

export function parseServerBin(raw: string, label: string): string {
  const s = raw.trim();
  if (s === '') throw new Problem(`${label}: empty; name the redis-server binary, e.g. ${label} /usr/bin/redis-server`);
  return s;
}

export function parsePersistence(raw: string, label: string): Persistence {
  const s = raw.trim().toLowerCase();
  if (!(PERSISTENCE as readonly string[]).includes(s)) throw new Problem(`${label}: "${raw}" is not a persistence mode; choose from ${PERSISTENCE.join(', ')}`);
  return s as Persistence;
}

export const redis: DriverEntry<RedisSettings> = {
  name: 'redis',
  summary: 'Redis Streams: a stream with a consumer group per agent inbox; layers as Redis keys (metrics stream, heartbeat TTL keys, XLEN, a shutdown key + channel)',
  flags: [
    {
      key: 'url',
      flag: '--redis-url',
      env: ['BENCH_REDIS_URL'],
      arg: 'URL',
      help: 'a running Redis (redis://[user:pass@]host:port[/db]); busbench then creates and removes only keys with the run prefix',
      default: null,
      parse: parseRedisUrl,
    },
    {
      key: 'serverBin',
      flag: '--redis-server',
      env: ['BENCH_REDIS_SERVER'],
      arg: 'BIN',
      help: 'the redis-server binary busbench starts (privately, on 127.0.0.1) when --redis-url is not given',
      default: 'redis-server',
      parse: parseServerBin,
    },
    {
      key: 'persistence',
      flag: '--redis-persistence',
      env: ['BENCH_REDIS_PERSISTENCE'],
      arg: 'MODE',
      help: `private server's persistence: ${PERSISTENCE.join(', ')} (off: --save '' --appendonly no; aof: appendfsync everysec)`,
      default: 'off',
      parse: parsePersistence,
    },
  ],
  settings(f, problems) {
    // Values arrive parsed; parse again only what a caller may have built by hand.
    const before = problems.length;
    const attempt = <T>(key: string, fallback: T, parse: (raw: string, label: string) => T): T => {
      const raw = f.values[key];
      if (raw === undefined || raw === null) return fallback;
      try {
        return parse(String(raw), f.label(key));
      } catch (e) {
        problems.push((e as Error).message);
        return fallback;
      }
    };
    const url = attempt<string | null>('url', null, parseRedisUrl);
    const serverBin = attempt('serverBin', 'redis-server', parseServerBin);
    const persistence = attempt<Persistence>('persistence', 'off', parsePersistence);
    if (url !== null && f.values['persistence'] !== undefined && persistence !== 'off') {
      problems.push(`${f.label('persistence')}: applies only to the private server; with ${f.label('url')} the server keeps its own settings: drop one of the two`);
    }
    return problems.length > before ? null : { url, serverBin, persistence };
  },
  host: async () => (await import('./host.ts')).host,
  client: async () => (await import('./client.ts')).client,
};
