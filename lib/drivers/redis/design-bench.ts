/**
 * The measurements behind the driver's design choices, on a private redis-server at one agent:
 * `node --import tsx lib/drivers/redis/design-bench.ts [rounds] [blocks]`. Prints one JSON line.
 * Every candidate runs once per block in a freshly shuffled order (machine drift falls on all
 * alike); each figure is the fastest block's per-call mean in µs (preemption only adds time).
 * Not part of a run: the harness measures the chosen design itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConfigClient, type RedisConfigClient } from './config-client.ts';
import { connect, release } from './connect.ts';
import { CONFIGS } from '../../core/words.ts';
import { GROUP, keysOf } from './keys.ts';
import { receiveRaw } from './receive-script.ts';
import { startServer } from './server.ts';

const rounds = Number(process.argv[2] ?? 200);
const blocks = Number(process.argv[3] ?? 15);
const BODY = { k: 0, data: 'x'.repeat(245) };
const LAYER = { capacity: 1_000_000, backoffMs: 0, maxRetries: 0, healthIntervalMs: 0, noopDelayUs: 0 };

const dir = mkdtempSync(join(tmpdir(), 'busbench-redis-design-'));
const server = await startServer({ bin: 'redis-server', dir, persistence: 'off' });
process.on('exit', () => server.killSync());
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
  let flag = false;

  const candidates: Record<string, () => Promise<unknown>> = {
    ping: () => c.sendCommand(['PING']),
    // Inbox designs, send + receive of one message.
    'stream+group, XADD + EVALSHA(XREADGROUP,XACK,XDEL) [chosen]': async () => {
      await c.sendCommand(['XADD', s, '*', 'm', text]);
      JSON.parse((await receiveRaw(c, s, GROUP, 'a'))![1]);
    },
    'stream+group, XADD + XREADGROUP + XACK + XDEL': async () => {
      await c.sendCommand(['XADD', s, '*', 'm', text]);
      const r = (await c.sendCommand(['XREADGROUP', 'GROUP', GROUP, 'a', 'COUNT', '1', 'STREAMS', s, '>'])) as Record<string, [string, string[]][]>;
      const e = r[s]![0]!;
      await c.sendCommand(['XACK', s, GROUP, e[0]]);
      await c.sendCommand(['XDEL', s, e[0]]);
      JSON.parse(e[1][1]!);
    },
    'stream+group, XADD + XREADGROUP + (XACK,XDEL pipelined)': async () => {
      await c.sendCommand(['XADD', s, '*', 'm', text]);
      const r = (await c.sendCommand(['XREADGROUP', 'GROUP', GROUP, 'a', 'COUNT', '1', 'STREAMS', s, '>'])) as Record<string, [string, string[]][]>;
      const e = r[s]![0]!;
      await Promise.all([c.sendCommand(['XACK', s, GROUP, e[0]]), c.sendCommand(['XDEL', s, e[0]])]);
      JSON.parse(e[1][1]!);
    },
    'stream, no group, XADD + EVALSHA(XRANGE,XDEL)': async () => {
      await c.sendCommand(['XADD', 'd:plain', '*', 'm', text]);
      JSON.parse(((await c.sendCommand(['EVALSHA', rangeSha, '1', 'd:plain'])) as string[])[1]!);
    },
    'list, LPUSH + RPOP': async () => {
      await c.sendCommand(['LPUSH', 'd:list', text]);
      JSON.parse(String(await c.sendCommand(['RPOP', 'd:list'])));
    },
    // Layer mechanisms, alone and next to an XADD.
    'XADD alone (MAXLEN ~)': () => c.sendCommand(['XADD', 'd:m', 'MAXLEN', '~', '1000', '*', 'm', text]),
    'XADD + XADD metrics pipelined': () => Promise.all([c.sendCommand(['XADD', 'd:m', 'MAXLEN', '~', '1000', '*', 'm', text]), c.sendCommand(['XADD', 'd:m2', 'MAXLEN', '~', '1000', '*', 'op', 'send'])]),
    'XADD then XADD metrics': async () => {
      await c.sendCommand(['XADD', 'd:m', 'MAXLEN', '~', '1000', '*', 'm', text]);
      await c.sendCommand(['XADD', 'd:m2', 'MAXLEN', '~', '1000', '*', 'op', 'send']);
    },
    'XADD + SET PX pipelined': () => Promise.all([c.sendCommand(['XADD', 'd:m', 'MAXLEN', '~', '1000', '*', 'm', text]), c.sendCommand(['SET', 'd:h', '{"pid":1}', 'PX', '5000'])]),
    'XLEN': () => c.sendCommand(['XLEN', s]),
    'GET flag (shutdown check as a round trip)': () => c.sendCommand(['GET', 'd:flag']),
    'local flag (shutdown check via subscription)': async () => flag,
  };

  // The chosen design through the ConfigClient, per config, at one agent.
  const url = server.url;
  const clients: [string, RedisConfigClient][] = [];
  for (const config of CONFIGS) {
    const base = `d:cell`;
    await c.sendCommand(['XGROUP', 'CREATE', keysOf(base, config).inbox(0), GROUP, '$', 'MKSTREAM']);
    clients.push([config, await openConfigClient({ url, base, config, scale: 1, local: [0], layer: LAYER })]);
  }
  for (const [config, cl] of clients) {
    candidates[`client ${config}: send + receive`] = async () => {
      await cl.send(0, 0, BODY);
      await cl.receive(0);
    };
  }

  const best: Record<string, number> = {};
  const names = Object.keys(candidates);
  for (let b = 0; b < blocks; b++) {
    for (let i = names.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [names[i], names[j]] = [names[j]!, names[i]!];
    }
    for (const name of names) {
      const fn = candidates[name]!;
      for (let i = 0; i < 20; i++) await fn(); // warm-up
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < rounds; i++) await fn();
      const per = Number(process.hrtime.bigint() - t0) / rounds / 1000;
      best[name] = Math.min(best[name] ?? Infinity, per);
    }
  }
  for (const [, cl] of clients) await cl.close();
  const out: Record<string, number> = {};
  for (const name of Object.keys(candidates)) out[name] = Number(best[name]!.toFixed(1));
  console.log(JSON.stringify({ redis: server.version, rounds, blocks, us_per_call: out }, null, 1));
  flag = !flag;
} finally {
  await release(c);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
