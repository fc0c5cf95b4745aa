/** Shared by the Redis driver's tests: is redis-server there, and a run on a private server. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverRun } from '../../../lib/drivers/contract.ts';
import { host } from '../../../lib/drivers/redis/host.ts';
import type { RedisSettings } from '../../../lib/drivers/redis/index.ts';

export const noServer = spawnSync('redis-server', ['--version']).error !== undefined;
export const SKIP = noServer && 'redis-server not installed: apt-get install redis-server';

export const LAYER = { capacity: 1000, backoffMs: 0, maxRetries: 0, healthIntervalMs: 0, noopDelayUs: 0 };

/** A tmpfs run directory when there is one (as the runner uses), else the OS temp directory. */
export function runDir(): string {
  let root = tmpdir();
  try {
    root = mkdtempSync('/dev/shm/busbench-redis-test-');
    return root;
  } catch {
    return mkdtempSync(join(root, 'busbench-redis-test-'));
  }
}

export interface TestRun {
  run: DriverRun;
  dir: string;
  prefix: string;
  close(): Promise<void>;
}

export async function openPrivateRun(settings: Partial<RedisSettings> = {}): Promise<TestRun> {
  const dir = runDir();
  const prefix = `bbtest-${process.pid}-${Date.now()}`;
  const run = await host.open({
    settings: { url: null, serverBin: 'redis-server', persistence: 'off', ...settings },
    runDir: dir,
    prefix,
    warn: () => undefined,
  });
  return {
    run,
    dir,
    prefix,
    close: async () => {
      await run.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Is a process with this pid alive (signal 0 probes without sending anything)? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
