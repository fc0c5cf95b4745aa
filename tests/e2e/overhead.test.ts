/**
 * The overhead command's flags and failure paths, each run as a user runs it, at the smallest sizes
 * that show the behaviour. (The main command's output is checked in main-job.test.ts.)
 */
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { isAlive, busbench, newTag, parseJsonl, ROOT, taggedPids, type Ran } from '../helpers/cli.ts';
import { diskDir, shmDir } from '../helpers/tmpfs.ts';

const TINY = ['--scales', '2', '--runs', '2', '--iterations', '5', '--warmup', '0'];

// One run serves three tests: --out - (JSONL alone on stdout), --raw (sample records), PERF_LOG, on
// a base dir under the OS temp dir (a disk, usually: the not-tmpfs warning).
// Created here, not in before(): a directory made inside a hook is removed when the hook ends.
const diskBase = diskDir('busbench-disk-');
const perfDir = diskDir('busbench-perf-');
const diskIsTmpfs = execFileSync('stat', ['-f', '-c', '%T', diskBase], { encoding: 'utf8' }).trim() === 'tmpfs';
let piped: Ran;
let pipedRecs: Record<string, any>[];

before(async () => {
  piped = await busbench(['quick', '--out', '-', '--raw', '--base-dir', diskBase, ...TINY, '--layers', 'noop'], { env: { PERF_LOG: join(perfDir, 'perf.jsonl') } });
  pipedRecs = parseJsonl(piped.stdout);
});

test('--out - writes only JSONL to stdout; the table goes to stderr; the perf log names the interleaved cells', () => {
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(pipedRecs[0]!.type, 'run');
  assert.equal(pipedRecs.at(-1)!.type, 'summary');
  assert.deepEqual([...new Set(pipedRecs.filter((x) => x.type === 'statistics').map((x) => x.test_name))].sort(), ['baseline', 'noop']);
  assert.match(piped.stderr, /Overhead of each layer/);
  assert.doesNotMatch(piped.stderr, /report: /, 'no HTML report when the JSONL goes to stdout');
  assert.equal(existsSync(join(ROOT, '-.html')), false);
  const samples = parseJsonl(readFileSync(join(perfDir, 'perf.jsonl'), 'utf8')) as Record<string, any>[];
  assert.ok(samples.length >= 2 && samples.every((s) => s.test_name === 'interleaved'), 'one interleaved cell per run');
});

test('--raw adds sample records with every timed value, and the statistics come from them', () => {
  const samples = pipedRecs.filter((x) => x.type === 'sample' && x.operation === 'message_send');
  assert.equal(samples.length, 4, '2 configs × 2 runs');
  for (const s of samples) assert.equal(s.values_us.length, 10, '2 agents × 5 messages');
  const stat = pipedRecs.find((x) => x.type === 'statistics' && x.test_name === 'noop' && x.operation === 'message_send')!;
  const all = samples.filter((s) => s.test_name === 'noop').flatMap((s) => s.values_us as number[]).sort((x, y) => x - y);
  assert.equal(stat.n, all.length);
  assert.ok(Math.abs(stat.max_ms * 1000 - all.at(-1)!) < 0.01, 'max');
  assert.ok(Math.abs(stat.min_ms * 1000 - all[0]!) < 0.01, 'min');
  // p50 of 20 values, type 7: the mean of the 10th and 11th smallest.
  assert.ok(Math.abs(stat.p50_ms * 1000 - (all[9]! + all[10]!) / 2) < 0.01, `p50 ${stat.p50_ms} ms vs ${(all[9]! + all[10]!) / 2} µs by hand`);
});

test('a base dir that is not tmpfs runs with a warning, noted in the run record; the run directory is removed', (t) => {
  if (diskIsTmpfs) return t.skip(`${tmpdir()} is tmpfs on this machine: no disk directory to try`);
  assert.equal(piped.code, 0, piped.stderr);
  assert.match(piped.stderr, /warning: .* not tmpfs/);
  assert.equal(pipedRecs[0]!.tmpfs.is_tmpfs, false);
  assert.deepEqual(readdirSync(diskBase), [], 'run directory removed');
});

