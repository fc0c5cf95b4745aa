import type { Options } from '../config/options.ts';
import type { LayerOptions } from '../core/words.ts';

/** The layers' knobs, as every worker gets them, from the resolved options. */
export function layerOptions(opts: Options): LayerOptions {
  return { capacity: opts.inboxCapacity, backoffMs: opts.backoffMs, maxRetries: opts.maxRetries, healthIntervalMs: opts.healthIntervalMs, noopDelayUs: opts.noopDelayUs };
}
