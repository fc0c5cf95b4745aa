/**
 * Every key the driver makes, derived from the run prefix, so that the host, the workers and the
 * clean-up agree without passing lists around, and so that a user's server is only ever touched
 * under keys that start with this run's prefix, and the clean-up removes them by name.
 *
 *   inbox      <P>:c<cell>:<config>:<agent>            stream, consumer group "g"
 *   metrics    <P>:c<cell>:<config>:~metrics           stream, trimmed with MAXLEN ~
 *   heartbeat  <P>:c<cell>:<config>:~health:<agent>    string with a TTL
 *   shutdown   <P>:c<cell>:<config>:~shutdown          string (flag) + pub/sub channel of that name
 *   stopped    <P>:c<cell>:<config>:~stopped           set of agents the coordinated shutdown stopped
 *
 * Agent ids are letters, digits and '-', so no agent key can collide with a `~` name.
 */
import { agentId } from '../../core/agents.ts';

/** The consumer group every inbox has (one consumer: the agent). */
export const GROUP = 'g';

export interface Keys {
  readonly base: string;
  inbox(agent: number): string;
  heartbeat(agent: number): string;
  readonly metrics: string;
  readonly shutdown: string;
  readonly stopped: string;
}

export function cellBase(prefix: string, cell: number): string {
  return `${prefix}:c${cell}`;
}

export function keysOf(cellBaseKey: string, config: string): Keys {
  const base = `${cellBaseKey}:${config}`;
  return {
    base,
    inbox: (i) => `${base}:${agentId(i)}`,
    heartbeat: (i) => `${base}:~health:${agentId(i)}`,
    metrics: `${base}:~metrics`,
    shutdown: `${base}:~shutdown`,
    stopped: `${base}:~stopped`,
  };
}

/** Every key a config's bus can make at `scale` agents, whichever of its layers wrote them (clean-up by name). */
export function everyKey(k: Keys, scale: number): string[] {
  const out = [k.metrics, k.shutdown, k.stopped];
  for (let i = 0; i < scale; i++) out.push(k.inbox(i), k.heartbeat(i));
  return out;
}
