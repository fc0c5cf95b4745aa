import type { RunRecord } from '../records/schema.ts';

/** What a run's figures depend on besides the code under test. */
export interface Fingerprint {
  cpu_model: string;
  cores: number;
  kernel: string;
  node_version: string;
  tmpfs: boolean;
  busbench_version: string;
  git_sha: string | null;
}

export function fingerprintOf(run: RunRecord): Fingerprint {
  return {
    cpu_model: run.host.cpu_model,
    cores: run.host.cores,
    kernel: run.host.kernel,
    node_version: run.node_version,
    tmpfs: run.tmpfs.is_tmpfs,
    busbench_version: run.busbench_version,
    git_sha: run.git_sha ?? null,
  };
}

/** Machine fields: a difference here makes the two runs' figures incomparable. */
export const MACHINE_FIELDS = ['cpu_model', 'cores', 'kernel', 'node_version', 'tmpfs'] as const;
/** Build fields: expected to differ when two builds are compared; reported, not warned about. */
export const BUILD_FIELDS = ['busbench_version', 'git_sha'] as const;
/** Settings that change the figures themselves. */
export const SETTINGS = ['runs', 'iterations', 'warmup', 'workers', 'payloadBytes', 'inboxCapacity', 'backoffMs', 'maxRetries', 'healthIntervalMs', 'healthQueryEvery', 'noopDelayUs'] as const;

export interface Difference {
  field: string;
  old: unknown;
  new: unknown;
}

export function differences(a: RunRecord, b: RunRecord): { machine: Difference[]; build: Difference[]; settings: Difference[] } {
  const fa = fingerprintOf(a);
  const fb = fingerprintOf(b);
  const diff = <K extends string>(keys: readonly K[], x: Record<K, unknown>, y: Record<K, unknown>) =>
    keys.filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k])).map((k) => ({ field: k, old: x[k], new: y[k] }));
  return {
    machine: diff(MACHINE_FIELDS, fa, fb),
    build: diff(BUILD_FIELDS, fa, fb),
    settings: [
      ...diff(SETTINGS, a.config as Record<string, unknown>, b.config as Record<string, unknown>),
      // How the configs shared the cells changes every overhead's spread (a file from before: separate).
      ...diff(['interleaved'], { interleaved: a.interleaved ?? false }, { interleaved: b.interleaved ?? false }),
    ],
  };
}
