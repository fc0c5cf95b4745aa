/** Shared by the NATS driver tests: whether a nats-server is there, and a run on a private one. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerOptions } from '../../../lib/core/words.ts';
import type { DriverRun } from '../../../lib/drivers/contract.ts';
import { host } from '../../../lib/drivers/nats/host.ts';

export const noServer = spawnSync('nats-server', ['--version']).error !== undefined;
export const SKIP = noServer && 'nats-server not installed: apt-get install nats-server';

export const LAYER: LayerOptions = { capacity: 1000, backoffMs: 1, maxRetries: 2, healthIntervalMs: 0, noopDelayUs: 0 };

export async function privateRun(prefix: string): Promise<{ run: DriverRun; runDir: string; done(): Promise<void> }> {
  const runDir = mkdtempSync(join('/dev/shm', 'busbench-nats-test-'));
  const run = await host.open({ settings: { url: null, serverBin: 'nats-server' }, runDir, prefix, warn: () => {} });
  return {
    run,
    runDir,
    async done() {
      await run.close();
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
