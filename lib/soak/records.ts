/** A soaked cell's series → `soak` records (lib/records/schema.ts SoakRecord), each with its verdict in words. */
import type { Body, SoakRecord } from '../records/schema.ts';
import type { SoakedCell } from './cell.ts';
import type { SoakSeries } from './sampler.ts';
import { fitTrend } from './trend.ts';

/** The first fifth of a soak is settling (code compiled, heaps sized, inboxes filled): not fitted. */
export const SETTLE_FRACTION = 0.2;

/** The least growth over the fitted span that counts as growth, per resource (below it: noise). */
export const FLOORS: Record<string, number> = {
  rss: 1 << 20,
  tmpfs: 64 << 10,
  tmpfs_files: 1,
  file: 4 << 10,
};

const floorOf = (resource: string) => FLOORS[resource] ?? FLOORS[resource.split('_')[0]!] ?? 0;

const NAMES: Record<string, string> = {
  rss: 'RSS (every process)',
  rss_harness: 'RSS of the harness',
  rss_workers: 'RSS of the workers',
  rss_agent_shells: 'RSS of the agent shells',
  rss_server: 'RSS of the bus server',
  tmpfs: 'tmpfs bytes',
  tmpfs_files: 'tmpfs files',
};

export function soakRecords(c: SoakedCell): Body<SoakRecord>[] {
  return c.series.map((s) => soakRecord(c, s));
}

function soakRecord(c: SoakedCell, s: SoakSeries): Body<SoakRecord> {
  const from = c.durationS * SETTLE_FRACTION;
  const fitted = s.points.filter((p) => p[0] >= from);
  const t = fitTrend(fitted, floorOf(s.resource));
  const values = s.points.map((p) => p[1]);
  const what = `${s.config !== null ? `${s.config}: ` : ''}${s.resource === 'file' ? `file ${s.path}` : (NAMES[s.resource] ?? s.resource)}`;
  const num = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(3)) : null);
  let text: string;
  if (t.verdict === 'too few samples') text = `${what}: too few samples to fit (${t.n}); sample more often (--soak-interval) or soak longer`;
  else {
    const sign = t.verdict === 'shrinks' ? -1 : 1;
    const f = inUnit([sign * t.slope, sign * t.low, sign * t.high, (t.high - t.low) / 2], s.unit);
    const [slope, low, high, half] = f.texts;
    if (t.verdict === 'grows') text = `${what} grows ${slope} ${f.unit} without bound (95 % interval ${low} to ${high})`;
    else if (t.verdict === 'shrinks') text = `${what} shrinks ${slope} ${f.unit} (95 % interval ${high} to ${low})`;
    else {
      const floor = floorOf(s.resource);
      const below = t.low > 0 || t.high < 0 ? ` (a trend, but under ${inUnit([floor], s.unit).texts[0]} ${inUnit([floor], s.unit).unit.replace('/min', '')} over the soak)` : '';
      text = `${what} stable: ${t.slope >= 0 ? '+' : ''}${slope} ± ${half} ${f.unit}${below}`;
    }
  }
  return {
    type: 'soak',
    test_name: s.config as SoakRecord['test_name'],
    configs: c.configs,
    agent_count: c.scale,
    resource: s.resource,
    path: s.path,
    unit: s.unit,
    samples_n: s.points.length,
    fit_from_s: Number(from.toFixed(3)),
    duration_s: c.durationS,
    first: values[0] ?? 0,
    last: values[values.length - 1] ?? 0,
    max: values.reduce((a, x) => Math.max(a, x), 0),
    growth_per_min: num(t.slope),
    ci_low_per_min: num(t.low),
    ci_high_per_min: num(t.high),
    verdict: t.verdict,
    text,
    points: s.points.map((p) => [Number(p[0].toFixed(3)), p[1]]),
  };
}

/**
 * Per-minute figures in one unit chosen from the largest: (1234567, 30000) bytes → ["1.2", "0.0"]
 * and "MB/min"; files stay files.
 */
export function inUnit(values: readonly number[], unit: 'bytes' | 'files'): { texts: string[]; unit: string } {
  if (unit === 'files') return { texts: values.map((v) => v.toFixed(1)), unit: 'files/min' };
  const a = Math.max(...values.map(Math.abs));
  const [div, u] = a >= 1 << 30 ? [1 << 30, 'GB'] : a >= 1 << 20 ? [1 << 20, 'MB'] : a >= 1 << 10 ? [1 << 10, 'KB'] : [1, 'B'];
  return { texts: values.map((v) => (v / div).toFixed(1)), unit: `${u}/min` };
}
