/**
 * Every name the driver makes on a server, derived from the run prefix, so that the host, the
 * workers and the clean-up agree without passing lists around, and so that a user's server is
 * touched only under names that carry this run's prefix.
 *
 *   stream     <P>_c<cell>_<config>                   (the config's inboxes, one work queue)
 *   subject    <P>.c<cell>.<config>.<agent>           (an agent's inbox)
 *   consumer   <agent>                                (durable pull consumer on the agent's subject)
 *   KV bucket  <P>_c<cell>_<config>                   (stream KV_<P>_c<cell>_<config>; health, shutdown)
 *   metrics    <P>.metrics.c<cell>.<config>           (core NATS, outside every stream's subjects)
 */
import type { ConfigName } from '../../core/words.ts';

/** Stream, bucket and subject tokens allow letters, digits, '-' and '_' everywhere we use them. */
export function safePrefix(prefix: string): string {
  const s = prefix.replace(/[^A-Za-z0-9_-]/g, '_');
  return s === '' ? 'busbench' : s;
}

export interface Names {
  readonly stream: string;
  readonly bucket: string;
  readonly metrics: string;
  /** Wildcard of every inbox of the config (the stream's subjects). */
  readonly inboxes: string;
  inbox(agent: string): string;
}

export function namesOf(prefix: string, cell: number | string, config: ConfigName | string): Names {
  const p = safePrefix(prefix);
  const base = `${p}.c${cell}.${config}`;
  return {
    stream: `${p}_c${cell}_${config}`,
    bucket: `${p}_c${cell}_${config}`,
    metrics: `${p}.metrics.c${cell}.${config}`,
    inboxes: `${base}.*`,
    inbox: (agent) => `${base}.${agent}`,
  };
}

/** Streams that belong to this run (inbox streams and the KV buckets' streams). */
export function ownedByRun(prefix: string, stream: string): boolean {
  const p = safePrefix(prefix);
  return stream.startsWith(`${p}_`) || stream.startsWith(`KV_${p}_`);
}

/** Streams that belong to one cell. */
export function ownedByCell(prefix: string, cell: number | string, stream: string): boolean {
  const p = `${safePrefix(prefix)}_c${cell}_`;
  return stream.startsWith(p) || stream.startsWith(`KV_${p}`);
}
