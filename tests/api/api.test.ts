// The programmatic API as a user's script reaches it: `import … from 'busbench'` in a plain Node
// script outside the package (through node_modules, no loader flag), records out, nothing on
// stdout, UsageError thrown instead of exiting; and the zx scripts of examples/ at tiny sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newTag, parseJsonl, ROOT, run, taggedPids } from '../helpers/cli.ts';

const SCRIPT = `
import { overhead, runScenario, soak, UsageError } from 'busbench';
const out = process.argv[2];
const r = await overhead({ scales: [1, 2], runs: 1, iterations: 3, warmup: 0, configs: ['metrics'], out, thresholds: ['integrity.lost == 0'] });
const errors = [];
for (const bad of [{ runs: 0 }, { sacles: [1] }, { scales: [1], thresholds: ['integrity.lots == 0'] }]) {
  try {
    await overhead(bad);
    errors.push('no error');
  } catch (e) {
    errors.push(e instanceof UsageError ? 'UsageError: ' + e.message : 'other: ' + e.message);
  }
}
const s = await runScenario({ scales: [1], runs: 1, iterations: 2, warmup: 0, steps: [{ name: 'a', 'payload-bytes': 64 }, { name: 'b', 'payload-bytes': 4096 }] }, { layers: 'noop' });
const k = await soak({ duration: '1500ms', soakInterval: '250ms', scales: [1], layers: ['noop'] });
const soaked = k.records.filter((y) => y.type === 'soak').map((y) => [y.test_name, y.resource]);
process.stdout.write(JSON.stringify({ soaked, exitCode: r.exitCode, ok: r.ok, out: r.out, records: r.records, errors, scenario: { exitCode: s.exitCode, steps: s.steps.map((x) => ({ name: x.name, out: x.out, runs: x.records.filter((y) => y.type === 'run').map((y) => ({ payload: y.config.payloadBytes, configs: y.configs })), sent: x.records.filter((y) => y.type === 'integrity').map((y) => y.sent) })) } }) + '\\n');
`;

test("a script outside the package imports 'busbench': records out, nothing printed on stdout, UsageError thrown", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bb-api-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'busbench'));
    writeFileSync(join(dir, 'script.mjs'), SCRIPT);
    const out = join(dir, 'r.jsonl');
    const tag = newTag();
    const r = await run(process.execPath, ['script.mjs', out], { cwd: dir, tag });
    assert.equal(r.code, 0, r.stderr);
    // stdout holds the script's one line and nothing else.
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, r.stdout.slice(0, 500));
    const got = JSON.parse(lines[0]!);
    assert.equal(got.exitCode, 0);
    assert.equal(got.ok, true);
    assert.equal(got.out, out);
    // The records returned are those of the JSONL, in order.
    assert.deepEqual(got.records, parseJsonl(readFileSync(out, 'utf8')));
    const integrity = got.records.filter((x: { type: string }) => x.type === 'integrity');
    // 3 messages per agent and config: 3 at 1 agent, 6 at 2, for baseline and metrics.
    assert.deepEqual(integrity.map((x: { test_name: string; agent_count: number; sent: number }) => [x.test_name, x.agent_count, x.sent]).sort(), [['baseline', 1, 3], ['baseline', 2, 6], ['metrics', 1, 3], ['metrics', 2, 6]]);
    assert.equal(got.records.find((x: { type: string }) => x.type === 'threshold').passed, true);
    assert.match(got.errors[0], /^UsageError: overhead\(\) options: "runs": 0 is below 1/);
    assert.match(got.errors[1], /^UsageError: overhead\(\) options: "sacles": unknown key/);
    assert.match(got.errors[2], /^UsageError: overhead\(\) options: "thresholds" "integrity.lots == 0": unknown integrity counter/);
    // The scenario object: two steps, the override on both, no file written unless asked.
    assert.equal(got.scenario.exitCode, 0);
    assert.deepEqual(got.scenario.steps, [
      { name: 'a', out: null, runs: [{ payload: 64, configs: ['baseline', 'noop'] }], sent: [2, 2] },
      { name: 'b', out: null, runs: [{ payload: 4096, configs: ['baseline', 'noop'] }], sent: [2, 2] },
    ]);
    // soak(), its options by camelCase name: a record per resource, the bus's per config.
    for (const want of [[null, 'rss'], [null, 'rss_workers'], ['baseline', 'tmpfs'], ['noop', 'tmpfs'], ['noop', 'tmpfs_files']]) assert.ok(got.soaked.some((x: unknown[]) => x[0] === want[0] && x[1] === want[1]), JSON.stringify(got.soaked));
    assert.deepEqual(taggedPids(tag), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const ZX = join(ROOT, 'node_modules', '.bin', 'zx');

test('the zx scripts of examples/ run at tiny sizes', async () => {
  const [report, sweep] = await Promise.all([
    run(ZX, ['examples/scenario-report.mjs', 'scenarios/smoke.json', '--iterations', '2']),
    run(ZX, ['examples/payload-sweep.mjs', '--sizes', '64,8192', '--scales', '1', '--runs', '1', '--iterations', '3', '--warmup', '0']),
  ]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /^smoke\/overhead: ok, lost 0, exit 0$/m);
  assert.match(report.stdout, /^ {2}baseline delivery p50: 1 agents [\d.]+ µs, 2 agents [\d.]+ µs$/m);
  assert.match(report.stdout, /^ {2}metrics delivery p50: 1 agents [\d.]+ µs, 2 agents [\d.]+ µs$/m);
  assert.equal(sweep.code, 0, sweep.stderr);
  const rows = sweep.stdout.trim().split('\n');
  assert.equal(rows[0], 'payload_bytes,agents,baseline_send_p50_us,metrics_send_overhead_pct');
  assert.deepEqual(rows.slice(1).map((r) => r.split(',').slice(0, 2).join(',')), ['64,1', '8192,1']);
  for (const r of rows.slice(1)) assert.match(r, /^\d+,1,\d+\.\d\d,-?\d+\.\d\d$/);
});
