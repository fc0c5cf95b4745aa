/** Memory per kind of process, read from /proc, against ps (procps) on real processes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { descendants, rssByKind, spread } from '../../lib/measure/lifecycle.ts';

test('agent shells are the workers\' descendants, and their RSS is what ps says', async (t) => {
  // A stand-in "worker" (a shell) with two children of its own: a tree three levels deep.
  const worker = spawn('bash', ['-c', 'sleep 30 & sleep 30 & wait'], { stdio: 'ignore' });
  t.after(() => void worker.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 300));
  const kids = descendants([worker.pid!]).sort((a, b) => a - b);
  const ps = execFileSync('ps', ['-o', 'pid=', '--ppid', String(worker.pid)], { encoding: 'utf8' }).trim().split(/\s+/).map(Number).sort((a, b) => a - b);
  assert.deepEqual(kids, ps);
  assert.equal(kids.length, 2);
  const kb = (pids: number[]) => execFileSync('ps', ['-o', 'rss=', '-p', pids.join(',')], { encoding: 'utf8' }).trim().split(/\s+/).reduce((a, x) => a + Number(x), 0);
  const rss = rssByKind({ harness: process.pid, workers: [worker.pid!], server: [] });
  assert.equal(rss.agent_shells, Number((kb(kids) / 1024).toFixed(2)));
  assert.equal(rss.workers, Number((kb([worker.pid!]) / 1024).toFixed(2)));
  assert.equal(rss.server, null);
  worker.kill('SIGKILL');
  for (const k of kids) process.kill(k, 'SIGKILL');
});

test('spread: nearest-rank p50 and p95 and the max', () => {
  // 1..20: p50 is the 10th value, p95 the 19th.
  assert.deepEqual(spread(Array.from({ length: 20 }, (_, i) => 20 - i)), { n: 20, p50_ms: 10, p95_ms: 19, max_ms: 20 });
  assert.equal(spread([]), null);
});
