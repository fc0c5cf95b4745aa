// `busbench report` renders the ab records of a results file (table and markdown), and leaves the
// per-variant figures out of the usual tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busbench } from '../helpers/cli.ts';
import { diskDir } from '../helpers/tmpfs.ts';

const base = { schema: 1, timestamp: '2026-12-02T08:00:00.000Z', driver: 'tmpfs' };
const ab = (test_name: string, operation: string, change: number, lo: number, hi: number, verdict: string) => ({
  ...base,
  type: 'ab',
  test_name,
  agent_count: 10,
  operation,
  statistic: 'p50',
  a_p50_ms: 0.025,
  b_p50_ms: 0.0255,
  change_pct: change,
  ci_low_pct: lo,
  ci_high_pct: hi,
  change_us: 0.5,
  runs_n: 5,
  per_run_pct: [change, change, change, change, change],
  fail_on_regression_pct: 2,
  verdict,
  method: 'paired_t_matched_log_ratio',
});
const file = join(diskDir('busbench-ab-report-'), 'ab.jsonl');
writeFileSync(
  file,
  [
    { ...base, type: 'statistics', test_name: 'baseline', variant: 'A', agent_count: 10, operation: 'message_send', n: 1, runs_n: 1, avg_ms: 1, stddev_ms: 0, min_ms: 1, max_ms: 1, p50_ms: 1, p95_ms: 1, p99_ms: 1, outliers_high: 0, outliers_low: 0 },
    ab('baseline', 'message_send', 3.1, 2.4, 3.8, 'slower'),
    ab('noop', 'message_receive', 0.4, -0.9, 1.7, 'no significant change'),
    ab('noop', 'message_send', 1.2, -0.3, 2.6, 'inconclusive'),
  ]
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n',
);

test('report --format table: one row per ab record, regression and inconclusive named', async () => {
  const r = await busbench(['report', file]);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => /│ (baseline|noop) /.test(l));
  assert.equal(rows.length, 3, r.stdout);
  assert.match(rows[0]!, /baseline │ 10 +│ send +│ 25\.0 µs │ 25\.5 µs │ \+3\.10% \(\+0\.50 µs\) │ \+2\.40% … \+3\.80% │ 5 +│ REGRESSION > 2%/);
  assert.match(rows[1]!, /noop +│ 10 +│ receive │ .* │ -0\.90% … \+1\.70% │ 5 +│ no significant change \(< 2%\)/);
  assert.match(rows[2]!, /inconclusive vs 2%/);
  assert.doesNotMatch(r.stdout, /1000\.0 µs/, 'the per-variant statistics are not in the usual tables');
});

test('report --format markdown: the ab table for a PR comment', async () => {
  const r = await busbench(['report', file, '--format', 'markdown']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^## busbench ab$/m);
  assert.match(r.stdout, /^\| config \| agents \| op \| A p50 \| B p50 \| B vs A \| 95 % interval \| runs \| verdict \|$/m);
  assert.match(r.stdout, /^\| baseline \| 10 \| send \| 25\.0 µs \| 25\.5 µs \| \+3\.10% \(\+0\.50 µs\) \| \+2\.40% … \+3\.80% \| 5 \| 🔴 REGRESSION > 2% \|$/m);
  assert.match(r.stdout, /^\| noop \| 10 \| send \| .* \| 🟡 inconclusive vs 2% \|$/m);
});

test('report --format html: the ab table, escaped, before the charts', async () => {
  const r = await busbench(['report', file, '--format', 'html']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /<h2>A\/B: B against A<\/h2>/);
  const rows = [...r.stdout.matchAll(/<tr><td>(baseline|noop)<\/td>.*?<\/tr>/g)].map((m) => m[0]);
  assert.equal(rows.length, 3);
  assert.match(rows[0]!, /<td>\+2\.40% … \+3\.80%<\/td><td>5<\/td><td class="warn">REGRESSION &gt; 2%<\/td><\/tr>$/);
  assert.ok(r.stdout.indexOf('<h2>A/B') < r.stdout.indexOf('<h2>Latency'), 'the A/B table comes first');
});
