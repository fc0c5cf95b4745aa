import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busbench, fixtureRecords, tempDir, writeFixture } from '../verdict/fixture.ts';

const good = writeFixture(fixtureRecords());

test('report: every format from a results file, to stdout or --out', () => {
  for (const f of ['table', 'markdown', 'bmf', 'prometheus', 'html', 'csv']) {
    const r = busbench('report', good, '--format', f);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    assert.ok(r.stdout.length > 100, f);
    if (f === 'html') {
      assert.match(r.stdout, /^<!doctype html>/);
      assert.match(r.stdout, /<svg/);
    }
  }
  const out = join(tempDir(), 'bmf.json');
  assert.equal(busbench('report', good, '--format', 'bmf', '--out', out).code, 0);
  assert.ok(JSON.parse(readFileSync(out, 'utf8'))['busbench/metrics@1/message_send']);
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
