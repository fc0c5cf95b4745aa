import { cpus, hostname, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';

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
  try {
    const p = await $({ cwd, quiet: true, nothrow: true })`git rev-parse HEAD`;
    const sha = p.stdout.trim();
    return p.exitCode === 0 && /^[0-9a-f]{40}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}
