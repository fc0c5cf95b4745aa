/**
 * The README's main command, `npm run bench`, as a user runs it (results in results/, the table on
 * stdout, the HTML beside the JSONL), run once at small sizes set through the environment; every
 * test below checks another part of that one run's output. The full default suite (1, 10, 100
 * agents × 5 runs × 100 messages) is a benchmark, not a test: `npm run bench`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseJsonl, ROOT, run, type Ran } from '../helpers/cli.ts';
import { findJq } from '../helpers/jq.ts';
import { CONFIGS } from '../../lib/core/words.ts';

const SCALES = [1, 3];
const RUNS = 2;
const ITER = 20;
const WARMUP = 5;
const SMALL = { BENCH_SCALES: SCALES.join(','), BENCH_RUNS: String(RUNS), BENCH_ITERATIONS: String(ITER), BENCH_WARMUP: String(WARMUP), BENCH_SEED: '7' };

// What each config adds (docs/drivers.md, the config table): the layer operations it has besides send/receive.
const HAS_HEALTH = new Set(['health', 'full_integration']);
const HAS_SHUTDOWN = new Set(['shutdown', 'full_integration']);

const jq = findJq();
after(() => jq.dispose());

let bench: Ran;
let file: string;
let records: Record<string, any>[];
const of = (type: string) => records.filter((r) => r.type === type);

before(async () => {
  bench = await run('npm', ['run', '-s', 'bench'], { env: SMALL });
  const where = /results: (results\/overhead-\d{8}T\d{6}Z\.jsonl)/.exec(bench.stderr)?.[1];
  assert.ok(where, `results file named on stderr: ${bench.stderr}`);
  file = join(ROOT, where);
  records = parseJsonl(readFileSync(file, 'utf8'));
});

after(() => {
  if (!file) return;
  rmSync(file, { force: true });
  rmSync(file.replace(/\.jsonl$/, '.html'), { force: true });
});

test('npm run bench: exit 0, the breakdown table on stdout, results/overhead-<UTC>.jsonl and the HTML report beside it', () => {
  assert.equal(bench.code, 0, bench.stderr);
  assert.match(bench.stdout, /Overhead of each layer vs the bare bus/);
  assert.match(bench.stdout, /Layers ranked by cost at 3 agents/);
  assert.match(bench.stdout, /Resources .* integrity/);
  for (const n of ['noop', 'metrics', 'health', 'rate_lim', 'shutdown', 'full']) assert.ok(bench.stdout.includes(n), n);
  assert.match(bench.stderr, /^ok in [\d.]+ s · \d+ cells ok, 0 failed · lost 0, duplicated 0/m);
  assert.match(bench.stderr, /report: results\/overhead-\d{8}T\d{6}Z\.html/);
  const html = readFileSync(file.replace(/\.jsonl$/, '.html'), 'utf8');
  assert.match(html, /<title>busbench overhead report<\/title>/);
  for (const id of ['latency', 'throughput', 'overhead-send', 'overhead-receive', 'resources-cpu', 'resources-rss', 'resources-tmpfs']) assert.ok(html.includes(`data-chart="${id}"`), id);
  // p50 and p95 of each of the 7 configs at each of the 2 scales
  assert.ok((html.match(/<circle class="point"[^>]*data-x/g) ?? []).length >= CONFIGS.length * SCALES.length * 2);
  assert.match(html, /<rect class="bar"[^>]*data-series="metrics"/);
  // Interleaved (the default): resources of the shared cells as one series; no per-config throughput, and it says why.
  assert.match(html, /data-series="all configs \(interleaved\)"/);
  assert.match(html, /no config has a wall time of its own/);
});

test('every line is a schema-v1 record with type, timestamp and driver; run first, summary last', () => {
  assert.ok(records.length > 0);
  for (const r of records) {
    assert.equal(r.schema, 1);
    assert.equal(typeof r.type, 'string');
    assert.ok(!Number.isNaN(Date.parse(String(r.timestamp))));
    assert.equal(r.driver, 'tmpfs');
  }
  assert.equal(records[0]!.type, 'run');
  assert.equal(records.at(-1)!.type, 'summary');
  assert.equal(of('sample').length, 0, 'samples only with --raw');
});

test('run record: host, tmpfs check, seed and the resolved config from the environment', () => {
  const r = records[0]!;
  assert.equal(r.seed, 7);
  assert.equal(r.tmpfs.is_tmpfs, true);
  assert.equal(r.tmpfs.fs_type, 'tmpfs');
  assert.ok(r.host.cores >= 1);
  assert.deepEqual(r.config.scales, SCALES);
  assert.equal(r.config.runs, RUNS);
  assert.equal(r.config.iterations, ITER);
  assert.equal(r.config.warmup, WARMUP);
  assert.deepEqual(r.configs, [...CONFIGS]);
  assert.equal(r.interleaved, true, 'the reference bus interleaves the configs by default');
});

// Each figure is recorded rounded (µs and ratios to 3 decimals, ns to 1, the percentage to 4), so a
// relation between them holds up to what that rounding can move it.
test('calibration: the figures relate as docs/method.md says (bus ÷ floor ratio, harness % of a send), within rounding', () => {
  const c = records[0]!.calibration as Record<string, number>;
  for (const k of ['timer_empty_p50_ns', 'harness_cost_per_call_ns', 'syscall_floor_round_trip_us', 'bus_round_trip_us', 'bus_send_us', 'bus_vs_floor_ratio', 'harness_pct_of_send']) {
    assert.equal(typeof c[k], 'number', k);
    assert.ok(c[k]! >= 0, k);
  }
  const us = 0.0005; // half a unit of the 3rd decimal
  const { bus_round_trip_us: rt, syscall_floor_round_trip_us: floor, bus_send_us: send, harness_cost_per_call_ns: h } = c as Record<string, number>;
  assert.ok(rt! > 0 && floor! > 0 && send! > 0, JSON.stringify(c));
  assert.ok(send! < rt!, `a send alone (${send} µs) is less than a send + receive (${rt} µs)`);
  // bus_vs_floor_ratio = bus_round_trip_us ÷ syscall_floor_round_trip_us
  const ratioLo = (rt! - us) / (floor! + us) - us;
  const ratioHi = (rt! + us) / (floor! - us) + us;
  assert.ok(c.bus_vs_floor_ratio! >= ratioLo && c.bus_vs_floor_ratio! <= ratioHi, `ratio ${c.bus_vs_floor_ratio} vs ${rt} / ${floor} = ${(rt! / floor!).toFixed(4)}`);
  // harness_pct_of_send = 100 · (harness_cost_per_call_ns / 1000) ÷ bus_send_us
  const ns = 0.05;
  const pctLo = (100 * (h! - ns)) / 1000 / (send! + us) - 0.00005;
  const pctHi = (100 * (h! + ns)) / 1000 / (send! - us) + 0.00005;
  assert.ok(c.harness_pct_of_send! >= pctLo && c.harness_pct_of_send! <= pctHi, `pct ${c.harness_pct_of_send} vs 100 · ${h} ns / ${send} µs = ${((100 * h!) / 1000 / send!).toFixed(5)}`);
  // busbench prints them at the end of a run: "timing a call costs X µs (P % of a S µs send ...)".
  assert.match(bench.stderr, /calibration: timing a call costs [\d.]+ µs \([\d.]+ % of a [\d.]+ µs send/);
});

test('statistics: every config at every scale, per-call percentiles, layer operations where the layer is', () => {
  const stats = of('statistics');
  for (const config of CONFIGS) {
    for (const n of SCALES) {
      const ops = stats.filter((s) => s.test_name === config && s.agent_count === n).map((s) => s.operation);
      const want = ['message_send', 'message_receive', 'delivery'];
      if (HAS_HEALTH.has(config)) want.push('health_query');
      if (HAS_SHUTDOWN.has(config)) want.push('shutdown_drain');
      assert.deepEqual(ops.sort(), want.sort(), `${config}@${n}`);
    }
  }
  for (const s of stats) {
    for (const k of ['avg_ms', 'stddev_ms', 'min_ms', 'max_ms', 'p50_ms', 'p95_ms', 'p99_ms']) assert.equal(typeof s[k], 'number', k);
    assert.ok(s.min_ms <= s.p50_ms && s.p50_ms <= s.p95_ms && s.p95_ms <= s.p99_ms && s.p99_ms <= s.max_ms, JSON.stringify(s));
    assert.ok(s.min_ms <= s.avg_ms && s.avg_ms <= s.max_ms, JSON.stringify(s));
    assert.equal(s.runs_n, RUNS);
    if (s.operation === 'message_send') assert.equal(s.n, s.agent_count * ITER * RUNS, 'one sample per send, warm-up excluded');
  }
});

test('overhead: each layer vs baseline per scale and operation, with a 95 % interval', () => {
  const ov = of('overhead');
  // Interleaved: send and receive; end-to-end delivery only with cells of their own (docs/method.md, Statistics).
  assert.equal(ov.length, (CONFIGS.length - 1) * SCALES.length * 2);
  assert.ok(ov.every((o) => o.operation !== 'delivery'));
  for (const o of ov) {
    assert.notEqual(o.test_name, 'baseline');
    assert.ok(o.ci_low_pct <= o.overhead_pct && o.overhead_pct <= o.ci_high_pct, JSON.stringify(o));
    assert.equal(o.significant, o.ci_low_pct > 0 || o.ci_high_pct < 0);
    assert.equal(o.per_run_pct.length, RUNS);
    assert.equal(o.method, 'paired_t_matched_log_ratio');
  }
});

test('integrity: every message counted, none lost or duplicated, sent = received + drained', () => {
  const integ = of('integrity');
  assert.equal(integ.length, CONFIGS.length * SCALES.length * RUNS * 2, 'a warm-up pass before each run');
  for (const i of integ) {
    assert.equal(i.lost, 0);
    assert.equal(i.duplicated, 0);
    assert.equal(i.unknown, 0);
    assert.equal(i.leftover, 0);
    assert.equal(i.sent, i.received + i.drained);
    assert.equal(i.sent, i.agent_count * (i.run === 0 ? WARMUP : ITER));
    assert.equal(i.ok, true);
  }
  // Interleaved: one cell per scale and pass (runs × (warm-up + run)) serves every config, and has one resource record.
  const res = of('resource');
  assert.equal(res.length, SCALES.length * RUNS * 2);
  for (const x of res) {
    assert.equal(x.test_name, 'interleaved');
    assert.deepEqual(x.configs, [...CONFIGS]);
    assert.equal(x.throughput_msgs_per_s, undefined, 'no throughput for a wall time shared by every config');
  }
  const s = records.at(-1)!;
  assert.deepEqual([s.status, s.exit_code, s.cells_failed, s.lost_total], ['ok', 0, 0, 0]);
});

test(`the jq gate from the README works on the output [${jq.label}]`, () => {
  const v = jq.run(['-s', 'map(select(.test_name == "full_integration" and .type == "statistics")) | .[0].avg_ms', file]).trim();
  assert.match(v, /^\d+(\.\d+)?(e-?\d+)?$/);
  const first = records.find((r) => r.type === 'statistics' && r.test_name === 'full_integration')!;
  assert.equal(Number(v), first.avg_ms, 'the first full_integration statistics record’s avg_ms');
  const lost = jq.run(['-s', '[.[] | select(.type == "integrity") | .lost] | add', file]).trim();
  assert.equal(lost, '0');
  assert.equal(jq.run(['-c', '.type', file]).trim().split('\n').length, records.length, 'every line parses on its own');
});

test(`the README's jq recipes run on the output [${jq.label}]`, () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /## CI gates with jq\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'the README has the jq block');
  // Each recipe on its own; the recipes name the default scales, this run has 1 and 3 agents.
  const recipes = block.split(/\n\s*\n/).filter((r) => r.includes('jq ')).map((r) => r.replace(/agent_count == 10{1,2}\b/g, 'agent_count == 3'));
  assert.ok(recipes.length >= 6, `${recipes.length} recipes`);
  const outputs = recipes.map((r) => {
    const res = spawnSync('bash', ['-c', r], { encoding: 'utf8', env: { ...jq.env, F: file } });
    // jq -e exits 1 on a false gate: a verdict, not a broken recipe. Anything else is broken.
    assert.ok(res.status === 0 || (res.status === 1 && r.includes('jq -se')), `${r}\n→ exit ${res.status}: ${res.stderr}`);
    assert.equal(res.stderr, '', r);
    return res.stdout.trim();
  });
  assert.ok(Number(outputs[0]) > 0, `the compatible gate prints a number: ${outputs[0]}`);
  assert.deepEqual(outputs.slice(1, 3), ['true', 'true'], 'nothing lost; status ok');
  // The bottleneck, worked out here from the overhead records: most µs added per send + receive at 3 agents.
  const added = new Map<string, number>();
  for (const o of of('overhead')) if (o.agent_count === 3 && o.operation !== 'delivery' && o.test_name !== 'full_integration' && o.test_name !== 'noop') added.set(o.test_name, (added.get(o.test_name) ?? 0) + o.overhead_us);
  const top = [...added].sort((x, y) => y[1] - x[1])[0]!;
  const bottleneck = outputs.find((o) => o.includes('"layer"'));
  assert.ok(bottleneck, outputs.join('\n'));
  assert.equal((JSON.parse(bottleneck) as { layer: string }).layer, top[0], `by hand: ${JSON.stringify([...added])}`);
  const p95 = records.find((r) => r.type === 'statistics' && r.test_name === 'baseline' && r.agent_count === 3 && r.operation === 'message_send')!;
  assert.ok(Math.abs(Number(outputs.at(-1)) - p95.p95_ms * 1000) < 1e-9 * Math.max(1, p95.p95_ms * 1000), `the p95 recipe prints baseline@3's p95 in µs (${p95.p95_ms} ms): ${outputs.at(-1)}`);
});
