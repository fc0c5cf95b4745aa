/**
 * The worker pool stopped in the middle of a restart (a Ctrl-C between two statistical runs): the
 * replacement is never started, so no worker outlives busbench and keeps it from exiting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerDied, WorkerPool } from '../../lib/agents/pool.ts';
import { isAlive } from '../helpers/cli.ts';

test('killAll during a restart: the restart fails, no new worker is started, close() leaves nothing running', async () => {
  const pool = await WorkerPool.start(2);
  const before = pool.pids();
  assert.equal(before.length, 2);
  try {
    const restarting = pool.restart([0, 1]);
    pool.killAll(); // as the signal handler does, while the old workers are still exiting
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the restart neither finished nor failed within 10 s')), 10_000)));
    await assert.rejects(Promise.race([restarting, late]), WorkerDied);
    clearTimeout(timer);
    await pool.close();
    const after = pool.pids();
    assert.deepEqual(after.filter((p) => !before.includes(p)), [], 'no replacement was forked');
    // Reaped by now (close() waited for every exit): kill(pid, 0) finds none of them.
    assert.deepEqual(before.filter(isAlive), []);
  } finally {
    pool.killAll(); // whatever a failed check left running
  }
});
