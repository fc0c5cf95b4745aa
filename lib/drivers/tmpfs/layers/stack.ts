import type { Bus } from '../types.ts';
import type { Layout } from '../layout.ts';
import { HealthLayer } from './health.ts';
import { MetricsLayer } from './metrics.ts';
import { layersOf, type ConfigName, type LayerOptions } from '../../../core/words.ts';
import { NoopLayer, SendWait } from './noop.ts';
import { RateLimitLayer } from './rate-limiting.ts';
import { ShutdownLayer } from './shutdown.ts';
import type { Layer } from './wrapper.ts';


/** A config's layers wrapped around a bus, with handles on the layers that have their own operations. */
export interface Stack {
  readonly config: ConfigName;
  readonly bus: Bus;
  readonly layers: readonly Layer[];
  readonly health?: HealthLayer;
  readonly shutdown?: ShutdownLayer;
}

export function buildStack(config: ConfigName, base: Bus, paths: Layout, opts: LayerOptions): Stack {
  // busbench ab --b-delay-us: a send-only busy-wait innermost, i.e. inside the bare bus's send (not a layer of the config).
  let bus: Bus = opts.sendDelayUs !== undefined ? new SendWait(base, opts.sendDelayUs) : base;
  const layers: Layer[] = [];
  let health: HealthLayer | undefined;
  let shutdown: ShutdownLayer | undefined;
  // Wrap innermost first, so the first name in layersOf() ends up outermost.
  for (const name of [...layersOf(config)].reverse()) {
    let layer: Layer;
    switch (name) {
      case 'noop':
        layer = new NoopLayer(bus, opts.noopDelayUs);
        break;
      case 'metrics':
        layer = new MetricsLayer(bus, paths.metricsFile);
        break;
      case 'health':
        layer = health = new HealthLayer(bus, paths, opts.healthIntervalMs);
        break;
      case 'rate_limiting':
        layer = new RateLimitLayer(bus, opts);
        break;
      case 'shutdown':
        layer = shutdown = new ShutdownLayer(bus, paths);
        break;
    }
    layers.unshift(layer);
    bus = layer;
  }
  return { config, bus, layers, ...(health ? { health } : {}), ...(shutdown ? { shutdown } : {}) };
}
