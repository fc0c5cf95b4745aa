import { test } from 'node:test';
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { formatNames, getFormat, registerFormat } from '../../lib/report/formats.ts';
import { CSV_COLUMNS } from '../../lib/report/csv.ts';
import { buildRows } from '../../lib/report/rows.ts';
import { fixtureRecords } from '../verdict/fixture.ts';

const records = fixtureRecords({ threshold: true });
const render = (name: string) => getFormat(name)!.render(records);

test('the registry has every export and takes new ones', () => {
  assert.deepEqual(formatNames().slice(0, 6), ['table', 'markdown', 'bmf', 'prometheus', 'html', 'csv']);
  registerFormat({ name: 'test-only', description: 'x', render: (r) => String(r.length) });
  assert.equal(getFormat('test-only')!.render(records), String(records.length));
  assert.throws(() => registerFormat({ name: 'table', description: '', render: () => '' }), /already registered/);
});

test('bmf: benchmark → measure → { value, lower_value?, upper_value? }, as Bencher documents it', () => {
  const bmf = JSON.parse(render('bmf')) as Record<string, Record<string, Record<string, number>>>;
  const names = Object.keys(bmf);
  assert.ok(names.length > 0);
  for (const [bench, measures] of Object.entries(bmf)) {
    assert.ok(bench.length > 0 && bench.length <= 1024);
    assert.equal(typeof measures, 'object');
    for (const [slug, m] of Object.entries(measures)) {
      assert.match(slug, /^[a-z0-9-]{1,64}$/);
      assert.deepEqual(Object.keys(m).filter((k) => !['value', 'lower_value', 'upper_value'].includes(k)), [], `${bench} ${slug}`);
      assert.equal(typeof m.value, 'number');
      assert.ok(Number.isFinite(m.value));
      if ("lower_value" in m) assert.ok(m.lower_value! <= m.value! && m.value! <= m.upper_value!, `${bench} ${slug}`);
    }
  }
  // latency in ns (Bencher's built-in unit): baseline p50 ≈ 20.04 µs
  assert.equal(bmf['busbench/baseline@10/message_send']!.latency!.value, 20040);
  const ov = bmf['busbench/metrics@10/message_send']!['overhead-percent']!;
  assert.ok(ov.lower_value! < ov.value! && ov.value! < ov.upper_value!);
});

test('prometheus: parses with a real exposition-format parser; names and labels as documented', () => {
  const text = render('prometheus');
  const families = parsePrometheusTextFormat(text) as { name: string; type: string; metrics: { value: string; labels?: Record<string, string> }[] }[];
  const byName = new Map(families.map((f) => [f.name, f]));
  assert.deepEqual([...byName.keys()].sort(), ['busbench_latency_seconds', 'busbench_messages', 'busbench_overhead_percent', 'busbench_resolution_percent', 'busbench_run_success', 'busbench_threshold_passed']);
  for (const f of families) assert.equal(f.type, 'GAUGE');
  const lat = byName.get('busbench_latency_seconds')!.metrics.find((m) => m.labels?.config === 'baseline' && m.labels.agents === '10' && m.labels.operation === 'message_send' && m.labels.quantile === '0.5')!;
  assert.ok(Math.abs(Number(lat.value) - 20.04e-6) < 1e-9);
  const bounds = byName.get('busbench_overhead_percent')!.metrics.filter((m) => m.labels?.config === 'metrics' && m.labels.agents === '1' && m.labels.operation === 'message_send').map((m) => m.labels!.bound);
  assert.deepEqual(bounds.sort(), ['estimate', 'lower', 'upper']);
  assert.equal(byName.get('busbench_threshold_passed')!.metrics[0]!.labels!.expression, 'integrity.lost == 0');
});