test('--noop-delay-us 20: the harness finds the known cost (the noop interval on a send lies above zero, about 20 µs added)', async () => {
  const base = shmDir();
  const r = await busbench(['quick', '--out', '-', '--base-dir', base, '--scales', '1', '--runs', '4', '--iterations', '100', '--warmup', '5', '--layers', 'noop', '--noop-delay-us', '20']);
  assert.equal(r.code, 0, r.stderr);
  const recs = parseJsonl(r.stdout) as Record<string, any>[];
  const o = recs.find((x) => x.type === 'overhead' && x.test_name === 'noop' && x.operation === 'message_send')!;
  assert.ok(o, 'an overhead record for the noop on message_send');
  assert.ok(o.ci_low_pct > 0 && o.significant === true, `interval above zero: ${JSON.stringify(o)}`);
  // The 20 µs busy-wait, give or take the run's noise (a preempted spin can only add to it).
  assert.ok(o.overhead_us >= 15 && o.overhead_us <= 100, `about 20 µs added (${o.overhead_us} µs)`);
  assert.deepEqual(readdirSync(base), [], 'run directory removed');
});

/** Bad values of numeric and path flags: exit 2, the flag named on stderr, no run directory, no results file. */
const BAD: string[][] = [
  ['--warmup', '-1'],
  ['--workers', '0'],
  ['--seed', 'x'],
  ['--payload-bytes', '-1'],
  ['--inbox-capacity', '0'],
  ['--backoff-ms', '-1'],
  ['--max-retries', '-1'],
  ['--health-interval-ms', 'x'],
  ['--health-query-every', '0'],
  ['--sample-interval-ms', '1'],
  ['--cell-timeout', '0'],
  ['--noop-delay-us', '-1'],
  ['--perf-log', '/nonexistent/dir/x.jsonl'],
  // A path under a regular file can never be created, whoever runs busbench (root included).
  ['--out', '/etc/hostname/x.jsonl'],
];

