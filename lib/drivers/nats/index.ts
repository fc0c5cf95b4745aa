/**
 * The NATS JetStream driver's entry: its name, flags and their validation. Loaded by every process,
 * so nothing here imports the NATS client or starts anything; host.ts and client.ts are loaded
 * lazily where they run.
 */
import { Problem } from '../../config/parse.ts';
import type { DriverEntry } from '../contract.ts';

export interface NatsSettings {
  /** A user's server (nats:// or tls://host:port), or null: busbench starts a private nats-server. */
  url: string | null;
  /** The nats-server binary for the private server. */
  serverBin: string;
}

/** nats://host:port or tls://host:port, optionally with user:pass@. Syntax only: reachability is checked in host.open(). */
export function parseNatsUrl(raw: string, label: string): string {
  const s = raw.trim();
  const fix = `use e.g. ${label} nats://127.0.0.1:4222 (or leave it unset to let busbench start a private nats-server)`;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new Problem(`${label}: "${raw}" is not a URL; ${fix}`);
  }
  if (u.protocol !== 'nats:' && u.protocol !== 'tls:') throw new Problem(`${label}: "${raw}" has scheme ${u.protocol.slice(0, -1)}, not nats or tls; ${fix}`);
  if (u.hostname === '') throw new Problem(`${label}: "${raw}" names no host; ${fix}`);
  if (u.port === '') throw new Problem(`${label}: "${raw}" names no port; ${fix}`);
  if ((u.pathname !== '' && u.pathname !== '/') || u.search !== '' || u.hash !== '') throw new Problem(`${label}: "${raw}" has a path or query; give only host:port; ${fix}`);
  return s;
}

export function parseServerBin(raw: string, label: string): string {
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
  settings(f, problems) {
    // Values arrive parsed; parse again defensively only what a caller may have built by hand.
    const rawUrl = f.values['url'];
    const rawBin = f.values['serverBin'];
    let url: string | null = null;
    let serverBin = 'nats-server';
    const before = problems.length;
    try {
      if (rawUrl !== undefined && rawUrl !== null) url = parseNatsUrl(String(rawUrl), f.label('url'));
    } catch (e) {
      problems.push((e as Error).message);
    }
    try {
      if (rawBin !== undefined && rawBin !== null) serverBin = parseServerBin(String(rawBin), f.label('serverBin'));
    } catch (e) {
      problems.push((e as Error).message);
    }
    return problems.length > before ? null : { url, serverBin };
  },
  host: async () => (await import('./host.ts')).host,
  client: async () => (await import('./client.ts')).client,
};
