import Table from 'cli-table3';
import type { BenchRecord, MaxRateRecord } from '../records/schema.ts';

const rate = (x: number | null) => (x === null ? '–' : `${x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 2 : 0 })}/s`);
const ms = (x: number | null) => (x === null ? '–' : `${x.toFixed(x < 10 ? 2 : 1)} ms`);

/** `busbench capacity --find-max-rate`: the answer per config and scale, then every step measured. */
export function renderMaxRateTables(records: readonly BenchRecord[], colour: boolean): string {
  const list = records.filter((r): r is MaxRateRecord => r.type === 'max_rate');
  if (list.length === 0) return '';
  const style = { head: colour ? ['cyan'] : [], border: colour ? ['grey'] : [] };
  const several = new Set(list.map((r) => r.driver)).size > 1;
  const a = new Table({ head: [...(several ? ['driver'] : []), 'config', 'agents', 'highest rate that held (per agent)', 'offered (all agents)', 'broke at (per agent)', 'search'], style });
  for (const r of list) a.push([...(several ? [r.driver] : []), r.test_name, String(r.agent_count), rate(r.max_rate_per_agent_msgs_per_s), rate(r.max_offered_msgs_per_s), rate(r.broke_at_per_agent_msgs_per_s), r.status]);
  const p = new Table({ head: [...(several ? ['driver'] : []), 'config', 'agents', 'per agent', 'offered', 'p99 from intended', 'p99 from actual', 'late > 1 ms', 'lost', 'held'], style });
  for (const r of list) {
    for (const x of r.points) {
      p.push([...(several ? [r.driver] : []), r.test_name, String(r.agent_count), rate(x.rate_per_agent_msgs_per_s), rate(x.offered_msgs_per_s), ms(x.delivery_intended_p99_ms), ms(x.delivery_p99_ms), x.late_pct === null ? '–' : `${x.late_pct.toFixed(2)}%`, x.lost === null ? '–' : String(x.lost), x.held ? 'yes' : `no (${x.reason === 'rejected' ? `${x.rejected} rejected` : x.reason}${x.unsent ? `; gave up, ${x.unsent} unsent` : ''})`]);
    }
  }
  const first = list[0]!;
  return (
    `Highest sustainable rate: open loop, ${first.pattern}, ${first.arrivals} arrivals, receivers ${first.wait}, ${first.duration_ms / 1000} s per step; a rate holds when p99 delivery from the intended send time is within ${first.budget_p99_ms} ms and nothing is lost\n` +
    `${a.toString()}\n\nSteps, in the order measured\n${p.toString()}\n`
  );
}
