/**
 * Every driver busbench knows, by name. Adding a driver: a folder lib/drivers/<name>/ whose
 * index.ts exports its DriverEntry (contract.ts), and one line here.
 */
import type { DriverEntry } from './contract.ts';
import { tmpfs } from './tmpfs/index.ts';
import { shell } from './shell/index.ts';
import { nats } from './nats/index.ts';
import { redis } from './redis/index.ts';
import { fault } from './fault/index.ts';

export const DRIVERS: readonly DriverEntry<never>[] = [tmpfs, shell, nats, redis, fault] as DriverEntry<never>[];

export const DRIVER_NAMES = DRIVERS.map((d) => d.name);

/** Drivers whose clients can wake a receiver when mail arrives (`watches` in their entry; ConfigClient.watch). */
export const WATCHING_DRIVERS: readonly string[] = DRIVERS.filter((d) => d.watches === true).map((d) => d.name);

export function driverEntry(name: string): DriverEntry<unknown> {
  const d = DRIVERS.find((x) => x.name === name);
  if (!d) throw new Error(`unknown driver "${name}"; the drivers are ${DRIVER_NAMES.join(', ')}`);
  return d as DriverEntry<unknown>;
}
