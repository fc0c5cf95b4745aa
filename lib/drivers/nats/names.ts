/**
 * Every name the driver makes on a server, derived from the run prefix, so that the host, the
 * workers and the clean-up agree without passing lists around, and so that a user's server is
 * touched only under names that carry this run's prefix (the clean-up deletes them by name).
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

/** `prefix`: the run prefix, already made safe (safePrefix, done once by the host: NatsShared.prefix). */
export function namesOf(prefix: string, cell: number | string, config: ConfigName | string): Names {
  const base = `${prefix}.c${cell}.${config}`;
  return {
    stream: `${prefix}_c${cell}_${config}`,
    bucket: `${prefix}_c${cell}_${config}`,
    metrics: `${prefix}.metrics.c${cell}.${config}`,
    inboxes: `${base}.*`,
    inbox: (agent) => `${base}.${agent}`,
  };
}
