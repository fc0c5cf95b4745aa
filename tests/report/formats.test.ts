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
