/** Plain data that crosses from the host to the workers over IPC. */
export interface NatsShared {
  /** Where the workers connect (may carry the user's credentials: never put it in a record). */
  url: string;
  /** The run prefix, already made safe for stream and subject names. */
  prefix: string;
  /** --fault restart-server: connections reconnect and pulls are asked again after a restart (else a lost server fails the cell at once). */
  reconnect?: boolean;
}

export interface NatsCellSpec {
  id: number;
}

export function asShared(x: unknown): NatsShared {
  const s = x as Partial<NatsShared> | null;
  if (s === null || typeof s !== 'object' || typeof s.url !== 'string' || typeof s.prefix !== 'string') throw new Error('nats driver: the shared data from the host is missing its url or prefix');
  return { url: s.url, prefix: s.prefix, ...(s.reconnect === true ? { reconnect: true } : {}) };
}

export function asCellSpec(x: unknown): NatsCellSpec {
  const s = x as Partial<NatsCellSpec> | null;
  if (s === null || typeof s !== 'object' || typeof s.id !== 'number') throw new Error('nats driver: the cell spec from the host is missing its id');
  return { id: s.id };
}
