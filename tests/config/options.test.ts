import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveOptions, QUICK, helpText, SPECS } from '../../lib/config/options.ts';
import { UsageError } from '../../lib/core/errors.ts';
import { parseFlags } from '../../lib/config/args.ts';
import { diskDir } from '../helpers/tmpfs.ts';
import { BIN, ROOT } from '../helpers/cli.ts';
import { spawnSync } from 'node:child_process';

const resolve = (argv: string[], env: Record<string, string> = {}, preset = {}) =>
  resolveOptions({ flags: parseFlags(argv), env, cores: 2, preset, randomSeed: () => 1234, now: new Date('2026-01-02T03:04:05.678Z') });

function problems(argv: string[], env: Record<string, string> = {}): string[] {
  try {
    resolve(argv, env);
  } catch (e) {
    assert.ok(e instanceof UsageError, `expected UsageError, got ${String(e)}`);
    return [...e.problems];
  }
  assert.fail(`no problem reported for ${argv.join(' ')}`);
}

test('defaults: scales 1,10,100, 5 runs, 100 iterations, every config, one worker per core', () => {
  const { options: o } = resolve([]);
  assert.deepEqual(o.scales, [1, 10, 100]);
  assert.equal(o.runs, 5);
  assert.equal(o.iterations, 100);
  assert.deepEqual(o.layers, ['noop', 'metrics', 'health', 'rate_limiting', 'shutdown', 'full_integration']);
  assert.equal(o.workers, 2);
  assert.equal(o.baseDir, '/dev/shm');
  assert.equal(o.seed, 1234);
  assert.match(o.out, /results\/overhead-20260102T030405Z\.jsonl$/);
  assert.ok(Object.isFrozen(o));
});

test('the quick preset replaces defaults; env and flags still win', () => {
  const q = resolve([], {}, QUICK).options;
  assert.deepEqual([q.scales, q.runs, q.iterations], [[1, 3], 2, 20]);
  const e = resolve([], { STATISTICAL_RUNS: '4' }, QUICK).options;
  assert.equal(e.runs, 4);
  const f = resolve(['--runs', '3'], { STATISTICAL_RUNS: '4' }, QUICK).options;
  assert.equal(f.runs, 3);
});

test('legacy environment names work; flags win over env; BENCH_* wins over legacy', () => {
  const env = { SCALE_LEVELS: '2 4 8', BENCHMARK_ITERATIONS: '7', STATISTICAL_RUNS: '3', BENCHMARK_RESULTS_FILE: '/tmp/legacy.jsonl', PERF_LOG: '/tmp/perf.log' };
  const { options: o, sources } = resolve([], env);
  assert.deepEqual(o.scales, [2, 4, 8]);
  assert.equal(o.iterations, 7);
  assert.equal(o.runs, 3);
  assert.equal(o.out, '/tmp/legacy.jsonl');
  assert.equal(o.perfLog, '/tmp/perf.log');
  assert.equal(sources.scales, 'env');
  const f = resolve(['--scales', '5', '--iterations=9'], env).options;
  assert.deepEqual(f.scales, [5]);
  assert.equal(f.iterations, 9);
  assert.equal(resolve([], { ...env, BENCH_RUNS: '6' }).options.runs, 6);
});

test('every bad scale is rejected naming the flag and a fix', () => {
  for (const bad of ['0', '-1', 'abc', '1,,10', '10001', '1,1', '']) {
    const p = problems(['--scales', bad]);
    assert.equal(p.length, 1, `${bad}: ${p.join('; ')}`);
    assert.match(p[0]!, /^--scales: .*(use|list)/, bad);
  }
  assert.match(problems([], { SCALE_LEVELS: '1 x' })[0]!, /^SCALE_LEVELS \(environment\): "x"/);
});

test('runs < 1, unknown layer, unknown flag, stray argument, value-less flag', () => {
  assert.match(problems(['--runs', '0'])[0]!, /^--runs: 0 is below 1/);
  assert.match(problems(['--layers', 'metrics,turbo'])[0]!, /^--layers: unknown "turbo"; choose from noop, metrics/);
  assert.match(problems(['--frobnicate', '3'])[0]!, /^--frobnicate: unknown flag/);
  assert.match(problems(['extra'])[0]!, /unexpected argument "extra"/);
  assert.match(problems(['--iterations'])[0]!, /^--iterations: /);
  assert.match(problems(['--runs', '2', '--runs', '3'])[0]!, /given 2 times/);
});

test('all problems are reported at once', () => {
  const p = problems(['--scales', '0', '--runs', '0', '--layers', 'nope', '--bogus', '--base-dir', '/definitely/not/here']);
  assert.equal(p.length, 5, p.join('\n'));
  for (const flag of ['--scales', '--runs', '--layers', '--bogus', '--base-dir']) assert.ok(p.some((x) => x.startsWith(flag)), flag);
});

test('--base-dir must exist and be a directory', () => {
  const dir = diskDir('busbench-opt-');
  const file = join(dir, 'f');
  writeFileSync(file, '');
  assert.match(problems(['--base-dir', join(dir, 'missing')])[0]!, /does not exist/);
  assert.match(problems(['--base-dir', file])[0]!, /is not a directory/);
  assert.equal(resolve(['--base-dir', dir]).options.baseDir, dir);
});

test('--base-dir that is not writable is an error', () => {
  const parent = diskDir('busbench-opt-');
  const ro = join(parent, 'ro');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  if (process.getuid?.() !== 0) {
    assert.match(problems(['--base-dir', ro])[0]!, /--base-dir: .* is not writable/);
    return;
  }
  // Permission bits do not stop root: run the real command as an unprivileged user (nobody), for
  // whom the directory is what it is for anyone else.
  chmodSync(parent, 0o755);
  const r = spawnSync(process.execPath, [BIN, 'quick', '--base-dir', ro, '--out', '-'], { uid: 65534, gid: 65534, cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--base-dir: .* is not writable/);
});

test('--out: a directory or a missing parent is an error; - means stdout', () => {
  assert.match(problems(['--out', '/'])[0]!, /is a directory/);
  assert.match(problems(['--out', '/no/such/dir/x.jsonl'])[0]!, /does not exist/);
  assert.equal(resolve(['--out', '-']).options.out, '-');
});

test('booleans from flags and env; bad boolean env is an error', () => {
  assert.equal(resolve(['--raw']).options.raw, true);
  assert.equal(resolve([], { BENCH_KEEP: '1' }).options.keep, true);
  assert.match(problems([], { BENCH_RAW: 'maybe' })[0]!, /BENCH_RAW \(environment\): "maybe" is not a yes\/no value/);
});

test('help lists every flag with its environment names and default', () => {
  const h = helpText('overhead', 'summary');
  for (const s of SPECS) {
    assert.ok(h.includes(s.flag), s.flag);
    for (const e of s.env) assert.ok(h.includes(e), e);
  }
  assert.match(h, /default 1,10,100/);
});
