/**
 * Shared by the networked drivers' tests (nats, redis): whether the server binary is installed,
 * a run on a private server, whether a process lives, servers to point them at, settings from flags.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Problem } from '../../lib/core/parse.ts';
import type { DriverEntry, DriverRun } from '../../lib/drivers/contract.ts';
import { driverEntry } from '../../lib/drivers/registry.ts';

const BINARY = { nats: 'nats-server', redis: 'redis-server' } as const;
type Networked = keyof typeof BINARY;

/** The `skip` option of a test that needs the driver's server binary: false, or why it is skipped and how to install it. */
export function skipWithout(driver: Networked): string | false {
  const bin = BINARY[driver];
  return spawnSync(bin, ['--version']).error !== undefined && `${bin} not installed: apt-get install ${bin}`;
}

/** A tmpfs run directory when there is one (as the runner uses), else one in the OS temp directory. */
export function testRunDir(driver: Networked): string {
  try {
    return mkdtempSync(`/dev/shm/busbench-${driver}-test-`);
  } catch {
    return mkdtempSync(join(tmpdir(), `busbench-${driver}-test-`));
  }
}

export { isAlive } from '../helpers/cli.ts';

export interface TestRun {
  run: DriverRun;
  dir: string;
  prefix: string;
  /** Closes the run (stopping its server) and removes its directory. */
  close(): Promise<void>;
}

/** A run of the driver on a private server it starts, through the driver's own host (as the runner opens it). */
export async function openPrivateRun(driver: Networked, prefix = `bbtest-${driver}-${process.pid}-${Date.now()}`, settings: Record<string, unknown> = {}): Promise<TestRun> {
  const dir = testRunDir(driver);
  const defaults = driver === 'nats' ? { url: null, serverBin: BINARY.nats } : { url: null, serverBin: BINARY.redis, persistence: 'off' };
  try {
    const host = await driverEntry(driver).host();
    const run = await host.open({ settings: { ...defaults, ...settings }, runDir: dir, prefix, warn: () => undefined });
    return {
      run,
      dir,
      prefix,
      close: async () => {
        await run.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A loopback port that accepts TCP connections and never says a word (neither NATS's INFO nor a
 * Redis reply): a URL pointing at it must fail within the driver's deadline, not hang.
 */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const socks: Socket[] = [];
  const srv = createServer((s) => {
    socks.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const addr = srv.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of socks) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

/**
 * A driver's settings from raw flag values, as the options pipeline makes them: each given value
 * through its flag's `parse` (a Problem is collected, naming the flag), then `settings()` on the
 * parsed values. `s` is null when any problem was found.
 */
export function driverSettings<S>(entry: DriverEntry<S>, raw: Record<string, string>): { s: S | null; problems: string[] } {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const label = (key: string) => entry.flags.find((f) => f.key === key)?.flag ?? key;
  for (const f of entry.flags) {
    const r = raw[f.key];
    if (r === undefined) continue;
    try {
      values[f.key] = f.parse(r, f.flag);
    } catch (e) {
      if (!(e instanceof Problem)) throw e;
      problems.push(e.message);
    }
  }
  const s = entry.settings({ values, label, cellTimeoutS: 60 }, problems);
  return { s: problems.length > 0 ? null : s, problems };
}
