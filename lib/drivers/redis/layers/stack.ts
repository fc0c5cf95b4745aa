import { layersOf, type ConfigName, type LayerOptions } from '../../../core/words.ts';
import type { BareBus, Ops } from '../bus.ts';
import { HealthLayer } from './health.ts';
import { MetricsLayer } from './metrics.ts';
import { NoopLayer } from './noop.ts';
import { RateLimitLayer } from './rate-limiting.ts';
import { ShutdownLayer } from './shutdown.ts';

/** A config's layers around the bare bus, with handles on the layers that have operations of their own. */
export interface Stack {
  readonly ops: Ops;
  readonly health?: HealthLayer;
  readonly shutdown?: ShutdownLayer;
}

/** Wraps innermost first, so the first name of layersOf() ends up outermost (the reference order). */
export function buildStack(config: ConfigName, bare: BareBus, opts: LayerOptions, healthTtlMs?: number): Stack {
  const { keys, conns, local, names, inboxes } = bare;
  // Per local slot, built once.
  const slotNames = local.map((i) => names[i]!);
  let ops: Ops = bare;
  let health: HealthLayer | undefined;
  let shutdown: ShutdownLayer | undefined;
  for (const name of [...layersOf(config)].reverse()) {
    switch (name) {
      case 'noop':
        ops = new NoopLayer(ops, opts.noopDelayUs);
        break;
      case 'metrics':
        ops = new MetricsLayer(ops, conns, local, names, keys.metrics);
        break;
      case 'health':
        ops = health = new HealthLayer(ops, conns, local.map((i) => keys.heartbeat(i)), opts.healthIntervalMs, healthTtlMs);
        break;
      case 'rate_limiting':
        ops = new RateLimitLayer(ops, conns, inboxes, opts);
        break;
      case 'shutdown':
        ops = shutdown = new ShutdownLayer(ops, keys.shutdown, keys.stopped, slotNames);
        break;
    }
  }
  return { ops, ...(health ? { health } : {}), ...(shutdown ? { shutdown } : {}) };
}
