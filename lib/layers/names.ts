/** Configurations busbench measures. `baseline` is the bare bus; the rest wrap it. */
export const LAYERS = ['metrics', 'health', 'rate_limiting', 'shutdown'] as const;
export type LayerName = (typeof LAYERS)[number];

export const CONFIGS = ['baseline', 'noop', ...LAYERS, 'full_integration'] as const;
export type ConfigName = (typeof CONFIGS)[number];

/** The layers that make up each config, outermost first. */
export function layersOf(config: ConfigName): readonly (LayerName | 'noop')[] {
  switch (config) {
    case 'baseline':
      return [];
    case 'noop':
      return ['noop'];
    case 'full_integration':
      return ['shutdown', 'rate_limiting', 'health', 'metrics'];
    default:
      return [config];
  }
}
