import { cpus, hostname, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';

export function hostInfo() {
  const c = cpus();
  return {
    hostname: hostname(),
    platform: process.platform,
    arch: process.arch,
    kernel: release(),
    cpu_model: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    mem_total_mb: Math.round(totalmem() / 1048576),
  };
}

export function busbenchVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The commit of the busbench checkout, or null when it is not a git checkout (or git is missing). */
export async function gitSha(): Promise<string | null> {
  const cwd = fileURLToPath(new URL('../..', import.meta.url));
  // One program, no shell: node's execFile (loading zx for it would cost a benchmark's start 0.3 s of CPU).
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd, timeout: 10_000 }, (err, stdout) => {
      const sha = String(stdout).trim();
      resolve(err === null && /^[0-9a-f]{40}$/.test(sha) ? sha : null);
    });
  });
}
