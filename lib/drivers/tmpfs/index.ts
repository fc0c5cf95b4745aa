import type { DriverEntry } from '../contract.ts';

/** The reference bus: no flags of its own; everything lives in the run directory on tmpfs. */
export const tmpfs: DriverEntry<Record<string, never>> = {
  name: 'tmpfs',
  summary: 'the reference file bus: an inbox directory per agent on tmpfs, JSON files, temp + rename',
  flags: [],
  settings: () => ({}),
  watches: true,
  host: async () => (await import('./host.ts')).host,
  client: async () => (await import('./client.ts')).client,
};
