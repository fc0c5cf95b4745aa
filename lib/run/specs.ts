import type { ShellCellSpec } from '../agents/protocol.ts';
import type { Options } from '../config/options.ts';
import type { LayerOptions } from '../drivers/tmpfs/layers/stack.ts';

/** The layers' knobs, as every worker gets them, from the resolved options. */
export function layerOptions(opts: Options): LayerOptions {
  return { capacity: opts.inboxCapacity, backoffMs: opts.backoffMs, maxRetries: opts.maxRetries, healthIntervalMs: opts.healthIntervalMs, noopDelayUs: opts.noopDelayUs };
}

/** What a worker needs to run the shell driver; null for the reference bus. */
export function shellSpec(opts: Options): ShellCellSpec | null {
  return opts.driver === 'shell' && opts.shell ? { config: opts.shell, opTimeoutMs: opts.opTimeoutS * 1000 } : null;
}
