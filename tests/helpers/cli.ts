import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../scripts/busbench.js', import.meta.url));

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run a command as a user would (real process, no TTY); `tag` marks it and its children in /proc. */
export function run(cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string; tag?: string; onStart?: (p: ChildProcess) => void } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NO_COLOR: '1', ...(opts.env ?? {}), ...(opts.tag ? { BUSBENCH_TEST_TAG: opts.tag } : {}) };
    const p = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d) => (stdout += d));
    p.stderr!.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    opts.onStart?.(p);
  });
}

export const busbench = (args: string[], opts: Parameters<typeof run>[2] = {}) => run(process.execPath, [BIN, ...args], opts);

/** Is a process with this pid alive (signal 0 probes without sending anything; a zombie not yet reaped counts)? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function newTag(): string {
  return `t-${randomUUID()}`;
}

/** Pids of live processes whose environment carries the tag (the run and every worker it forked). */
export function taggedPids(tag: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/environ`, 'latin1').includes(`BUSBENCH_TEST_TAG=${tag}`)) out.push(Number(d));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

export function parseJsonl(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`line ${i + 1} is not JSON: ${l.slice(0, 120)}`);
      }
    });
}
