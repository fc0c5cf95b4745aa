import type { ConfigDone } from '../core/protocol.ts';
import type { Operation } from '../core/words.ts';
import type { EncodedHistogram } from '../measure/histogram.ts';
import type { Part } from './state.ts';

/**
 * What a workload adds to a config's report: its histograms (open-loop latency from the intended
 * send time, request-reply's round trips), their samples with --raw (put into `samples`), and the
 * open loop's per-send lag.
 */
export function workloadResults(p: Part, samples: ConfigDone['samples']): Pick<ConfigDone, 'schedule' | 'histograms'> {
  const histograms: Partial<Record<Operation, EncodedHistogram>> = {};
  if (p.intended) histograms.delivery_intended = p.intended.encode();
  if (p.roundTrip) histograms.round_trip = p.roundTrip.encode();
  if (p.intendedRaw) samples.delivery_intended = p.intendedRaw.values();
  if (p.roundTripRaw) samples.round_trip = p.roundTripRaw.values();
  return { ...(p.lag ? { schedule: { lagNs: p.lag.values(), unsent: p.unsent } } : {}), ...(Object.keys(histograms).length > 0 ? { histograms } : {}) };
}
