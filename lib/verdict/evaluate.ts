/**
 * Judges thresholds against the records of a run. A threshold without "@agents" is checked at
 * every scale the records hold; it passes only when every check passes and at least one check
 * could be made (a gate on data that is missing fails, it never passes by default).
 */
import type { Operation } from '../core/words.ts';
import type { AbRecord, BenchRecord, Body, IntegrityRecord, OverheadRecord, SoakRecord, StatisticsRecord, ThresholdCheck, ThresholdRecord } from '../records/schema.ts';
import type { Comparator, Threshold } from './syntax.ts';
import { ofType as of } from '../records/select.ts';
import { detectTimes, nearestRank } from '../faults/rows.ts';


export function compare(value: number, cmp: Comparator, limit: number): boolean {
  switch (cmp) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

const round = (x: number) => Number(x.toFixed(6));

/** The checks one threshold makes on the records (one per scale, or one for a total). */
function checksOf(t: Threshold, records: readonly BenchRecord[]): ThresholdCheck[] {
  const s = t.subject;
  const at = (n: number | null) => (r: { agent_count: number }) => n === null || r.agent_count === n;
  const check = (agents: number | null, operation: Operation | null, value: number | null, note?: string): ThresholdCheck => ({
    agent_count: agents,
    operation,
    value: value === null ? null : round(value),
    passed: value !== null && compare(round(value), t.comparator, t.limit),
    ...(note ? { note } : {}),
  });
  switch (s.kind) {
    case 'latency': {
      const stats = (of(records, 'statistics') as StatisticsRecord[]).filter((r) => r.test_name === s.config && r.operation === s.operation && at(s.agents)(r));
      return stats.map((r) => check(r.agent_count, r.operation, r[`${s.stat}_ms`] * 1000));
    }
    case 'overhead':
    case 'resolution': {
      const config = s.kind === 'overhead' ? s.config : 'noop';
      const ovs = (of(records, 'overhead') as OverheadRecord[]).filter((r) => r.test_name === config && r.operation === s.operation && at(s.agents)(r));
      return ovs.map((r) => {
        if (s.kind === 'resolution') {
          if (r.ci_low_pct === null || r.ci_high_pct === null) return check(r.agent_count, r.operation, null, 'no interval (one statistical run); use --runs 2 or more');
          return check(r.agent_count, r.operation, (r.ci_high_pct - r.ci_low_pct) / 2);
        }
        if (t.unit === 'us') return check(r.agent_count, r.operation, r.overhead_us);
        if (s.bound === 'estimate') return check(r.agent_count, r.operation, r.overhead_pct);
        const b = s.bound === 'upper' ? r.ci_high_pct : r.ci_low_pct;
        return check(r.agent_count, r.operation, b, b === null ? 'no interval (one statistical run); use --runs 2 or more' : undefined);
      });
    }
    case 'ab': {
      const abs = (of(records, 'ab') as AbRecord[]).filter((r) => r.test_name === s.config && r.operation === s.operation && at(s.agents)(r));
      return abs.map((r) => {
        if (t.unit === 'us') return check(r.agent_count, r.operation, r.change_us);
        if (s.bound === 'estimate') return check(r.agent_count, r.operation, r.change_pct);
        const b = s.bound === 'upper' ? r.ci_high_pct : r.ci_low_pct;
        return check(r.agent_count, r.operation, b, b === null ? 'no interval (one statistical run); use --runs 2 or more' : undefined);
      });
    }
    case 'fault': {
      // Per scale with fault records; a watch that never saw the agent stale counts as slower than any time.
      const scales = [...new Set((of(records, 'fault') as { agent_count: number }[]).map((r) => r.agent_count))].filter((n) => s.agents === null || n === s.agents).sort((a, b) => a - b);
      const out: ThresholdCheck[] = [];
      for (const n of scales) {
        const { times, undetected } = detectTimes(records, n);
        if (times.length + undetected === 0) continue;
        const all = [...times, ...new Array<number>(undetected).fill(Infinity)];
        const v = s.stat === 'max' ? all[all.length - 1]! : nearestRank(all, s.stat === 'p50' ? 50 : 95)!;
        out.push(v === Infinity ? check(n, null, null, `not detected in ${undetected} of ${all.length} watches`) : check(n, null, v * 1000));
      }
      return out;
    }
    case 'growth': {
      const soaks = (of(records, 'soak') as SoakRecord[]).filter((r) => r.resource === s.resource);
      return soaks.map((r) => check(r.agent_count, null, r.growth_per_min, `${r.test_name ?? 'processes'}${r.path ? ` ${r.path}` : ''}${r.growth_per_min === null ? ': too few samples' : ''}`));
    }
    case 'integrity': {
      const cells = (of(records, 'integrity') as IntegrityRecord[]).filter(at(s.agents));
      if (cells.length === 0) return [];
      return [check(s.agents, null, cells.reduce((a, r) => a + r[s.counter], 0))];
    }
  }
}

/** The value furthest on the failing side: the largest for < and <=, the smallest for > and >=. */
function worstOf(t: Threshold, checks: ThresholdCheck[]): number | null {
  const values = checks.map((c) => c.value).filter((v): v is number => v !== null);
  if (values.length === 0) return null;
  if (t.comparator === '<' || t.comparator === '<=') return Math.max(...values);
  if (t.comparator === '>' || t.comparator === '>=') return Math.min(...values);
  const failing = checks.find((c) => !c.passed && c.value !== null);
  return failing?.value ?? values[0]!;
}

export function evaluateThreshold(t: Threshold, records: readonly BenchRecord[]): Body<ThresholdRecord> {
  const checks = checksOf(t, records);
  const passed = checks.length > 0 && checks.every((c) => c.passed);
  let reason: string | undefined;
  if (checks.length === 0) reason = 'no matching records: this config, scale or operation was not measured (or its cells failed)';
  else if (!passed) {
    const bad = checks.filter((c) => !c.passed);
    reason = bad.map((c) => `${c.agent_count === null ? 'total' : `@${c.agent_count}`}${c.operation ? ` ${c.operation}` : ''}${t.subject.kind === 'growth' && c.note ? ` ${c.note}` : ''}: ${c.value === null ? (c.note ?? 'no value') : `${c.value}${t.unit === 'count' ? '' : t.unit}`}`).join('; ');
  }
  return {
    type: 'threshold',
    expression: t.text,
    passed,
    comparator: t.comparator,
    limit: t.limit,
    unit: t.unit,
    worst: worstOf(t, checks),
    checks,
    ...(reason ? { reason } : {}),
  };
}

export function evaluateThresholds(ts: readonly Threshold[], records: readonly BenchRecord[]): Body<ThresholdRecord>[] {
  return ts.map((t) => evaluateThreshold(t, records));
}
