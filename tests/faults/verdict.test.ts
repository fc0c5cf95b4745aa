/** Thresholds and the table section on --fault records (records written by hand here). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseThreshold, ThresholdSyntaxError } from '../../lib/verdict/syntax.ts';
import { evaluateThreshold } from '../../lib/verdict/evaluate.ts';
import { faultRows } from '../../lib/faults/rows.ts';
import type { BenchRecord } from '../../lib/records/schema.ts';

const base = { schema: 1 as const, timestamp: '2026-12-02T00:00:00Z', driver: 'tmpfs', type: 'fault' as const, test_name: 'interleaved' as const, kind: 'kill-agent' as const, fault: 'kill-agent:1@50%', target: 'agent 1', at_pct: 50, at_round: 10, at_ms: 5, pids: [], signal: null, method: 'worker stops the agent' as const };
const rec = (agents: number, run: number, detect: Record<string, number | null>, drain?: Record<string, number>): BenchRecord => ({ ...base, agent_count: agents, run, health_detect_ms: detect, ...(drain ? { shutdown_drain_ms: drain } : {}) });

// At 4 agents: 20 cells detected after 100..290 ms (step 10); at 8 agents: one detected, one never.
const records: BenchRecord[] = [...Array.from({ length: 20 }, (_, i) => rec(4, i + 1, { health: 100 + 10 * i }, { shutdown: i })), rec(8, 1, { health: 50 }), rec(8, 2, { health: null })];

test('fault.health_detect_ms thresholds: nearest-rank percentiles per scale; a watch that never detected fails the gate', () => {
  const at4 = (expr: string) => evaluateThreshold(parseThreshold(expr), records.filter((r) => r.type === 'fault' && r.agent_count === 4));
  // p95 of 20 values by nearest rank is the 19th: 100 + 10·18 = 280 ms; p50 the 10th: 190 ms.
  assert.deepEqual(at4('fault.health_detect_ms.p95 < 500ms').checks.map((c) => [c.agent_count, c.value, c.passed]), [[4, 280_000, true]]);
  assert.equal(at4('fault.health_detect_ms.p95 < 280ms').passed, false);
  assert.equal(at4('fault.health_detect_ms.p50 <= 190ms').passed, true);
  assert.equal(at4('fault.health_detect_ms.max < 0.29s').passed, false);
  const at8 = evaluateThreshold(parseThreshold('fault@8.health_detect_ms.max < 10s'), records);
  assert.equal(at8.passed, false);
  assert.match(at8.reason!, /not detected in 1 of 2 watches/);
  // No fault records at all: the gate fails, it never passes by default.
  assert.equal(evaluateThreshold(parseThreshold('fault.health_detect_ms.p95 < 1s'), []).passed, false);
});

test('fault thresholds: bad statistic and missing unit are syntax errors pointing at them', () => {
  assert.throws(() => parseThreshold('fault.health_detect_ms.p99 < 1s'), (e: unknown) => e instanceof ThresholdSyntaxError && /unknown statistic "p99"; choose from p50, p95, max/.test(e.message));
  assert.throws(() => parseThreshold('fault.health_detect_ms.p95 < 500'), (e: unknown) => e instanceof ThresholdSyntaxError && /needs a time unit/.test(e.message));
});

test('the fault table rows: detected of watched, percentiles and the slowest drain per fault, scale and config', () => {
  const rows = faultRows(records);
  assert.deepEqual(
    rows.map((r) => [r.agents, r.config, r.detected, r.watched, r.p50_ms, r.p95_ms, r.max_ms, r.drain_max_ms]),
    [
      [4, 'health', 20, 20, 190, 280, 290, null],
      [4, 'shutdown', 0, 0, null, null, null, 19],
      [8, 'health', 1, 2, 50, 50, 50, null],
    ],
  );
});

test('a results file with fault and lifecycle records reads back (busbench report, compare, check)', async () => {
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { readRecords } = await import('../../lib/records/reader.ts');
  const { diskDir } = await import('../helpers/tmpfs.ts');
  const file = join(diskDir(), 'r.jsonl');
  const life = { schema: 1, timestamp: base.timestamp, driver: 'tmpfs', type: 'lifecycle', test_name: 'baseline', agent_count: 4, run: 1, agents_ready: null, open: null, worker_start: null, rss_mb: null };
  writeFileSync(file, [records[0], life].map((r) => JSON.stringify(r)).join('\n') + '\n');
  assert.deepEqual((await readRecords(file)).map((r) => r.type), ['fault', 'lifecycle']);
});