test('bad flag values: exit 2, every flag named on a line of its own, nothing created', async () => {
  // One run with every bad value at once: busbench reports every problem, each naming its flag.
  const base = shmDir();
  const r = await busbench(['quick', '--base-dir', base, '--scales', '1', '--runs', '1', '--iterations', '2', ...BAD.flat()]);
  assert.equal(r.code, 2, r.stderr);
  for (const [flag] of BAD) assert.match(r.stderr, new RegExp(`^  ${flag}: `, 'm'), `${flag} in: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.deepEqual(readdirSync(base), [], 'no run directory');
  assert.ok(statSync('/etc/hostname').isFile(), '--out under a regular file created nothing');
});

/**
 * Starts a run that is interrupted once the matrix is under way; `kill` gets the child and the
 * worker pids seen then. Run 1's cell (2 agents × 2000 messages × 3 configs) lasts long enough for
 * the signal to land in it, not in the restart before run 2; a small run keeps the calibration short.
 */
async function interrupted(kill: (p: import('node:child_process').ChildProcess, workers: number[]) => void, base: string, file: string, tag: string): Promise<{ r: Ran; seen: number[] }> {
  let seen: number[] = [];
  const r = await busbench(['overhead', '--out', file, '--base-dir', base, '--scales', '2', '--runs', '3', '--iterations', '2000', '--layers', 'noop,metrics'], {
    tag,
    onStart: (p) => {
      let err = '';
      p.stderr!.on('data', (d) => {
        err += d;
        // Interrupt once the matrix is under way (progress lines start with the run number).
        if (/cells · run 1\//.test(err) && seen.length === 0) {
          seen = taggedPids(tag).filter((pid) => pid !== p.pid);
          kill(p, seen);
        }
      });
    },
  });
  return { r, seen };
}

function assertAborted(file: string, code: number): void {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'), 'ends on a complete line');
  const last = parseJsonl(text).at(-1) as Record<string, any>;
  assert.equal(last.type, 'summary');
  assert.equal(last.status, 'aborted');
  assert.equal(last.exit_code, code);
}

describe('interrupted runs', { concurrency: true }, () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    test(`${signal} to the process group mid-run: workers stopped, run directory removed, complete lines + aborted summary, exit ${code}`, async () => {
      const base = shmDir();
      const file = join(diskDir('busbench-sig-'), 'aborted.jsonl');
      const tag = newTag();
      const { r, seen } = await interrupted((p) => process.kill(-p.pid!, signal), base, file, tag); // the whole group, as Ctrl-C does
      assert.equal(r.code, code, r.stderr);
      assert.ok(seen.length >= 2, `workers were alive (${seen.length})`);
      assert.deepEqual(taggedPids(tag), [], 'no process left behind');
      assert.deepEqual(readdirSync(base), [], 'run directory removed');
      assertAborted(file, code);
    });
  }

  test('SIGTERM to the busbench process alone (kill PID, not the group): it stops its own workers, removes the run directory, exit 143', async () => {
    const base = shmDir();
    const file = join(diskDir('busbench-sig-'), 'aborted.jsonl');
    const tag = newTag();
    const { r, seen } = await interrupted((p) => process.kill(p.pid!, 'SIGTERM'), base, file, tag);
    assert.equal(r.code, 143, r.stderr);
    assert.ok(seen.length >= 2, `workers were alive when the signal was sent (${seen.join(', ')})`);
    assert.deepEqual(seen.filter(isAlive), [], 'every worker seen before the signal is gone');
    assert.deepEqual(taggedPids(tag), [], 'no process left behind');
    assert.deepEqual(readdirSync(base), [], 'run directory removed');
    assertAborted(file, 143);
  });
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
  for (const x of res) assert.ok(x.delivered === 6 && x.workload_ms > 0 && x.tmpfs_samples_n >= 1 && x.tmpfs_samples_n <= x.samples_n && typeof x.tmpfs_max_files === 'number', JSON.stringify(x));
  assert.equal(recs.at(-1)!.cells_ok, 2);
  const samples = parseJsonl(readFileSync(perf, 'utf8')) as Record<string, any>[];
  assert.ok(samples.length >= 2, 'at least one sample per cell');
  for (const s of samples) {
    for (const k of ['rss_mb', 't_ms']) assert.equal(typeof s[k], 'number', k);
    // A sample walks the cell's directory unless the walks would take more than 5 % of a core; the last of each cell always does.
    for (const k of ['tmpfs_bytes', 'tmpfs_files']) assert.ok(s[k] === null || typeof s[k] === 'number', k);
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

test('a failed cell becomes an error record; the matrix goes on; exit 1; nothing left behind', async () => {
  const base = shmDir();
  const tag = newTag();
  // The test driver hangs the 61st send of a config's clients: 1 agent × 60 rounds never reaches it,
  // 50 agents do in their second round, and the cell (2 configs) times out after 2 s (1 s per config).
  const r = await busbench(['overhead', '--driver', 'fault', '--fault-plan', 'hang-send@61', '--out', '-', '--base-dir', base, '--scales', '1,50', '--iterations', '60', '--workers', '1', '--cell-timeout', '1', '--runs', '1', '--layers', 'noop', '--warmup', '0'], { tag });
  assert.equal(r.code, 1, r.stderr);
  const recs = parseJsonl(r.stdout) as Record<string, any>[];
  const errors = recs.filter((x) => x.type === 'error');
  assert.deepEqual(errors.map((e) => `${e.test_name}@${e.agent_count}`).sort(), ['baseline@50', 'noop@50']);
  assert.match(errors[0]!.message, /did not answer 'cell' within 2 s/, '--cell-timeout is per config: 2 configs share the cell');
  const ok = recs.filter((x) => x.type === 'integrity');
  assert.deepEqual(ok.map((i) => `${i.test_name}@${i.agent_count}:${i.lost}`).sort(), ['baseline@1:0', 'noop@1:0']);
  assert.ok(recs.some((x) => x.type === 'overhead' && x.agent_count === 1), 'the cells that ran are still analysed');
  const summary = recs.at(-1)!;
  assert.deepEqual([summary.status, summary.cells_ok, summary.cells_failed], ['failed', 1, 1], 'one interleaved cell per scale');
  assert.match(r.stderr, /cell failed: .*@ 50 .*the matrix goes on/);
  assert.deepEqual(taggedPids(tag), [], 'no worker left behind');
  assert.deepEqual(readdirSync(base), [], 'run directory removed');
});

test('a reader that goes away (| head -1) stops the run cleanly: exit 1, nothing left behind', async () => {
  const base = shmDir();
  const tag = newTag();
  // Many cells, each writing records: the reader is gone long before the matrix could end.
  const r = await busbench(['overhead', '--out', '-', '--base-dir', base, '--scales', '2', '--runs', '50', '--iterations', '5', '--warmup', '0', '--layers', 'noop'], {
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
  // The two commands stand in the quick start's own code block, not just somewhere in the prose.
  const quick = /## Quick start\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  assert.match(quick, /^npm ci && npm run bench\b/m);
  assert.match(quick, /^npm test\b/m);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
  assert.ok(pkg.scripts.bench && pkg.scripts.test && pkg.scripts['bench:quick']);
  assert.equal(pkg.bin.busbench, 'scripts/busbench.js');
});

