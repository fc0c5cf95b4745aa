import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busbench, fixtureRecords, tempDir, writeFixture } from '../verdict/fixture.ts';

const good = writeFixture(fixtureRecords());

// The fixture's figures worked out by hand (see tests/report/formats.test.ts): baseline p50 20.04 µs,
// metrics +0.5 % (0.4 to 0.6), metrics@10 send p50 20.14 µs, the noop not measurable (±0.25 %).
test('report: every format from a results file, to stdout or --out, with the fixture\'s figures in it', () => {
  const out = (f: string) => {
    const r = busbench('report', good, '--format', f);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    return r.stdout;
  };
  const table = out('table');
  assert.match(table, /Overhead of each layer vs the bare bus/);
  assert.match(table, /│ 10 +│ send +│ 20\.0 µs +│ n\.m\. ±0\.3 +│ \+0\.5% ±0\.1 +│/);
  const md = out('markdown');
  assert.match(md, /^## busbench results/);
  assert.match(md, /\| 10 \| send \| 20\.0 µs \| not measurable ±0\.3 \| \+0\.5% ±0\.1 \|/);
  const bmf = JSON.parse(out('bmf')) as Record<string, Record<string, Record<string, number>>>;
  assert.equal(bmf['busbench/baseline@10/message_send']!.latency!.value, 20040);
  assert.deepEqual(bmf['busbench/metrics@1/message_send']!['overhead-percent'], { value: 0.5, lower_value: 0.4, upper_value: 0.6 });
  const prom = out('prometheus');
  const p50 = /^busbench_latency_seconds\{([^}]*)\} (\S+)$/m.exec(prom.split('\n').filter((l) => l.includes('config="baseline"') && l.includes('agents="10"') && l.includes('operation="message_send"') && l.includes('quantile="0.5"')).join('\n'));
  assert.ok(p50, prom.slice(0, 500));
  assert.ok(Math.abs(Number(p50[2]) - 20.04e-6) < 1e-12, p50[0]);
  const html = out('html');
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<svg/);
  assert.match(html, /<rect class="bar"[^>]*data-series="metrics" data-group="10" data-value="0\.5"/, 'the metrics bar at 10 agents stands at +0.5 %');
  const csv = out('csv');
  assert.ok(csv.split('\r\n').includes('metrics,10,message_send,500,5,24.168,20.14,60.42,100.7,3,0.5,0.4,0.6,0.1,true'), csv.slice(0, 400));
  const file = join(tempDir(), 'bmf.json');
  const r = busbench('report', good, '--format', 'bmf', '--out', file);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '', 'nothing on stdout with --out');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), bmf, 'the file holds what stdout would');
});

/** A bad input must exit 2, name the file and line, and write nothing. */
function rejects(content: string, why: RegExp, line: number | null) {
  const dir = tempDir();
  const file = join(dir, 'bad.jsonl');
  writeFileSync(file, content);
  const out = join(dir, 'out.md');
  const r = busbench('report', file, '--format', 'markdown', '--out', out);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, line === null ? new RegExp(`${file.replace(/[.]/g, '\\.')}: `) : new RegExp(`${file.replace(/[.]/g, '\\.')}:${line}: `));
  assert.match(r.stderr, why);
  assert.equal(existsSync(out), false);
  assert.equal(r.stdout, '');
  // the same for check and compare
  assert.equal(busbench('check', file, '--threshold', 'integrity.lost == 0').code, 2);
  assert.equal(busbench('compare', good, file).code, 2);
}

const lines = fixtureRecords().map((r) => JSON.stringify(r));

test('bad input: a broken line → exit 2 with file:line', () => {
  rejects([lines[0], lines[1], '{"schema":1,"type":"statistics",', lines[2]].join('\n'), /not valid JSON/, 3);
});

test('bad input: a line of another schema version → exit 2 with file:line', () => {
  rejects([lines[0], lines[1]!.replace('"schema":1', '"schema":2')].join('\n'), /schema version 2, expected 1/, 2);
});

test('bad input: an empty file → exit 2', () => {
  rejects('', /empty/, null);
});

test('bad input: not JSONL (CSV) → exit 2 with file:line', () => {
  rejects('config,agents\nbaseline,10\n', /not valid JSON/, 1);
});

test('bad input: a missing file and an unknown format → exit 2', () => {
  const r = busbench('report', '/nonexistent/x.jsonl');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no such file/);
  const f = busbench('report', good, '--format', 'html5');
  assert.equal(f.code, 2);
  assert.match(f.stderr, /unknown format "html5"; choose from table, markdown, bmf, prometheus, html, csv/);
});
