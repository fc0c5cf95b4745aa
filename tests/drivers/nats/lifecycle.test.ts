/** The driver's entry, its private server's life, and the usage errors of bad flags. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { UsageError } from '../../../lib/core/errors.ts';
import { nats } from '../../../lib/drivers/nats/index.ts';
import { host } from '../../../lib/drivers/nats/host.ts';
import { driverSettings, isAlive, openPrivateRun, silentServer, skipWithout, testRunDir } from '../servers.ts';

const SKIP = skipWithout('nats');
import { calibrateNats } from '../../../lib/drivers/nats/calibrate.ts';
import { startServer } from '../../../lib/drivers/nats/server.ts';

function settingsOf(values: Record<string, string>) {
  return driverSettings(nats, values);
}

test('settings: no flags means a private server from PATH; a bad URL is a problem naming the flag and the fix', () => {
  assert.deepEqual(settingsOf({}).s, { url: null, serverBin: 'nats-server' });
  assert.deepEqual(settingsOf({ url: 'nats://127.0.0.1:4222' }).s, { url: 'nats://127.0.0.1:4222', serverBin: 'nats-server' });
  for (const bad of ['http://127.0.0.1:4222', 'nats://127.0.0.1', 'localhost:4222', 'nats://127.0.0.1:4222/x']) {
    const { s, problems } = settingsOf({ url: bad });
    assert.equal(s, null, bad);
    assert.equal(problems.length, 1, bad);
    assert.match(problems[0]!, /^--nats-url: .*use e\.g\. --nats-url nats:\/\//, bad);
  }
  assert.match(settingsOf({ serverBin: ' ' }).problems[0] ?? '', /^--nats-server: empty/);
});

test('a missing nats-server binary is a UsageError (exit 2) with the install hint', async () => {
  const runDir = testRunDir('nats');
  try {
    await assert.rejects(host.open({ settings: { url: null, serverBin: '/nonexistent/nats-server' }, runDir, prefix: 'bbt-missing', warn: () => {} }), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /--nats-server.*not found.*apt-get install nats-server/);
      return true;
    });
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
});

test('an unreachable --nats-url is a UsageError naming the flag', async () => {
  await assert.rejects(host.open({ settings: { url: 'nats://127.0.0.1:1', serverBin: 'nats-server' }, runDir: '/nonexistent', prefix: 'bbt-unreach', warn: () => {} }), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /^--nats-url: cannot connect to nats:\/\/127\.0\.0\.1:1 .*nats-server -js/);
    return true;
  });
});

test('a --nats-url that accepts TCP but never answers is a UsageError within a few seconds', async () => {
  const silent = await silentServer();
  try {
    const t0 = Date.now();
    await assert.rejects(host.open({ settings: { url: `nats://127.0.0.1:${silent.port}`, serverBin: 'nats-server' }, runDir: '/nonexistent', prefix: 'bbt-silent', warn: () => {} }), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /^--nats-url: cannot connect to nats:\/\/127\.0\.0\.1:\d+ /);
      return true;
    });
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  } finally {
    await silent.close();
  }
});

test('a user server without JetStream is a UsageError naming the flag', { skip: SKIP }, async () => {
  // A private run's server is started with -js; start a second, plain one the same way, without it.
  const dir = testRunDir('nats');
  const plain = await startServer('nats-server', dir, { jetstream: false });
  try {
    await assert.rejects(host.open({ settings: { url: plain.url, serverBin: 'nats-server' }, runDir: '/nonexistent', prefix: 'bbt-nojs', warn: () => {} }), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /^--nats-url: .* has no JetStream.*-js/);
      return true;
    });
  } finally {
    await plain.process.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cell makes its streams and removes them; the run removes the rest and stops its server', { skip: SKIP }, async () => {
  const { run, close: done } = await openPrivateRun('nats', 'bbt-life');
  const pid = run.pids()[0]!;
  let nc;
  try {
    assert.ok(isAlive(pid), 'the private server runs');
    assert.match(String(run.info['server_version']), /^\d+\.\d+\.\d+/);
    const url = (run.shared as { url: string }).url;
    assert.match(url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    nc = await connect({ servers: url });
    const jsm = await jetstreamManager(nc);
    const names = async () => {
      const out: string[] = [];
      for await (const s of jsm.streams.names()) out.push(s);
      return out.sort();
    };
    // A stream that is not the run's must survive every clean-up (as on a user's server).
    await jsm.streams.add({ name: 'someone_else', subjects: ['someone.else'] });
    const cell = await run.openCell({ id: 7, dir: '/nonexistent', configs: ['baseline', 'shutdown'], scale: 2 });
    assert.deepEqual(await names(), ['KV_bbt-life_c7_shutdown', 'bbt-life_c7_baseline', 'bbt-life_c7_shutdown', 'someone_else']);
    const ci = await jsm.consumers.info('bbt-life_c7_baseline', 'agent-00001');
    assert.equal(ci.config.filter_subject, 'bbt-life.c7.baseline.agent-00001');
    await cell.close();
    assert.deepEqual(await names(), ['someone_else']);
    // A cell left open is removed by the run's close.
    await run.openCell({ id: 8, dir: '/nonexistent', configs: ['health'], scale: 1 });
    assert.equal((await names()).length, 3);
    await calibrateNats(run.shared as never, { rounds: 5, blocks: 2 }); // leaves nothing either
    assert.equal((await names()).length, 3);
    await nc.close();
    nc = undefined;
    await done();
    assert.equal(isAlive(pid), false, 'the private server is gone after close()');
  } finally {
    await nc?.close();
    await done();
  }
});

test('calibration reports the floor, the bus and a ping, each a positive finite number', { skip: SKIP }, async () => {
  const { run, close: done } = await openPrivateRun('nats', 'bbt-cal');
  try {
    const c = await calibrateNats(run.shared as never, { rounds: 20, blocks: 3 });
    assert.match(c.floor_name, /jetstream publish\+ack/);
    // Only what holds on a loaded machine too: the comparisons between the figures are for the report.
    for (const v of [c.floor_round_trip_us, c.bus_round_trip_us, c.bus_send_us, c.extra?.['ping_us'], c.extra?.['empty_no_wait_pull_us']]) {
      assert.ok(typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 1e6, `a plausible figure in µs: ${String(v)}`);
    }
  } finally {
    await done();
  }
});
