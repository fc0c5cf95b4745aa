/**
 * The driver's calibration, in a worker at one agent. The blocks of every figure alternate
 * (measure/calibrate.ts interleavedAsync) and each is the fastest block's per-call mean:
 * preemption only ever adds time.
 *  - floor: the same Redis calls as the bus in a bare loop on one connection, no layers, no
 *    harness: XADD of a ready JSON text, then the receive script (EVALSHA), parsing the reply;
 *  - bus_round_trip_us / bus_send_us: the baseline ConfigClient (send + receive, and a send alone);
 *  - extra.ping_us: a bare PING round trip (the network + event loop floor of any Redis call);
 *  - extra.three_call_receive_us: the floor done as three client calls (XADD, XREADGROUP, XACK,
 *    XDEL), the design the receive script replaces, so a reader can see what the script saves.
 */
import { interleavedAsync } from '../../measure/calibrate.ts';
import type { DriverCalibration } from '../contract.ts';
import { CALIBRATION_BODY as BODY, sendsAlone } from '../calibration.ts';
import { unlinkAll } from './cleanup.ts';
import { openConfigClient, type RedisConfigClient } from './config-client.ts';
import { connect, release } from './connect.ts';
import type { RedisShared } from './host.ts';
import { everyKey, GROUP, keysOf } from './keys.ts';
import { receiveRaw } from './receive-script.ts';

const LAYER = { capacity: 1_000_000, backoffMs: 0, maxRetries: 0, healthIntervalMs: 0, noopDelayUs: 0 };

export async function calibrateRedis(shared: RedisShared, rounds = 300, blocks = 11): Promise<DriverCalibration> {
  const base = `${shared.prefix}:cal${process.pid}`;
  const keys = keysOf(base, 'baseline');
  const inbox = keys.inbox(0);
  const c = await connect(shared.url, { name: 'busbench-calibrate' });
  let client: RedisConfigClient | null = null;
  try {
    await c.sendCommand(['XGROUP', 'CREATE', inbox, GROUP, '$', 'MKSTREAM']);
    const text = JSON.stringify({ from: 'agent-00000', to: 'agent-00000', sent_at_ns: String(process.hrtime.bigint()), payload: BODY });
    const bus = (client = await openConfigClient({ url: shared.url, base, config: 'baseline', scale: 1, local: [0], layer: LAYER }));
    const t = await interleavedAsync(blocks, {
      ping: { rounds, fn: () => c.sendCommand(['PING']) },
      floor: {
        rounds,
        fn: async () => {
          await c.sendCommand(['XADD', inbox, '*', 'm', text]);
          const r = await receiveRaw(c, inbox, GROUP, 'agent-00000');
          JSON.parse(r![1]);
        },
      },
      threeCalls: {
        rounds: Math.max(50, rounds >> 1),
        fn: async () => {
          await c.sendCommand(['XADD', inbox, '*', 'm', text]);
          const r = (await c.sendCommand(['XREADGROUP', 'GROUP', GROUP, 'agent-00000', 'COUNT', '1', 'STREAMS', inbox, '>'])) as unknown;
          const e = firstEntry(r, inbox);
          await c.sendCommand(['XACK', inbox, GROUP, e[0]]);
          await c.sendCommand(['XDEL', inbox, e[0]]);
          JSON.parse(e[1][1]!);
        },
      },
      roundTrip: {
        rounds,
        fn: async () => {
          await bus.send(0, 0, BODY);
          await bus.receive(0);
        },
      },
      send: sendsAlone(bus),
    });
    const us = (ns: number) => Number((ns / 1000).toFixed(3));
    return {
      floor_name: 'XADD, EVALSHA(XREADGROUP+XACK+XDEL)',
      floor_round_trip_us: us(t.floor.perCallNs),
      bus_round_trip_us: us(t.roundTrip.perCallNs),
      bus_send_us: us(t.send.perCallNs),
      extra: { ping_us: us(t.ping.perCallNs), three_call_receive_us: us(t.threeCalls.perCallNs), three_call_name: 'XADD, XREADGROUP, XACK, XDEL' },
    };
  } finally {
    await client?.close();
    try {
      await unlinkAll(c, everyKey(keys, 1));
    } finally {
      await release(c);
    }
  }
}

/** The first entry of an XREADGROUP reply (RESP3: a map by stream name; RESP2: [[name, entries]]). */
function firstEntry(reply: unknown, stream: string): [string, string[]] {
  const entries = Array.isArray(reply) ? (reply[0] as [string, unknown[]])[1] : (reply as Record<string, unknown[]>)[stream];
  const e = entries?.[0] as [string, string[]] | undefined;
  if (!e) throw new Error(`XREADGROUP on ${stream} returned no entry right after an XADD`);
  return e;
}
