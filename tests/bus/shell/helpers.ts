import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadShellConfig, type ShellDriverConfig } from '../../../lib/drivers/shell/config.ts';

export const LAYER = { capacity: 1000, backoffMs: 1, maxRetries: 5, healthIntervalMs: 0, noopDelayUs: 0 };
export const EXAMPLE = new URL('../../../lib/drivers/shell/example/busbench.json', import.meta.url).pathname;

/** A fresh directory on tmpfs, removed by the returned function. */
export function tmpDir(prefix: string): { dir: string; done: () => void } {
  const dir = mkdtempSync(join('/dev/shm', `busbench-test-${prefix}-`));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write a library and a driver config for it into `dir`; returns the loaded config. */
export function makeConfig(dir: string, library: string, operations: Record<string, string>, extra: Record<string, unknown> = {}): ShellDriverConfig {
  writeFileSync(join(dir, 'lib.bash'), library);
  const file = join(dir, 'driver.json');
  writeFileSync(file, JSON.stringify({ source: ['lib.bash'], operations, ...extra }));
  const { config, problems } = loadShellConfig(file);
  if (!config) throw new Error(problems.join('\n'));
  return config;
}

/** Pids of agent shells, and of anything they started, whose library logs are below `dir` (by their environment). */
export function shellsAlive(dir: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const env = readFileSync(`/proc/${p}/environ`, 'utf8');
      if (env.includes(`__BB_OUT=${dir}/`)) out.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
