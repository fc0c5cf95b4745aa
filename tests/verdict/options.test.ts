import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions } from '../../lib/config/options.ts';
import { UsageError } from '../../lib/core/errors.ts';
import { parseFlags } from '../../lib/config/args.ts';

const resolve = (argv: string[], env: Record<string, string> = {}) => resolveOptions({ flags: parseFlags(argv), env, cores: 2, randomSeed: () => 1 }).options;

test('--threshold may be repeated; BENCH_THRESHOLDS takes a ;-separated list; flags win', () => {
  const o = resolve(['--threshold', 'integrity.lost == 0', '--threshold', 'overhead(metrics)@10.message_send.p50 < 1%']);
  assert.deepEqual(o.thresholds.map((t) => t.text), ['integrity.lost == 0', 'overhead(metrics)@10.message_send.p50 < 1%']);
  const e = resolve([], { BENCH_THRESHOLDS: 'integrity.lost == 0; baseline.message_send.p95 < 1ms' });
  assert.deepEqual(e.thresholds.map((t) => t.limit), [0, 1000]);
  assert.equal(resolve(['--threshold', 'integrity.sent > 1'], { BENCH_THRESHOLDS: 'integrity.lost == 0' }).thresholds[0]!.text, 'integrity.sent > 1');
  assert.deepEqual([resolve([]).thresholds, resolve([]).format, resolve([]).resolution], [[], 'table', 1]);
});

test('--format and --resolution are validated with the other options, all problems at once', () => {
  assert.equal(resolve(['--format', 'markdown', '--resolution', '0.5%']).resolution, 0.5);
  try {
    resolve(['--format', 'html5', '--resolution', '0', '--threshold', 'integrity.lost == 0%', '--runs', 'x']);
    assert.fail('resolved');
  } catch (e) {
    assert.ok(e instanceof UsageError);
    assert.equal(e.problems.length, 4);
    assert.match(e.message, /--format: unknown format "html5"; choose from table, markdown, bmf, prometheus, html, csv/);
    assert.match(e.message, /--resolution: 0% cannot be reached/);
    assert.match(e.message, /--threshold "integrity\.lost == 0%": integrity\.lost is a count/);
    assert.match(e.message, /--runs/);
  }
});
