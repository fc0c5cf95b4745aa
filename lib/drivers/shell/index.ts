import { resolve } from 'node:path';
import { Problem, nonNegativeNumber } from '../../core/parse.ts';
import type { DriverEntry } from '../contract.ts';
import { loadShellConfig, type ShellDriverConfig } from './config.ts';
import { skippedLayers } from './compose.ts';

export interface ShellSettings {
  config: ShellDriverConfig;
  /** Seconds one library call may take before its agent shell is killed. */
  opTimeoutS: number;
}

const EXAMPLE = 'lib/drivers/shell/example/busbench.json';

/** Your bash library, measured through long-lived agent shells (one bash process per agent). */
export const shell: DriverEntry<ShellSettings> = {
  name: 'shell',
  summary: `your bash library, one long-lived bash process per agent (--driver-config, e.g. ${EXAMPLE})`,
  flags: [
    { key: 'driverConfig', flag: '--driver-config', env: ['BENCH_DRIVER_CONFIG'], arg: 'FILE', default: null, help: 'shell driver: JSON config naming the bash files, env and command templates (see docs/drivers.md)', parse: (r) => resolve(r) },
    { key: 'opTimeoutS', flag: '--op-timeout', env: ['BENCH_OP_TIMEOUT'], arg: 'S', default: 10, help: 'shell driver: seconds one library call may take before it is stopped and recorded as a timeout', parse: positiveSeconds },
  ],
  settings(f, problems) {
    const file = f.values.driverConfig as string | undefined;
    const opTimeoutS = (f.values.opTimeoutS as number | undefined) ?? 10;
    if (file === undefined) {
      problems.push(`--driver shell: needs --driver-config FILE, a JSON config naming your bash files and command templates (example: ${EXAMPLE})`);
      return null;
    }
    const { config, problems: found } = loadShellConfig(file, f.label('driverConfig'));
    problems.push(...found);
    if (opTimeoutS >= f.cellTimeoutS) problems.push(`${f.label('opTimeoutS')}: ${opTimeoutS} s is not below --cell-timeout ${f.cellTimeoutS} s; a hanging call must be stopped before its cell times out`);
    return config === null ? null : { config, opTimeoutS };
  },
  skipped: (s) => skippedLayers(s.config).map((x) => ({ layer: x.layer, reason: `driver config has no "${x.missing}" operation` })),
  host: async () => (await import('./host.ts')).host,
  client: async () => (await import('./client.ts')).client,
};

function positiveSeconds(raw: string, flag: string): number {
  const n = nonNegativeNumber(raw, flag, 3600);
  if (n <= 0) throw new Problem(`${flag}: must be more than 0 seconds; use e.g. ${flag} 10`);
  return n;
}
