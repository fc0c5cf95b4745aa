/** The resource monitor on a real directory tree on tmpfs (its walks keep to their share of a core) and on real processes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResourceMonitor, WALK_SHARE } from '../../lib/measure/resources.ts';
import { dirUsage } from '../../lib/measure/dirsize.ts';
import { diskDir } from '../helpers/tmpfs.ts';

test('a tree too large to walk at every sample is walked less often; the last sample always walks it and counts every file, the last ones too', async () => {
  const root = mkdtempSync('/dev/shm/busbench-walk-');
  try {
    // 40 directories × 100 files of 10 bytes: 4,000 files, 40,000 bytes (counted by hand).
    for (let d = 0; d < 40; d++) {
      mkdirSync(join(root, `d${d}`));
      for (let f = 0; f < 100; f++) writeFileSync(join(root, `d${d}`, `f${f}`), '0123456789');
    }
    const t = performance.now();
    assert.deepEqual(dirUsage(root), { bytes: 40_000, files: 4000 });
    const walkMs = performance.now() - t;
    // Samples every 2 ms: at most 5 % for walks means one walk per walkMs / 0.05 ms at most, far fewer than samples.
    const m = new ResourceMonitor(2, null);
    m.start([process.pid], { dir: root, ignore: [] }, {});
    await new Promise((r) => setTimeout(r, 300));
    // Ten more files just before the end: only the last sample's walk (due or not) can see them.
    for (let f = 0; f < 10; f++) writeFileSync(join(root, `late${f}`), '0123456789');
    const s = await m.stop([process.pid], { dir: root, ignore: [] });
    assert.ok(s.samples_n >= 3, `samples: ${s.samples_n}`);
    assert.ok(s.tmpfs_samples_n >= 1 && s.tmpfs_samples_n < s.samples_n, `walked ${s.tmpfs_samples_n} of ${s.samples_n} samples (a walk took ${walkMs.toFixed(1)} ms, share ${WALK_SHARE})`);
    assert.equal(s.tmpfs_max_files, 4010);
    assert.equal(s.tmpfs_max_bytes, 40_100);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('each sample sums the processes in the array as it is then: one that ends drops out, one pushed later counts', async () => {
  const log = join(diskDir('busbench-monitor-'), 'perf.jsonl');
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  // A process pushed later, large enough (256 MB touched) to show in the samples' RSS.
  const late = spawn(process.execPath, ['-e', "const b = Buffer.alloc(256 * 2 ** 20, 1); process.stdout.write('ready'); setInterval(() => b[0]++, 1000);"], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await new Promise((r) => late.stdout.once('data', r));
    const m = new ResourceMonitor(20, log);
    const pids = [process.pid, child.pid!];
    m.start(pids, null, {});
    await new Promise((r) => setTimeout(r, 80));
    // The child ends and the other is pushed, as the cell does after a server restart.
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { rss_mb: number });
    pids.push(late.pid!);
    await new Promise((r) => setTimeout(r, 100));
    // Samples taken by the monitor's own timer after the push, before stop's last one.
    const after = readFileSync(log, 'utf8').trim().split('\n').slice(before.length).map((l) => JSON.parse(l) as { rss_mb: number });
    const s = await m.stop(pids, null);
    assert.ok(after.length >= 1, 'the timer sampled after the push');
    assert.ok(Math.min(...after.map((x) => x.rss_mb)) > Math.max(...before.map((x) => x.rss_mb)) + 200, `RSS before the push ${before.map((x) => x.rss_mb)}, after ${after.map((x) => x.rss_mb)} MB`);
    assert.equal(s.processes_n, 2, 'this process and the one pushed; not the one that ended');
  } finally {
    child.kill('SIGKILL');
    late.kill('SIGKILL');
  }
});
