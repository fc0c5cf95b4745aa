import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { busbench, newTag, parseJsonl, taggedPids, type Ran } from '../helpers/cli.ts';
import { diskDir, shmDir } from '../helpers/tmpfs.ts';
import { CONFIGS, layersOf } from '../../lib/core/words.ts';

const SCALES = [1, 3];
const ITER = 20;
let quick: Ran;
let out: string;
let records: Record<string, unknown>[];
const of = (type: string) => records.filter((r) => r.type === type);

// Created here, not in before(): a directory made inside a hook is removed when the hook ends.
const quickDir = diskDir('busbench-e2e-');

before(async () => {
  out = join(quickDir, 'quick.jsonl');
  quick = await busbench(['quick', '--out', out, '--seed', '7']);
  records = parseJsonl(readFileSync(out, 'utf8'));
});

test('quick run: exit 0, the breakdown table on stdout, a summary on stderr', () => {
  assert.equal(quick.code, 0, quick.stderr);
  assert.match(quick.stdout, /Overhead of each layer vs the bare bus/);
  assert.match(quick.stdout, /Layers ranked by cost at 3 agents/);
  assert.match(quick.stdout, /Resources .* integrity/);
  for (const n of ['noop', 'metrics', 'health', 'rate_lim', 'shutdown', 'full']) assert.ok(quick.stdout.includes(n), n);
  assert.match(quick.stderr, /^ok in [\d.]+ s · \d+ cells ok, 0 failed · lost 0, duplicated 0/m);
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

test('run record: host, tmpfs check, seed, resolved config and calibration', () => {
  const r = records[0]! as Record<string, any>;
  assert.equal(r.seed, 7);
  assert.equal(r.tmpfs.is_tmpfs, true);
  assert.equal(r.tmpfs.fs_type, 'tmpfs');
  assert.ok(r.host.cores >= 1);
  assert.deepEqual(r.config.scales, SCALES);
  assert.deepEqual(r.configs, [...CONFIGS]);
  assert.equal(r.interleaved, true, 'the reference bus interleaves the configs by default');
  for (const k of ['timer_empty_p50_ns', 'harness_cost_per_call_ns', 'syscall_floor_round_trip_us', 'bus_round_trip_us', 'bus_send_us', 'bus_vs_floor_ratio', 'harness_pct_of_send']) {
    assert.equal(typeof r.calibration[k], 'number', k);
    assert.ok(r.calibration[k] >= 0, k);
  }
  assert.ok(r.calibration.bus_round_trip_us > 0 && r.calibration.syscall_floor_round_trip_us > 0);
});

test('statistics: every config at every scale, per-call percentiles, layer operations where the layer is', () => {
  const stats = of('statistics') as Record<string, any>[];
  for (const config of CONFIGS) {
    for (const n of SCALES) {
      const ops = stats.filter((s) => s.test_name === config && s.agent_count === n).map((s) => s.operation);
      const want = ['message_send', 'message_receive', 'delivery'];
      if (layersOf(config).includes('health')) want.push('health_query');
      if (layersOf(config).includes('shutdown')) want.push('shutdown_drain');
      assert.deepEqual(ops.sort(), want.sort(), `${config}@${n}`);
    }
  }
  for (const s of stats) {
    for (const k of ['avg_ms', 'stddev_ms', 'min_ms', 'max_ms', 'p50_ms', 'p95_ms', 'p99_ms']) assert.equal(typeof s[k], 'number', k);
    assert.ok(s.min_ms <= s.p50_ms && s.p50_ms <= s.p95_ms && s.p95_ms <= s.p99_ms && s.p99_ms <= s.max_ms, JSON.stringify(s));
    assert.equal(s.runs_n, 2);
    if (s.operation === 'message_send') assert.equal(s.n, s.agent_count * ITER * 2, 'one sample per send, warm-up excluded');
  }
});

test('overhead: each layer vs baseline per scale and operation, with a 95 % interval', () => {
  const ov = of('overhead') as Record<string, any>[];
  // Interleaved: send and receive; end-to-end delivery only with cells of their own (README, Statistical method).
  assert.equal(ov.length, (CONFIGS.length - 1) * SCALES.length * 2);
  assert.ok(ov.every((o) => o.operation !== 'delivery'));
  for (const o of ov) {
    assert.notEqual(o.test_name, 'baseline');
    assert.ok(o.ci_low_pct <= o.overhead_pct && o.overhead_pct <= o.ci_high_pct, JSON.stringify(o));
    assert.equal(o.significant, o.ci_low_pct > 0 || o.ci_high_pct < 0);
    assert.equal(o.per_run_pct.length, 2);
    assert.equal(o.method, 'paired_t_matched_log_ratio');
  }
});

test('integrity: every message counted, none lost or duplicated, sent = received + drained', () => {
  const integ = of('integrity') as Record<string, any>[];
  assert.equal(integ.length, CONFIGS.length * SCALES.length * 4, 'a warm-up pass before each of the 2 runs');
  for (const i of integ) {
    assert.equal(i.lost, 0);
    assert.equal(i.duplicated, 0);
    assert.equal(i.unknown, 0);
    assert.equal(i.leftover, 0);
    assert.equal(i.sent, i.received + i.drained);
    assert.equal(i.sent, i.agent_count * (i.run === 0 ? 5 : ITER));
    assert.equal(i.ok, true);
  }
  // Interleaved: one cell per scale and pass (2 × (warm-up + run)) serves every config, and has one resource record.
  const res = of('resource') as Record<string, any>[];
  assert.equal(res.length, SCALES.length * 4);
  for (const x of res) {
    assert.equal(x.test_name, 'interleaved');
    assert.deepEqual(x.configs, [...CONFIGS]);
    assert.equal(x.throughput_msgs_per_s, undefined, 'no throughput for a wall time shared by every config');
  }
  const s = records.at(-1)! as Record<string, any>;
  assert.deepEqual([s.status, s.exit_code, s.cells_failed, s.lost_total], ['ok', 0, 0, 0]);
});

test('the jq gate from the README works on the output (real jq)', () => {
  const v = execFileSync('jq', ['-s', 'map(select(.test_name == "full_integration" and .type == "statistics")) | .[0].avg_ms', out], { encoding: 'utf8' }).trim();
  assert.match(v, /^\d+(\.\d+)?(e-?\d+)?$/);
  assert.ok(Number(v) > 0);
  const lost = execFileSync('jq', ['-s', '[.[] | select(.type == "integrity") | .lost] | add', out], { encoding: 'utf8' }).trim();
  assert.equal(lost, '0');
  execFileSync('jq', ['-e', '.type', out], { stdio: 'ignore' }); // every line parses on its own
});

test("the README's jq recipes run on the output", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /## CI gates with jq\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'the README has the jq block');
  // Each recipe on its own; the recipes name the default scales, this run has 1 and 3 agents.
  const recipes = block.split(/\n\s*\n/).filter((r) => r.includes('jq ')).map((r) => r.replace(/agent_count == 10{1,2}\b/g, 'agent_count == 3'));
  assert.ok(recipes.length >= 6, `${recipes.length} recipes`);
  const outputs = recipes.map((r) => {
    const res = spawnSync('bash', ['-c', r], { encoding: 'utf8', env: { ...process.env, F: out } });
    // jq -e exits 1 on a false gate: a verdict, not a broken recipe. Anything else is broken.
    assert.ok(res.status === 0 || (res.status === 1 && r.includes('jq -se')), `${r}\n→ exit ${res.status}: ${res.stderr}`);
    assert.equal(res.stderr, '', r);
    return res.stdout.trim();
  });
  assert.ok(Number(outputs[0]) > 0, `the compatible gate prints a number: ${outputs[0]}`);
  assert.deepEqual(outputs.slice(1, 3), ['true', 'true'], 'nothing lost; status ok');
  assert.match(outputs.join('\n'), /"layer": "(metrics|health|rate_limiting|shutdown)"/, 'the bottleneck recipe names a layer');
  assert.ok(Number(outputs.at(-1)) > 0, 'the p95 recipe prints a number');
});

test('--out - writes only JSONL to stdout; the table goes to stderr; the perf log names the interleaved cells', async () => {
  const perf = join(diskDir('busbench-perf-'), 'perf.jsonl');
  const r = await busbench(['quick', '--out', '-', '--scales', '2', '--runs', '2', '--iterations', '5', '--layers', 'metrics', '--warmup', '0'], { env: { PERF_LOG: perf } });
  assert.equal(r.code, 0, r.stderr);
  const samples = parseJsonl(readFileSync(perf, 'utf8')) as Record<string, any>[];
  assert.ok(samples.length >= 2 && samples.every((s) => s.test_name === 'interleaved'), 'one interleaved cell per run');
  const recs = parseJsonl(r.stdout);
  assert.equal(recs[0]!.type, 'run');
  assert.equal(recs.at(-1)!.type, 'summary');
  assert.deepEqual([...new Set(recs.filter((x) => x.type === 'statistics').map((x) => x.test_name))].sort(), ['baseline', 'metrics']);
  assert.match(r.stderr, /Overhead of each layer/);
});

test('--raw adds sample records with every timed value', async () => {
  const dir = diskDir('busbench-raw-');
  const file = join(dir, 'raw.jsonl');
  const r = await busbench(['quick', '--out', file, '--scales', '2', '--runs', '2', '--iterations', '4', '--layers', 'noop', '--raw', '--warmup', '0']);
  assert.equal(r.code, 0, r.stderr);
  const recs = parseJsonl(readFileSync(file, 'utf8'));
  const samples = recs.filter((x) => x.type === 'sample' && x.operation === 'message_send') as Record<string, any>[];
  assert.equal(samples.length, 4, '2 configs × 2 runs');
  for (const s of samples) assert.equal(s.values_us.length, 8);
  const stat = recs.find((x) => x.type === 'statistics' && x.test_name === 'noop' && x.operation === 'message_send') as Record<string, any>;
  const all = samples.filter((s) => s.test_name === 'noop').flatMap((s) => s.values_us as number[]);
  assert.equal(stat.n, all.length);
  assert.ok(Math.abs(stat.max_ms * 1000 - Math.max(...all)) < 0.01, 'the statistics come from these very samples');
});

test('--separate-cells, PERF_LOG and --keep: a cell per config with its own resource record and samples; the marked run directory stays', async () => {
  const base = shmDir();
  const dir = diskDir('busbench-perf-');
  const perf = join(dir, 'perf.jsonl');
  const r = await busbench(['quick', '--out', '-', '--base-dir', base, '--keep', '--separate-cells', '--scales', '2', '--runs', '1', '--iterations', '3', '--layers', 'metrics', '--warmup', '0'], { env: { PERF_LOG: perf } });
  assert.equal(r.code, 0, r.stderr);
  const recs = parseJsonl(r.stdout) as Record<string, any>[];
  assert.equal(recs[0]!.interleaved, false);
  const res = recs.filter((x) => x.type === 'resource');
  assert.deepEqual(res.map((x) => x.test_name).sort(), ['baseline', 'metrics']);
  for (const x of res) assert.ok(x.delivered === 6 && x.workload_ms > 0, JSON.stringify(x));
  assert.equal(recs.at(-1)!.cells_ok, 2);
  const samples = parseJsonl(readFileSync(perf, 'utf8')) as Record<string, any>[];
  assert.ok(samples.length >= 2, 'at least one sample per cell');
  for (const s of samples) {
    for (const k of ['rss_mb', 'tmpfs_bytes', 'tmpfs_files', 't_ms']) assert.equal(typeof s[k], 'number', k);
    assert.ok(s.cpu_pct === null || typeof s.cpu_pct === 'number');
    assert.ok(['baseline', 'metrics'].includes(s.test_name));
  }
  const kept = readdirSync(base);
  assert.equal(kept.length, 1);
  assert.match(r.stderr, /run directory kept: /);
  const inside = readdirSync(join(base, kept[0]!));
  assert.ok(inside.includes('.busbench-run'));
  assert.ok(inside.some((n) => n.startsWith('cell-')), 'cell directories kept too');
});

test('bad options: exit 2, every problem named, nothing created', async () => {
  const base = shmDir();
  const dir = diskDir('busbench-bad-');
  const file = join(dir, 'never.jsonl');
  const r = await busbench(['overhead', '--scales', '1,,10', '--runs', '0', '--layers', 'metrics,warp', '--turbo', '--base-dir', base, '--out', file]);
  assert.equal(r.code, 2);
  for (const flag of ['--scales', '--runs', '--layers', '--turbo']) assert.ok(r.stderr.includes(flag), `${flag} in: ${r.stderr}`);
  assert.match(r.stderr, /4 bad options/);
  assert.equal(r.stdout, '');
  assert.deepEqual(readdirSync(base), [], 'no run directory');
  assert.equal(existsSync(file), false, 'no results file');
  const missing = await busbench(['quick', '--base-dir', '/no/such/dir']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--base-dir: \/no\/such\/dir does not exist/);
  const unknown = await busbench(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
});

test('--help prints the flags and exits 0', async () => {
  const r = await busbench(['overhead', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: busbench overhead/);
  assert.match(r.stdout, /--scales LIST/);
  assert.match(r.stdout, /SCALE_LEVELS/);
});

test('a base dir that is not tmpfs runs with a warning, noted in the run record', async (t) => {
  const dir = diskDir('busbench-disk-');
  const fsType = execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
  if (fsType === 'tmpfs') return t.skip(`${tmpdir()} is tmpfs on this machine: no disk directory to try`);
  const r = await busbench(['quick', '--base-dir', dir, '--out', '-', '--scales', '1', '--runs', '1', '--iterations', '3', '--layers', 'noop', '--warmup', '0']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: .* not tmpfs/);
  const runRec = parseJsonl(r.stdout)[0] as Record<string, any>;
  assert.equal(runRec.tmpfs.is_tmpfs, false);
  assert.deepEqual(readdirSync(dir), [], 'run directory removed');
});

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} mid-run: workers stopped, run directory removed, complete lines + aborted summary, exit ${code}`, async () => {
    const base = shmDir();
    const dir = diskDir('busbench-sig-');
    const file = join(dir, 'aborted.jsonl');
    const tag = newTag();
    let sawWorkers = 0;
    const r = await busbench(['overhead', '--out', file, '--base-dir', base, '--scales', '50', '--runs', '50', '--iterations', '200'], {
      tag,
      onStart: (p) => {
        let err = '';
        p.stderr!.on('data', (d) => {
          err += d;
          // Interrupt once the matrix is under way (progress lines start with the run number).
          if (/cells · run 1\//.test(err) && sawWorkers === 0) {
            sawWorkers = taggedPids(tag).length;
            process.kill(-p.pid!, signal); // the whole process group, as Ctrl-C does
          }
        });
      },
    });
    assert.equal(r.code, code, r.stderr);
    assert.ok(sawWorkers >= 3, `the run and its workers were alive (${sawWorkers})`);
    assert.deepEqual(taggedPids(tag), [], 'no process left behind');
    assert.deepEqual(readdirSync(base), [], 'run directory removed');
    const text = readFileSync(file, 'utf8');
    assert.ok(text.endsWith('\n'), 'ends on a complete line');
    const recs = parseJsonl(text);
    const last = recs.at(-1) as Record<string, any>;
    assert.equal(last.type, 'summary');
    assert.equal(last.status, 'aborted');
    assert.equal(last.exit_code, code);
  });
}

test('a failed cell becomes an error record; the matrix goes on; exit 1; nothing left behind', async () => {
  const base = shmDir();
  const tag = newTag();
  // 200 agents × 1000 messages cannot finish within the 1 s cell timeout; 1 agent × 1000 can.
  const r = await busbench(['overhead', '--out', '-', '--base-dir', base, '--scales', '1,200', '--iterations', '1000', '--cell-timeout', '1', '--runs', '1', '--layers', 'noop', '--warmup', '0'], { tag });
  assert.equal(r.code, 1, r.stderr);
  const recs = parseJsonl(r.stdout) as Record<string, any>[];
  const errors = recs.filter((x) => x.type === 'error');
  assert.deepEqual(errors.map((e) => `${e.test_name}@${e.agent_count}`).sort(), ['baseline@200', 'noop@200']);
  assert.match(errors[0]!.message, /did not answer 'cell' within 2 s/, '--cell-timeout is per config: 2 configs share the cell');
  const ok = recs.filter((x) => x.type === 'integrity');
  assert.deepEqual(ok.map((i) => `${i.test_name}@${i.agent_count}:${i.lost}`).sort(), ['baseline@1:0', 'noop@1:0']);
  assert.ok(recs.some((x) => x.type === 'overhead' && x.agent_count === 1), 'the cells that ran are still analysed');
  const summary = recs.at(-1)!;
  assert.deepEqual([summary.status, summary.cells_ok, summary.cells_failed], ['failed', 1, 1], 'one interleaved cell per scale');
  assert.match(r.stderr, /cell failed: .*@ 200 .*the matrix goes on/);
  assert.deepEqual(taggedPids(tag), [], 'no worker left behind');
  assert.deepEqual(readdirSync(base), [], 'run directory removed');
});

test('a reader that goes away (| head -1) stops the run cleanly: exit 1, nothing left behind', async () => {
  const base = shmDir();
  const tag = newTag();
  const r = await busbench(['overhead', '--out', '-', '--base-dir', base, '--scales', '20', '--runs', '20'], {
    tag,
    onStart: (p) => p.stdout!.once('data', () => p.stdout!.destroy()),
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /cannot write results to stdout/);
  assert.deepEqual(taggedPids(tag), []);
  assert.deepEqual(readdirSync(base), []);
});

test('the README quick start names the two commands, and package.json has them', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.match(readme, /npm ci && npm run bench\b/);
  assert.match(readme, /npm ci && npm test\b/);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
  assert.ok(pkg.scripts.bench && pkg.scripts.test && pkg.scripts['bench:quick']);
  assert.equal(pkg.bin.busbench, 'scripts/busbench.js');
});

