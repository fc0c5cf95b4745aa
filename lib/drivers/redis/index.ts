/**
 * The Redis Streams driver's entry: its name, flags and their validation. Loaded by every process,
 * so nothing here imports the Redis client or starts a server; host.ts and client.ts are loaded
 * lazily where they run.
 */
import { Problem, serverUrl } from '../../core/parse.ts';
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

/** redis://[user:pass@]host[:port][/db], or rediss://. Syntax only: reachability is checked in host.open(). */
function parseRedisUrl(raw: string, label: string): string {
  return serverUrl(raw, label, {
    schemes: ['redis', 'rediss'],
    example: 'redis://127.0.0.1:6379/0',
    product: 'redis-server',
    needPort: false,
    path: { allowed: /^\/\d{1,5}$/, what: 'a database number such as /0' },
  });
}

function parseServerBin(raw: string, label: string): string {
  const s = raw.trim();
  if (s === '') throw new Problem(`${label}: empty; name the redis-server binary, e.g. ${label} /usr/bin/redis-server`);
  return s;
}

function parsePersistence(raw: string, label: string): Persistence {
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
    // Values arrive parsed by each flag's `parse` (the options pipeline); only their combination is checked here.
    const url = (f.values['url'] as string | undefined) ?? null;
    const given = f.values['persistence'] as Persistence | undefined;
    if (url !== null && given !== undefined && given !== 'off') {
      problems.push(`${f.label('persistence')}: applies only to the private server; with ${f.label('url')} the server keeps its own settings: drop one of the two`);
      return null;
    }
    return { url, serverBin: (f.values['serverBin'] as string | undefined) ?? 'redis-server', persistence: given ?? 'off' };
  },
  restartable: (s) => (s.url !== null ? 'busbench restarts only a redis-server it started itself; drop --redis-url (then it starts one)' : null),
  watches: true,
  host: async () => (await import('./host.ts')).host,
  client: async () => (await import('./client.ts')).client,
};
