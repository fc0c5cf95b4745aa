/**
 * What the networked drivers promise alike, checked through the driver seam as the workers use it:
 * the layers' order (shutdown outside rate_limiting, as on the reference bus), and Redis's
 * persistence flag reaching the private server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigClient } from '../../lib/drivers/contract.ts';
import { driverEntry } from '../../lib/drivers/registry.ts';
import { ShuttingDown } from '../../lib/drivers/layers.ts';
import { openPrivateRun, skipWithout } from './servers.ts';

for (const driver of ['nats', 'redis'] as const) {
  test(`${driver}: full_integration refuses a send at once once shutdown is requested, even to a full inbox (shutdown is outside rate_limiting)`, { skip: skipWithout(driver) }, async () => {
    const t = await openPrivateRun(driver);
    let c: ConfigClient | null = null;
    try {
      const cell = await t.run.openCell({ id: 1, dir: t.dir, configs: ['full_integration'], scale: 2 });
      const layer = { capacity: 1, backoffMs: 300, maxRetries: 2, healthIntervalMs: 0, noopDelayUs: 0 };
      c = await (await driverEntry(driver).client()).open({ settings: null, shared: t.run.shared, cell: cell.spec, dir: t.dir, config: 'full_integration', scale: 2, local: [0, 1], layer, payloadBytes: 64 });
      await c.send(0, 1, { k: 0, data: 'x' }); // agent 1's inbox now holds its capacity
      await c.requestShutdown!();
      const t0 = performance.now();
      const refused = await Promise.resolve(c.send(0, 1, { k: 1, data: 'y' })).then(
        () => null,
        (e: unknown) => e,
      );
      const ms = performance.now() - t0;
      // Were rate_limiting outside, the send would back off 300 + 600 ms and then be rejected.
      assert.ok(refused instanceof ShuttingDown, `refused with ${String(refused)}`);
      assert.ok(ms < 250, `refused after ${ms.toFixed(0)} ms: it backed off first`);
      await cell.close();
    } finally {
      await c?.close();
      await t.close();
    }
  });
}

test('redis: --redis-persistence aof reaches the private server; off leaves it without', { skip: skipWithout('redis') }, async () => {
  for (const [persistence, aof] of [['aof', true], ['off', false]] as const) {
    const t = await openPrivateRun('redis', undefined, { persistence });
    try {
      assert.equal(t.run.info['aof_enabled'], aof, `${persistence}: ${JSON.stringify(t.run.info)}`);
    } finally {
      await t.close();
    }
  }
});
