import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { UsageError } from '../../../lib/core/errors.ts';
import { connect, release } from '../../../lib/drivers/redis/connect.ts';
import { host, type RedisShared } from '../../../lib/drivers/redis/host.ts';
import { keysOf } from '../../../lib/drivers/redis/keys.ts';
import { isAlive, openPrivateRun, silentServer, skipWithout, testRunDir } from '../servers.ts';

const SKIP = skipWithout('redis');

test('a missing redis-server binary is a usage error with the install hint', async () => {
  const dir = testRunDir('redis');
  try {
    await assert.rejects(
      host.open({ settings: { url: null, serverBin: '/nonexistent/redis-server', persistence: 'off' }, runDir: dir, prefix: 'bbtest-missing', warn: () => undefined }),
      (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /--redis-server: cannot run .*ENOENT.*apt-get install redis-server/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unreachable --redis-url is a usage error, quickly', async () => {
  const t0 = Date.now();
  await assert.rejects(
    host.open({ settings: { url: 'redis://:pw@127.0.0.1:1', serverBin: 'redis-server', persistence: 'off' }, runDir: '/nonexistent', prefix: 'bbtest-unreachable', warn: () => undefined }),
    (e: unknown) => e instanceof UsageError && /^--redis-url redis:\/\/:\*\*\*@127\.0\.0\.1:1: cannot connect .*leave --redis-url out/.test(e.message),
  );
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
});

test('a --redis-url that accepts TCP but never answers is a usage error within a few seconds', async () => {
  const silent = await silentServer();
  try {
    const t0 = Date.now();
    await assert.rejects(
      host.open({ settings: { url: `redis://127.0.0.1:${silent.port}`, serverBin: 'redis-server', persistence: 'off' }, runDir: '/nonexistent', prefix: 'bbtest-silent', warn: () => undefined }),
      (e: unknown) => e instanceof UsageError && /^--redis-url redis:\/\/127\.0\.0\.1:\d+: cannot connect .*no Redis handshake/.test(e.message),
    );
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  } finally {
    await silent.close();
  }
});

test('private server: info, cells, leftover, close removes only the run keys and stops the server', { skip: SKIP }, async () => {
  const t = await openPrivateRun('redis');
  let pid = -1;
  try {
    const { run } = t;
    assert.equal(run.info['server'], 'private');
    assert.match(String(run.info['server_version']), /^\d+\.\d+\.\d+$/);
    assert.equal(run.info['aof_enabled'], false);
    pid = run.pids()[0]!;
    assert.ok(isAlive(pid), 'the private server runs');
    const shared = run.shared as RedisShared;
    assert.match(shared.url, /^redis:\/\/127\.0\.0\.1:\d+$/);

    const c = await connect(shared.url);
    try {
      // Keys that are not the run's, among them one that shares the prefix's first characters.
      await c.sendCommand(['SET', 'foreign:key', 'keep me']);
      await c.sendCommand(['SET', `${t.prefix}x:lookalike`, 'keep me too']);

      const cell = await run.openCell({ id: 3, dir: t.dir, configs: ['baseline', 'metrics'], scale: 4 });
      const k = keysOf((cell.spec as { base: string }).base, 'baseline');
      assert.equal(await c.sendCommand(['TYPE', k.inbox(3)]), 'stream', 'an inbox stream per agent');
      assert.equal(await cell.leftover('baseline'), 0);
      await c.sendCommand(['XADD', k.inbox(1), '*', 'm', '{}']);
      await c.sendCommand(['XADD', k.inbox(2), '*', 'm', '{}']);
      assert.equal(await cell.leftover('baseline'), 2);
      assert.equal(await cell.leftover('metrics'), 0);
      assert.equal(await cell.stopped('baseline'), null, 'baseline has no shutdown layer: no agent stops through it');

      // A second cell's keys outlive the first cell's close, and go with the run.
      const other = await run.openCell({ id: 4, dir: t.dir, configs: ['baseline'], scale: 1 });
      await cell.close();
      assert.equal(await c.sendCommand(['EXISTS', k.inbox(1)]), 0, 'the cell close removed its inboxes');
      assert.equal(await c.sendCommand(['EXISTS', keysOf((other.spec as { base: string }).base, 'baseline').inbox(0)]), 1);

      await run.close();
      await assert.rejects(c.sendCommand(['PING']), 'the server is gone, the connection with it');
    } finally {
      await release(c);
    }
    assert.equal(isAlive(pid), false, `redis-server ${pid} still runs after close`);
  } finally {
    await t.close();
  }
});

test('on a server busbench did not start, close deletes only keys with the run prefix', { skip: SKIP }, async () => {
  // A private server stands in for the user's: a second run points --redis-url at it.
  const owner = await openPrivateRun('redis');
  try {
    const url = (owner.run.shared as RedisShared).url;
    const prefix = `bbtest-user-${process.pid}`;
    const run = await host.open({ settings: { url, serverBin: 'redis-server', persistence: 'off' }, runDir: owner.dir, prefix, warn: () => undefined });
    assert.equal(run.info['server'], 'user');
    assert.deepEqual(run.pids(), []);
    const c = await connect(url);
    try {
      await c.sendCommand(['SET', 'foreign:key', 'keep me']);
      await c.sendCommand(['SET', `${prefix}2:not-ours`, 'keep me too']);
      await c.sendCommand(['SET', `${prefix}`, 'the bare prefix is not under it either']);
      await run.openCell({ id: 1, dir: owner.dir, configs: ['baseline', 'health'], scale: 3 });
      await c.sendCommand(['SET', `${prefix}:c1:baseline:~health:agent-00000`, 'x']);
      assert.equal(Number(await c.sendCommand(['DBSIZE'])), 3 + 6 + 1);
      await run.close();
      assert.equal(Number(await c.sendCommand(['DBSIZE'])), 3);
      assert.equal(await c.sendCommand(['GET', 'foreign:key']), 'keep me');
      assert.equal(await c.sendCommand(['GET', `${prefix}2:not-ours`]), 'keep me too');
      assert.ok(isAlive(owner.run.pids()[0]!), 'the user server is left running');
    } finally {
      await release(c);
    }
  } finally {
    await owner.close();
  }
});

test('killSync stops the private server at once', { skip: SKIP }, async () => {
  const t = await openPrivateRun('redis');
  const pid = t.run.pids()[0]!;
  t.run.killSync();
  const deadline = Date.now() + 2000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(isAlive(pid), false);
  await t.close(); // still safe after the kill
});
