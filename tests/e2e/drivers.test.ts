/**
 * Several drivers in one run, as a user runs it: the reference bus and the two brokers (private
 * servers busbench starts and stops), each measured through the matrix, then side by side.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { busbench, newTag, parseJsonl, taggedPids } from '../helpers/cli.ts';
import { shmDir } from '../helpers/tmpfs.ts';

const missing = ['nats-server', 'redis-server'].filter((b) => spawnSync(b, ['--version']).error !== undefined);
const SKIP = missing.length > 0 && `${missing.join(' and ')} not installed: apt-get install ${missing.join(' ')}`;

test('--driver tmpfs,nats,redis: every driver measured with 0 lost, a table of the drivers side by side, no server left', { skip: SKIP }, async () => {
  const base = shmDir();
  const out = join(base, 'out.jsonl');
  const tag = newTag();
  const r = await busbench(['overhead', '--driver', 'tmpfs,nats,redis', '--scales', '2', '--workers', '1', '--runs', '1', '--iterations', '5', '--warmup', '0', '--layers', 'full_integration', '--out', out, '--base-dir', base], { tag });
  assert.equal(r.code, 0, r.stderr);
  const records = parseJsonl(readFileSync(out, 'utf8'));
  for (const driver of ['tmpfs', 'nats', 'redis']) {
    const mine = records.filter((x) => x.driver === driver);
    assert.equal(mine.filter((x) => x.type === 'run').length, 1, `${driver}: one run record`);
    const integ = mine.filter((x) => x.type === 'integrity');
    // One interleaved cell (1 run), two configs.
    assert.equal(integ.length, 2, `${driver}: integrity records`);
    for (const i of integ) assert.deepEqual([i.sent, i.lost, i.duplicated, i.ok], [10, 0, 0, true], `${driver} ${String(i.test_name)}`);
    assert.ok(mine.some((x) => x.type === 'statistics' && x.test_name === 'baseline' && x.operation === 'message_send'), `${driver}: statistics`);
    assert.ok(mine.some((x) => x.type === 'overhead' && x.test_name === 'full_integration'), `${driver}: overheads`);
  }
  for (const driver of ['nats', 'redis']) {
    const run = records.find((x) => x.type === 'run' && x.driver === driver) as { bus?: { server_version?: string } };
    assert.match(String(run.bus?.server_version), /^\d+\.\d+/, `${driver}: the server's version is in the run record`);
  }
  const side = r.stdout.slice(r.stdout.indexOf('Drivers side by side'));
  assert.notEqual(r.stdout.indexOf('Drivers side by side'), -1, r.stdout.slice(-2000));
  for (const driver of ['tmpfs', 'nats', 'redis']) assert.match(side, new RegExp(`│ 2\\s+│ ${driver}\\s+│`), side);
  assert.deepEqual(taggedPids(tag), [], 'no busbench, worker or server process left');
  assert.deepEqual(readdirSync(base).filter((n) => n.startsWith('busbench-')), [], 'run directory removed');
});

for (const [driver, notice] of [['nats', 'a subscription to each inbox subject'], ['redis', 'a blocking XREAD over the inboxes']] as const) {
  test(`--wait watch on ${driver}: ${notice} wakes the receivers within a few ms, every message counted`, { skip: missing.includes(`${driver}-server`) && `${driver}-server not installed: apt-get install ${driver}-server` }, async () => {
    // 100 messages/s per agent for 0.4 s at 2 agents: 80 per config. Polling every 20 ms would find
    // a message ~10 ms after it was stored (half the interval: tests/workloads/open.test.ts shows
    // it on tmpfs); a receiver that never heard a notice would take its mail only in the cell's
    // tail, hundreds of ms late. Woken by the notice, it takes it within a few ms.
    const base = shmDir();
    const tag = newTag();
    const r = await busbench(['overhead', '--driver', driver, '--scales', '2', '--workers', '1', '--runs', '1', '--warmup', '0', '--layers', 'noop', '--rate', '100', '--duration', '400ms', '--wait', 'watch', '--out', '-', '--base-dir', base], { tag });
    assert.equal(r.code, 0, r.stderr);
    const records = parseJsonl(r.stdout) as Record<string, any>[];
    for (const i of records.filter((x) => x.type === 'integrity')) assert.deepEqual([i.sent, i.received + i.drained, i.lost], [80, 80, 0]);
    assert.deepEqual(records.filter((x) => x.type === 'load').map((l) => l.wait), ['watch', 'watch']);
    const p50 = records.find((x) => x.type === 'statistics' && x.test_name === 'baseline' && x.operation === 'delivery')!.p50_ms as number;
    // Quiet, the p50 is 1-2 ms; the full suite on 2 cores has pushed it to 6-9 ms. A receiver that heard no notice
    // shows hundreds of ms (checked by breaking the NATS notice), so 50 ms still tells the two apart.
    assert.ok(p50 < 50, `watched: delivery p50 ${p50} ms`);
    assert.deepEqual(taggedPids(tag), [], 'no busbench, worker or server process left');
  });
}
