import { cpus, hostname, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

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
