import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diskDir } from '../helpers/tmpfs.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('the overhead benchmark writes its HTML report beside the JSONL (and none when the JSONL goes to stdout)', () => {
  const dir = diskDir('busbench-ovh-');
  try {
    const out = join(dir, 'run.jsonl');
    const env = { ...process.env, NO_COLOR: '1' };
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'quick.ts'), '--layers', 'metrics', '--out', out], { cwd: ROOT, encoding: 'utf8', env, timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /report: .*run\.html/);
    const html = readFileSync(join(dir, 'run.html'), 'utf8');
    assert.match(html, /<title>busbench overhead report<\/title>/);
    for (const id of ['latency', 'throughput', 'overhead-send', 'overhead-receive', 'resources-cpu', 'resources-rss', 'resources-tmpfs']) assert.ok(html.includes(`data-chart="${id}"`), id);
    // baseline and metrics at scales 1 and 3: p50 + p95 each
    assert.equal((html.match(/<circle class="point"[^>]*data-x/g) ?? []).length >= 8, true);
    assert.match(html, /<rect class="bar"[^>]*data-series="metrics"/);
    // Interleaved (the default): resources of the shared cells as one series; no per-config throughput, and it says why.
    assert.match(html, /data-series="all configs \(interleaved\)"/);
    assert.match(html, /no config has a wall time of its own/);

    const piped = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'quick.ts'), '--layers', 'metrics', '--scales', '1', '--out', '-'], { cwd: ROOT, encoding: 'utf8', env, timeout: 300_000 });
    assert.equal(piped.status, 0, piped.stderr);
    assert.match(piped.stdout.split('\n')[0]!, /^\{"schema":1/);
    assert.doesNotMatch(piped.stderr, /report: /);
    assert.equal(existsSync(join(ROOT, '-.html')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
