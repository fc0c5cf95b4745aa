#!/usr/bin/env -S node --import tsx
/**
 * The measurements behind the Redis driver's design choices (lib/drivers/redis/client.ts), on a
 * private redis-server at one agent:
 *   node --import tsx scripts/redis-design-bench.ts [rounds] [blocks]
 * Prints one JSON object. Every candidate runs once per block in a freshly shuffled order (machine
 * drift falls on all alike); each figure is the fastest block's per-call mean in µs (preemption
 * only adds time). Not part of a run: the harness measures the chosen design itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIGS } from '../lib/core/words.ts';
import { CALIBRATION_BODY as BODY } from '../lib/drivers/calibration.ts';
import { openConfigClient, type RedisConfigClient } from '../lib/drivers/redis/config-client.ts';
import { connect, release } from '../lib/drivers/redis/connect.ts';
import { GROUP, keysOf } from '../lib/drivers/redis/keys.ts';
import { ShutdownLayer } from '../lib/drivers/redis/layers/shutdown.ts';
import { receiveRaw } from '../lib/drivers/redis/receive-script.ts';
import { startServer } from '../lib/drivers/redis/server.ts';

const rounds = Number(process.argv[2] ?? 200);
const blocks = Number(process.argv[3] ?? 15);
const LAYER = { capacity: 1_000_000, backoffMs: 0, maxRetries: 0, healthIntervalMs: 0, noopDelayUs: 0 };

const dir = mkdtempSync(join(tmpdir(), 'busbench-redis-design-'));
const server = await startServer({ bin: 'redis-server', dir, persistence: 'off' });
process.on('exit', () => server.process.killSync());
const c = await connect(server.url);
try {
  const text = JSON.stringify({ from: 'agent-00000', to: 'agent-00000', sent_at_ns: String(process.hrtime.bigint()), payload: BODY });
  const s = 'd:stream';
  await c.sendCommand(['XGROUP', 'CREATE', s, GROUP, '$', 'MKSTREAM']);
  const rangeLua = `local e = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if not e then return false end
redis.call('XDEL', KEYS[1], e[1]) return {e[1], e[2][2]}`;
  const rangeSha = String(await c.sendCommand(['SCRIPT', 'LOAD', rangeLua]));
  await receiveRaw(c, s, GROUP, 'a'); // loads the receive script
  // The shutdown layer's own per-operation check: its flag, set by the subscription (never here).
  const shutdown = new ShutdownLayer({ send: async () => undefined, receive: async () => null }, 'd:flag', 'd:stopped', ['agent-00000']);

  /** Async candidates are awaited call by call; `sync` ones are timed without an await. */
  const candidates: Record<string, { fn: () => Promise<unknown> } | { sync: () => boolean }> = {
    ping: { fn: () => c.sendCommand(['PING']) },
    // Inbox designs, send + receive of one message.
    'stream+group, XADD + EVALSHA(XREADGROUP,XACK,XDEL) [chosen]': {
      fn: async () => {
        await c.sendCommand(['XADD', s, '*', 'm', text]);
        JSON.parse((await receiveRaw(c, s, GROUP, 'a'))![1]);
      },
    },
    'stream+group, XADD + XREADGROUP + XACK + XDEL': {
      fn: async () => {
        await c.sendCommand(['XADD', s, '*', 'm', text]);
        const r = (await c.sendCommand(['XREADGROUP', 'GROUP', GROUP, 'a', 'COUNT', '1', 'STREAMS', s, '>'])) as Record<string, [string, string[]][]>;
        const e = r[s]![0]!;
        await c.sendCommand(['XACK', s, GROUP, e[0]]);
        await c.sendCommand(['XDEL', s, e[0]]);
        JSON.parse(e[1][1]!);
      },
    },
    'stream+group, XADD + XREADGROUP + (XACK,XDEL pipelined)': {
      fn: async () => {
        await c.sendCommand(['XADD', s, '*', 'm', text]);
        const r = (await c.sendCommand(['XREADGROUP', 'GROUP', GROUP, 'a', 'COUNT', '1', 'STREAMS', s, '>'])) as Record<string, [string, string[]][]>;
        const e = r[s]![0]!;
        await Promise.all([c.sendCommand(['XACK', s, GROUP, e[0]]), c.sendCommand(['XDEL', s, e[0]])]);
        JSON.parse(e[1][1]!);
      },
    },
    'stream, no group, XADD + EVALSHA(XRANGE,XDEL)': {
      fn: async () => {
        await c.sendCommand(['XADD', 'd:plain', '*', 'm', text]);
        JSON.parse(((await c.sendCommand(['EVALSHA', rangeSha, '1', 'd:plain'])) as string[])[1]!);
      },
    },
    'list, LPUSH + RPOP': {
      fn: async () => {
        await c.sendCommand(['LPUSH', 'd:list', text]);
        JSON.parse(String(await c.sendCommand(['RPOP', 'd:list'])));
      },
    },
    // Layer mechanisms, alone and next to an XADD.
    'XADD alone (MAXLEN ~)': { fn: () => c.sendCommand(['XADD', 'd:m', 'MAXLEN', '~', '1000', '*', 'm', text]) },
    'XADD + XADD metrics pipelined': { fn: () => Promise.all([c.sendCommand(['XADD', 'd:m', 'MAXLEN', '~', '1000', '*', 'm', text]), c.sendCommand(['XADD', 'd:m2', 'MAXLEN', '~', '1000', '*', 'op', 'send'])]) },
    'XADD then XADD metrics': {
      fn: async () => {
        await c.sendCommand(['XADD', 'd:m', 'MAXLEN', '~', '1000', '*', 'm', text]);
        await c.sendCommand(['XADD', 'd:m2', 'MAXLEN', '~', '1000', '*', 'op', 'send']);
      },
    },
    'XADD + SET PX pipelined': { fn: () => Promise.all([c.sendCommand(['XADD', 'd:m', 'MAXLEN', '~', '1000', '*', 'm', text]), c.sendCommand(['SET', 'd:h', '{"pid":1}', 'PX', '5000'])]) },
    XLEN: { fn: () => c.sendCommand(['XLEN', s]) },
    'GET flag (shutdown check as a round trip)': { fn: () => c.sendCommand(['GET', 'd:flag']) },
    'local flag (ShutdownLayer.shuttingDown, set by the subscription)': { sync: () => shutdown.shuttingDown },
  };

  // The chosen design through the ConfigClient, per config, at one agent.
  const clients: [string, RedisConfigClient][] = [];
  for (const config of CONFIGS) {
    const base = 'd:cell';
    await c.sendCommand(['XGROUP', 'CREATE', keysOf(base, config).inbox(0), GROUP, '$', 'MKSTREAM']);
    clients.push([config, await openConfigClient({ url: server.url, base, config, scale: 1, local: [0], layer: LAYER })]);
  }
  for (const [config, cl] of clients) {
    candidates[`client ${config}: send + receive`] = {
      fn: async () => {
        await cl.send(0, 0, BODY);
        await cl.receive(0);
      },
    };
  }

  const best: Record<string, number> = {};
  const names = Object.keys(candidates);
  let sink = 0;
  for (let b = 0; b < blocks; b++) {
    for (let i = names.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [names[i], names[j]] = [names[j]!, names[i]!];
    }
    for (const name of names) {
      const cand = candidates[name]!;
      let per: number;
      if ('sync' in cand) {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < rounds; i++) if (cand.sync()) sink++;
        per = Number(process.hrtime.bigint() - t0) / rounds / 1000;
      } else {
        for (let i = 0; i < 20; i++) await cand.fn(); // warm-up
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < rounds; i++) await cand.fn();
        per = Number(process.hrtime.bigint() - t0) / rounds / 1000;
      }
      best[name] = Math.min(best[name] ?? Infinity, per);
    }
  }
  for (const [, cl] of clients) await cl.close();
  const out: Record<string, number> = {};
  for (const name of Object.keys(candidates)) out[name] = Number(best[name]!.toFixed(3));
  // `sink` keeps the flag reads from being optimized away; it is 0 (the flag is never set).
  console.log(JSON.stringify({ redis: server.version, rounds, blocks, us_per_call: out, flag_reads_true: sink }, null, 1));
} finally {
  await release(c);
  await server.process.stop();
  rmSync(dir, { recursive: true, force: true });
}