test('markdown: GitHub tables with a header, a separator and rows of the same width', () => {
  const md = render('markdown');
  const blocks = md.split('\n\n').filter((b) => b.startsWith('|'));
  assert.ok(blocks.length >= 4, `${blocks.length} tables`);
  for (const b of blocks) {
    const lines = b.trim().split('\n');
    assert.match(lines[1]!, /^\|( --- \|)+$/);
    const width = (l: string) => l.replace(/\\\|/g, '').split('|').length;
    for (const l of lines) assert.equal(width(l), width(lines[0]!), l);
  }
  assert.match(md, /### Thresholds: all passed/);
  assert.match(md, /`integrity\.lost == 0`/);
  assert.match(md, /### Resolution/);
  // noop's interval includes 0: the figure is withheld
  assert.match(md, /\| 10 \| send \| 20\.0 µs \| not measurable ±0\.3 \| \+0\.5% ±0\.1 \|/);
});

test('csv: a header and one line per config × scale × operation', () => {
  const lines = render('csv').trimEnd().split('\r\n');
  assert.equal(lines[0], CSV_COLUMNS.join(','));
  assert.equal(lines.length, 1 + 3 * 2 * 2);
  const row = lines.find((l) => l.startsWith('metrics,10,message_send,'))!.split(',');
  assert.equal(row.length, CSV_COLUMNS.length);
  assert.equal(row[CSV_COLUMNS.indexOf('measurable')], 'true');
});

test('table: the noop cell says n.m. instead of a figure; thresholds are listed', () => {
  const t = render('table');
  assert.match(t, /n\.m\. ±0\.3/);
  assert.match(t, /Thresholds: all passed/);
  assert.doesNotMatch(t, /\x1b\[/);
});

test('no figure is made up: a scale without resource records, or a ranking without both baseline medians, shows "–"', () => {
  // The fixture has integrity records but no resource records.
  const rows = buildRows(records);
  assert.ok(rows.resources.length > 0);
  for (const r of rows.resources) assert.deepEqual([r.rss_avg_mb, r.rss_max_mb, r.tmpfs_avg_kb, r.tmpfs_max_kb, r.files_max, r.cpu_avg_pct], [null, null, null, null, null, null]);
  const line = render('table').split('\n').find((l) => /^│ 10 +│ –/.test(l));
  assert.ok(line, 'the resources row of 10 agents starts with "–" cells');
  assert.doesNotMatch(line, /0 MB|0 KB/);
  const ranked = buildRows(records).ranking;
  assert.ok(ranked.length > 0 && ranked.every((r) => r.added_pct !== null), 'with both medians the share is given');
  const noReceive = records.filter((r) => !(r.type === 'statistics' && r.test_name === 'baseline' && r.operation === 'message_receive'));
  const partial = buildRows(noReceive).ranking;
  assert.ok(partial.length > 0 && partial.every((r) => r.added_pct === null), 'without the receive median there is no share');
});

// Values worked out by hand from the fixture (tests/verdict/fixture.ts): the baseline's per-run
// medians are 0.02, 0.0202, 0.0199, 0.0201, 0.02 ms, so its p50 is their mean, 0.02004 ms = 20.04 µs;
// the fixture sets p95 = 3 × p50 = 60.12 µs and p99 = 5 × p50 = 100.2 µs. metrics adds 0.4, 0.6, 0.5,
// 0.45, 0.55 % per run: exp(mean ln(1 + p/100)) − 1 = 0.49997 % → 0.5, with a ±0.1 interval;
// the noop's interval is ±0.25: the resolution.
test('bmf values: latency and latency-p95 in ns, the overhead with its bounds, the resolution', () => {
  const bmf = JSON.parse(render('bmf')) as Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>>;
  assert.equal(bmf['busbench/baseline@10/message_send']!['latency-p95']!.value, 60120);
  assert.equal(bmf['busbench/baseline@1/message_receive']!.latency!.value, 20040);
  assert.deepEqual(bmf['busbench/metrics@10/message_send']!['overhead-percent'], { value: 0.5, lower_value: 0.4, upper_value: 0.6 });
  const res = bmf['busbench/resolution@10/message_send']!['resolution-percent']!.value;
  assert.ok(Math.abs(res - 0.25) < 0.001, `resolution ${res}`);
});

test('prometheus values: the three quantiles in seconds, the overhead bounds, the resolution', () => {
  const families = parsePrometheusTextFormat(render('prometheus')) as { name: string; metrics: { value: string; labels?: Record<string, string> }[] }[];
  const metric = (name: string, labels: Record<string, string>) => {
    const f = families.find((x) => x.name === name)!;
    const hits = f.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    assert.equal(hits.length, 1, `${name} ${JSON.stringify(labels)}`);
    return Number(hits[0]!.value);
  };
  const near = (got: number, want: number) => assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)) + 1e-12, `${got} vs ${want}`);
  const at = { config: 'baseline', agents: '10', operation: 'message_send' };
  near(metric('busbench_latency_seconds', { ...at, quantile: '0.5' }), 20.04e-6);
  near(metric('busbench_latency_seconds', { ...at, quantile: '0.95' }), 60.12e-6);
  near(metric('busbench_latency_seconds', { ...at, quantile: '0.99' }), 100.2e-6);
  const ov = { config: 'metrics', agents: '10', operation: 'message_send' };
  near(metric('busbench_overhead_percent', { ...ov, bound: 'estimate' }), 0.5);
  near(metric('busbench_overhead_percent', { ...ov, bound: 'lower' }), 0.4);
  near(metric('busbench_overhead_percent', { ...ov, bound: 'upper' }), 0.6);
  assert.ok(Math.abs(metric('busbench_resolution_percent', { agents: '10', operation: 'message_send' }) - 0.25) < 0.001);
  near(metric('busbench_threshold_passed', { expression: 'integrity.lost == 0' }), 1);
});

test('csv values: one row worked out by hand; RFC 4180 quoting of a field with a comma, a quote and a line break', () => {
  const lines = render('csv').trimEnd().split('\r\n');
  // metrics@10 send: p50 = mean of 0.02·1.004, 0.0202·1.006, 0.0199·1.005, 0.0201·1.0045, 0.02·1.0055 ms,
  // each rounded to 6 decimals as the fixture does: 0.02008, 0.020321, 0.019999 (0.0199995 is just
  // below it in binary), 0.02019, 0.02011 → 0.1007 / 5 = 0.02014 ms; avg = 1.2 × p50, p95 = 3 ×,
  // p99 = 5 ×; overhead 0.02014 − 0.02004 ms = 0.1 µs.
  assert.equal(lines.find((l) => l.startsWith('metrics,10,message_send,')), 'metrics,10,message_send,500,5,24.168,20.14,60.42,100.7,3,0.5,0.4,0.6,0.1,true');
  const odd = 'odd, "name"\nhere';
  const renamed = records.map((r) => (r.type === 'statistics' && r.test_name === 'baseline' && r.agent_count === 1 && r.operation === 'message_send' ? { ...r, test_name: odd } : r)) as typeof records;
  const csv = getFormat('csv')!.render(renamed);
  assert.ok(csv.includes('\r\n"odd, ""name""\nhere",1,message_send,'), csv.slice(0, 400));
});
