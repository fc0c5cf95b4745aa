/**
 * The NATS JetStream driver's entry: its name, flags and their validation. Loaded by every process,
 * so nothing here imports the NATS client or starts anything; host.ts and client.ts are loaded
 * lazily where they run.
 */
import { Problem, serverUrl } from '../../core/parse.ts';
import type { DriverEntry } from '../contract.ts';

export interface NatsSettings {
  /** A user's server (nats:// or tls://host:port), or null: busbench starts a private nats-server. */
  url: string | null;
  /** The nats-server binary for the private server. */
  serverBin: string;
}

/** nats://host:port or tls://host:port, optionally with user:pass@. Syntax only: reachability is checked in host.open(). */
function parseNatsUrl(raw: string, label: string): string {
  return serverUrl(raw, label, { schemes: ['nats', 'tls'], example: 'nats://127.0.0.1:4222', product: 'nats-server', needPort: true });
}

function parseServerBin(raw: string, label: string): string {
  const s = raw.trim();
  if (s === '') throw new Problem(`${label}: empty; name the nats-server binary, e.g. ${label} /usr/sbin/nats-server`);
  return s;
}

export const nats: DriverEntry<NatsSettings> = {
  name: 'nats',
  summary: 'NATS JetStream: a stream per config, a durable pull consumer per agent; layers on core NATS and KV',
  flags: [
    {
      key: 'url',
      flag: '--nats-url',
      env: ['BENCH_NATS_URL'],
      arg: 'URL',
      help: 'a running nats-server with JetStream (nats://host:port); busbench then creates and removes only names with the run prefix',
      default: null,
      parse: parseNatsUrl,
    },
    {
      key: 'serverBin',
      flag: '--nats-server',
      env: ['BENCH_NATS_SERVER'],
      arg: 'BIN',
      help: 'the nats-server binary busbench starts (privately, on loopback) when --nats-url is not given',
      default: 'nats-server',
      parse: parseServerBin,
    },
  ],
  settings(f) {
    // Values arrive parsed by each flag's `parse` (the options pipeline): nothing to check here.
    return { url: (f.values['url'] as string | undefined) ?? null, serverBin: (f.values['serverBin'] as string | undefined) ?? 'nats-server' };
  },
  restartable: (s) => (s.url !== null ? 'busbench restarts only a nats-server it started itself; drop --nats-url (then it starts one)' : null),
  watches: true,
  host: async () => (await import('./host.ts')).host,
  client: async () => (await import('./client.ts')).client,
};
