import { Problem } from '../../core/parse.ts';
import { CONFIGS, type ConfigName } from '../../core/words.ts';
import type { DriverEntry } from '../contract.ts';

/**
 * A test driver: the reference tmpfs bus with faults injected on purpose, so that every failure
 * path of the runner can be exercised without breaking a real bus. Not a bus to measure.
 */
export const FAULT_KINDS = ['fail-send', 'fail-receive', 'reject', 'drop', 'dup', 'hang-send', 'hang-receive', 'exit', 'fail-open', 'fail-drain', 'stall'] as const;
/** `stall`: the send blocks its worker this long once, then goes through (a bus that pauses). */
export const STALL_MS = 200;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  kind: FaultKind;
  /** The call it hits: the Nth send (or receive) of the worker running agent 0, from 1; 1 for fail-open/fail-drain. */
  at: number;
  /** Only in this config's clients (all configs when absent). */
  config?: ConfigName;
}

export interface FaultSettings {
  rules: FaultRule[];
}

export const fault: DriverEntry<FaultSettings> = {
  name: 'fault',
  summary: 'test driver: the reference bus with injected faults (--fault-plan); for testing busbench itself',
  flags: [
    {
      key: 'plan',
      flag: '--fault-plan',
      env: ['BENCH_FAULT_PLAN'],
      arg: 'LIST',
      default: null,
      help: `fault driver: faults to inject, KIND@N[:CONFIG] comma-separated; KIND is ${FAULT_KINDS.join(', ')}`,
      parse: parsePlan,
    },
  ],
  settings(f, problems) {
    const rules = f.values.plan as FaultRule[] | undefined;
    if (rules === undefined) {
      problems.push('--driver fault: needs --fault-plan LIST, e.g. --fault-plan drop@3 (it is a test driver)');
      return null;
    }
    return { rules };
  },
  host: async () => (await import('../tmpfs/host.ts')).host,
  client: async () => (await import('./client.ts')).client,
};

export function parsePlan(raw: string, flag: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    const m = /^([a-z-]+)(?:@(\d+))?(?::([a-z_]+))?$/.exec(item);
    const fix = `use KIND@N[:CONFIG], e.g. ${flag} drop@3:noop; KIND is one of ${FAULT_KINDS.join(', ')}`;
    if (!m) throw new Problem(`${flag}: "${item}" is not a fault; ${fix}`);
    const [, kind, at, config] = m;
    if (!(FAULT_KINDS as readonly string[]).includes(kind!)) throw new Problem(`${flag}: unknown fault kind "${kind}"; ${fix}`);
    if (config !== undefined && !(CONFIGS as readonly string[]).includes(config)) throw new Problem(`${flag}: unknown config "${config}" in "${item}"; configs are ${CONFIGS.join(', ')}`);
    const n = at === undefined ? 1 : Number(at);
    if (n < 1) throw new Problem(`${flag}: "${item}": calls count from 1; ${fix}`);
    rules.push({ kind: kind as FaultKind, at: n, ...(config ? { config: config as ConfigName } : {}) });
  }
  return rules;
}
