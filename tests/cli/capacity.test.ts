import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRecords } from '../../lib/records/reader.ts';
import type { CapacityRecord, ErrorRecord } from '../../lib/records/schema.ts';
import { diskDir } from '../helpers/tmpfs.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'scripts', 'busbench.js');

/** `busbench capacity` (npm run capacity runs the same command through scripts/capacity.ts: tests/report/html.test.ts). */
function capacity(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'capacity', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('bad input: exit 2 before anything runs, every flag named with its fix', () => {
  const dir = diskDir('busbench-cap-');
  try {
    const out = join(dir, 'x.jsonl');
    const r = capacity(['--scales', '20', '--predict', '0', '--budget-p95', '5', '--budget-overhead', '1', '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /4 bad options/);
    assert.match(r.stderr, /--scales: 1 agent count given; a sweep needs at least two/);
    assert.match(r.stderr, /--predict: 0 is below 1/);
    assert.match(r.stderr, /--budget-p95: "5" has no unit; give one, e.g. --budget-p95 5ms/);
    assert.match(r.stderr, /--budget-overhead: "1" has no unit; give it as a percentage, e.g. --budget-overhead 1%/);
    assert.equal(r.stdout, '');
    assert.equal(existsSync(out), false);
    const dup = capacity(['--scales', '1,2,2', '--out', out]);
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /--scales: 2 is listed twice/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sweep where one scale fails: error recorded, the rest measured and modelled, JSONL + HTML written', async () => {
  const dir = diskDir('busbench-cap-');
  try {
    const out = join(dir, 'cap.jsonl');
    // The test driver fails the 200th send of each config's clients: 20 rounds on one worker reach
    // it only at 40 agents (800 sends; 6 agents send 120), so that scale fails, for both configs,
    // and the sweep goes on.
    const r = capacity(['--driver', 'fault', '--fault-plan', 'fail-send@200', '--scales', '1,2,3,4,5,6,40', '--runs', '1', '--iterations', '20', '--warmup', '0', '--cell-messages', '0', '--workers', '1', '--predict', '50', '--budget-p95', '1s', '--out', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cell failed: baseline @ 40 agents run 1: injected fault: send 200 failed/);
    assert.match(r.stderr, /cell failed: full_integration @ 40 agents run 1: injected fault: send 200 failed/);
    assert.match(r.stdout, /Scaling model per config/);
    assert.match(r.stdout, /Measured and predicted per agent count/);
    assert.match(r.stdout, /baseline\s+│ 40\s+│ failed: /);
    assert.match(r.stdout, /│ 50\*\s+│/);
    assert.match(r.stdout, /p95 ≤ 1000 ms/);

    const records = await readRecords(out);
    const errors = records.filter((x): x is ErrorRecord => x.type === 'error');
    assert.deepEqual(errors.map((e) => [e.test_name, e.agent_count]).sort(), [
      ['baseline', 40],
      ['full_integration', 40],
    ]);
    const caps = records.filter((x): x is CapacityRecord => x.type === 'capacity');
    assert.deepEqual(caps.map((c) => c.test_name), ['baseline', 'full_integration']);
    for (const c of caps) {
      assert.equal(c.points_n, 6, 'fitted on the six good scales');
      assert.notEqual(c.status, 'too few points');
      assert.ok(c.sigma !== null && c.kappa !== null && c.lambda !== null && c.lambda > 0 && c.r2 !== null);
      const failed = c.points.find((p) => p.agent_count === 40)!;
      assert.notEqual(failed.error, null);
      assert.equal(failed.throughput_msgs_per_s, null);
      for (const p of c.points.filter((x) => x.agent_count <= 6)) assert.ok(p.throughput_msgs_per_s! > 0 && p.delivery_p95_ms! > 0, JSON.stringify(p));
      assert.equal(c.predictions.find((p) => p.agent_count === 50)!.extrapolated, true);
      assert.equal(c.predictions.find((p) => p.agent_count === 3)!.extrapolated, false);
      assert.equal(c.budget_p95_ms, 1000);
    }
    // every measured cell reports the whole system's throughput
    for (const res of records.filter((x) => x.type === 'resource')) assert.ok(res.type === 'resource' && res.throughput_msgs_per_s! > 0 && res.workload_ms! > 0);
    const summary = records.at(-1)!;
    assert.ok(summary.type === 'summary' && summary.cells_failed === 2 && summary.cells_ok === 12);

    const html = readFileSync(join(dir, 'cap.html'), 'utf8');
    for (const id of ['latency', 'throughput', 'overhead-send', 'overhead-receive', 'resources-cpu']) assert.ok(html.includes(`data-chart="${id}"`), id);
    assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no external resources');
    assert.match(html, /<th>e2e p95 measured<\/th>/);
    assert.match(html, /<td colspan="9" class="warn">failed: /);
    assert.doesNotMatch(html, /\$\{/, 'no unfilled template text');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
