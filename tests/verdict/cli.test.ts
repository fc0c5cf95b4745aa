import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { busbench, fixtureRecords, tempDir, writeFixture } from './fixture.ts';

const file = writeFixture(fixtureRecords()); // metrics ≈ +0.5 % ±0.1, baseline p95 ≈ 60 µs, nothing lost

test('check: the documented examples pass on a results file → exit 0, records on --out', () => {
  const out = join(tempDir(), 'verdicts.jsonl');
  const r = busbench('check', file, '--threshold', 'overhead(metrics).message_send.p50 < 1%', '--threshold', 'overhead(metrics)@10.message_send.p50 < 0.6%', '--threshold', 'baseline@10.message_send.p95 < 200us', '--threshold', 'integrity.lost == 0', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Thresholds: all passed/);
  const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; passed: boolean; schema: number });
  assert.equal(recs.length, 4);
  assert.ok(recs.every((x) => x.type === 'threshold' && x.passed && x.schema === 1));
});

test('check: a failing threshold → exit 99 and says which and where', () => {
  const r = busbench('check', file, '--threshold', 'integrity.lost == 0', '--threshold', 'upper(overhead(metrics)@10.message_send.p50) < 0.55%');
  assert.equal(r.code, 99, r.stderr);
  assert.match(r.stdout, /FAIL/);
  assert.match(r.stdout, /@10 message_send: 0\.6%/);
  assert.match(r.stderr, /1 of 2 threshold\(s\) failed/);
});

test('check: a bad expression → exit 2 pointing at it, before the file is read', () => {
  const r = busbench('check', '/nonexistent.jsonl', '--threshold', 'overhead(metrcs).message_send.p50 < 1%');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown layer "metrcs"/);
  assert.match(r.stderr, /\n\s+\^{6}\n/);
  assert.doesNotMatch(r.stderr, /no such file/);
  assert.equal(r.stdout, '');
  assert.equal(busbench('check', file).code, 2);
  assert.match(busbench('check', file, '--threshold', 'integrity.lost == 0', '--bogus').stderr, /--bogus: unknown flag/);
});

test('compare: same file → exit 0, no significant change; a 20 % slower layer → exit 99 with --fail-on-regression 5%', () => {
  const same = busbench('compare', file, file, '--fail-on-regression', '5%');
  assert.equal(same.code, 0, same.stderr);
  assert.doesNotMatch(same.stdout, /│ (slower|faster)/);
  assert.match(same.stdout, /0 slower, 0 faster/);

  const slow = writeFixture(fixtureRecords({ metricsPerRun: [20.4, 20.7, 20.5, 20.3, 20.6] }));
  const r = busbench('compare', file, slow, '--fail-on-regression', '5%');
  assert.equal(r.code, 99, r.stderr);
  assert.match(r.stdout, /4 slower, 0 faster/);
  assert.match(r.stderr, /regression beyond 5%: metrics @ 1 message_send \+19\.9%/);
  // Without the flag a slowdown is reported, not failed.
  assert.equal(busbench('compare', file, slow).code, 0);
  // The drift-robust family finds it too.
  assert.equal(busbench('compare', file, slow, '--layers-only', '--fail-on-regression', '5%').code, 99);
  // Beyond the bound only.
  assert.equal(busbench('compare', file, slow, '--fail-on-regression', '30%').code, 0);
});

test('compare: different machines warn loudly; nothing in common or a bad bound → exit 2', () => {
  const other = writeFixture(fixtureRecords({ cpu: 'Other CPU' }));
  const r = busbench('compare', file, other);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /DIFFERENT ENVIRONMENTS/);
  assert.match(r.stderr, /cpu_model: "Test CPU" → "Other CPU"/);

  const disjoint = busbench('compare', writeFixture(fixtureRecords({ scales: [1] })), writeFixture(fixtureRecords({ scales: [10] })));
  assert.equal(disjoint.code, 2);
  assert.match(disjoint.stderr, /no config, agent count and operation in common/);
  const bound = busbench('compare', file, file, '--fail-on-regression', 'five');
  assert.equal(bound.code, 2);
  assert.match(bound.stderr, /--fail-on-regression: "five" is not a percentage/);
  assert.equal(busbench('compare', file).code, 2);
  const factor = busbench('compare', file, file, '--noise-factor', '0.5', '--fail-on-regression', 'five');
  assert.equal(factor.code, 2);
  assert.match(factor.stderr, /--noise-factor: "0.5" is not a number of at least 1/);
  assert.match(factor.stderr, /--fail-on-regression: "five"/, 'every bad flag at once');
});

test('overhead: --threshold is validated before anything runs (exit 2), names the unmeasured scale', () => {
  const out = join(tempDir(), 'never.jsonl');
  const r = busbench('overhead', '--scales', '1', '--out', out, '--threshold', 'overhead(metrics)@100.message_send.p50 < 0.5%', '--threshold', 'integrity.lost == 0');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /100 agents is not measured by this run \(--scales 1\)/);
  const bad = busbench('overhead', '--scales', '1', '--out', out, '--threshold', 'integrity.lost = 0', '--threshold', 'baseline.message_send.p99 < 1');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /"=" alone is not a comparator; use ==/);
  assert.match(bad.stderr, /a latency needs a time unit/);
  assert.equal(existsSync(out), false);
});
