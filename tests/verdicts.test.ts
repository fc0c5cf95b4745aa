// End to end, as a user runs it: a real (tiny) benchmark on tmpfs with thresholds and an export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { busbench, tempDir } from './verdict/fixture.ts';

// The smallest run that has statistics and integrity records to judge.
const TINY = ['--scales', '1', '--layers', 'noop', '--runs', '2', '--iterations', '5', '--warmup', '0'];
const records = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

test('a run whose thresholds hold exits 0, writes threshold records and prints the markdown export', () => {
  const out = join(tempDir(), 'ok.jsonl');
  const r = busbench('quick', ...TINY, '--out', out, '--format', 'markdown', '--threshold', 'integrity.lost == 0', '--threshold', 'baseline.message_send.p50 < 10s');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^## busbench results/);
  assert.match(r.stdout, /### Thresholds: all passed/);
  const recs = records(out);
  const th = recs.filter((x) => x.type === 'threshold');
  assert.equal(th.length, 2);
  assert.ok(th.every((x) => x.passed === true));
  const summary = recs.at(-1)!;
  assert.deepEqual([summary.type, summary.exit_code], ['summary', 0]);
  const run = recs.find((x) => x.type === 'run')!;
  assert.ok(run.git_sha === null || /^[0-9a-f]{40}$/.test(String(run.git_sha)));
});

test('a run with a failing threshold exits 99 and records why', () => {
  const out = join(tempDir(), 'fail.jsonl');
  const r = busbench('quick', ...TINY, '--out', out, '--threshold', 'baseline.message_send.p50 < 1us');
  assert.equal(r.code, 99, r.stderr);
  assert.match(r.stderr, /1 threshold\(s\) failed/);
  const recs = records(out);
  const th = recs.find((x) => x.type === 'threshold')!;
  assert.equal(th.passed, false);
  assert.match(String(th.reason), /@1 message_send/);
  const summary = recs.at(-1)!;
  assert.deepEqual([summary.status, summary.exit_code], ['failed', 99]);
  // The same file judged again by `check` gives the same verdict.
  assert.equal(busbench('check', out, '--threshold', 'baseline.message_send.p50 < 1us').code, 99);
  assert.equal(busbench('check', out, '--threshold', 'integrity.lost == 0').code, 0);
});
