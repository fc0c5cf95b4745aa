/**
 * The driver's calibration, in a worker, on a stream of its own (removed after):
 *  - floor: the same JetStream calls as the bus in a bare loop at one agent, nothing else: publish
 *    a fixed pre-serialized message and wait for its ack, then a no-wait pull and its ack.
 *  - bus_round_trip_us / bus_send_us: the baseline ConfigClient's send + receive, and send alone.
 *  - extra.ping_us: a bare client round trip (PING/PONG, nc.flush()).
 *  - extra.empty_receive_us: a receive on an empty inbox (what every idle poll costs).
 * Each figure is the fastest block's per-call mean (preemption only ever adds time), as in
 * lib/measure/calibrate.ts.
 * A pull sent right after the publish's ack can find the consumer not yet aware of the message
 * (the server signals consumers asynchronously) and answer "no messages": the loops then pull
 * again, and the count of such misses is recorded (extra.*_empty_pulls).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { agentId } from '../../core/agents.ts';
import type { Body, DriverCalibration } from '../contract.ts';
import { openConfigClient } from './config-client.ts';
import { namesOf } from './names.ts';
import { Puller } from './puller.ts';
import { createInboxes, deleteStream } from './resources.ts';
import type { NatsShared } from './shared.ts';

const hr = process.hrtime.bigint;

/** Mean time per call of `fn` over `rounds` calls in a row (ns). */
async function block(rounds: number, fn: () => Promise<unknown>): Promise<number> {
  const t0 = hr();
  for (let i = 0; i < rounds; i++) await fn();
  return Number(hr() - t0) / rounds;
}

/**
 * The fastest block's per-call mean of each contender. Blocks of the contenders alternate (after
 * one untimed warm-up block each), so machine drift and JIT warm-up fall on all of them alike
 * instead of on whichever would have run first.
 */
async function interleaved<K extends string>(rounds: number, blocks: number, fns: Record<K, { fn: () => Promise<unknown>; rounds?: number; after?: () => Promise<unknown> }>): Promise<Record<K, number>> {
  const keys = Object.keys(fns) as K[];
  const best = Object.fromEntries(keys.map((k) => [k, Infinity])) as Record<K, number>;
  for (let b = -1; b < blocks; b++) {
    for (const k of keys) {
      const f = fns[k];
      const t = await block(f.rounds ?? rounds, f.fn);
      if (b >= 0) best[k] = Math.min(best[k], t);
      await f.after?.();
    }
  }
  return best;
}

export interface CalibrateOptions {
  rounds?: number;
  blocks?: number;
  payloadBytes?: number;
}

export async function calibrateNats(shared: NatsShared, o: CalibrateOptions = {}): Promise<DriverCalibration> {
  const rounds = o.rounds ?? 200;
  const blocks = o.blocks ?? 7;
  const names = namesOf(shared.prefix, `cal${process.pid}`, 'baseline');
  const a = agentId(0);
  const body: Body = { k: 0, data: 'x'.repeat(o.payloadBytes ?? 256) };
  const nc = await connect({ servers: shared.url, name: 'busbench calibration', reconnect: false });
  const jsm = await jetstreamManager(nc);
  try {
    await createInboxes(jsm, names, 1);

    // The floor: the bus's JetStream calls with nothing around them.
    const js = jsm.jetstream();
    const puller = new Puller(nc, names.stream, a);
    const subject = names.inbox(a);
    const wire = JSON.stringify({ from: a, to: a, sent_at_ns: '0', payload: body });
    let floorMisses = 0;
    // The bus: the baseline config's client at one agent.
    const client = await openConfigClient({
      url: shared.url,
      names,
      config: 'baseline',
      scale: 1,
      local: [0],
      layer: { capacity: 1, backoffMs: 0, maxRetries: 0, healthIntervalMs: 0, noopDelayUs: 0 },
    });
    let busMisses = 0;
    try {
      const t = await interleaved(rounds, blocks, {
        ping: { fn: () => nc.flush() },
        floor: {
          fn: async () => {
            await js.publish(subject, wire);
            let m = await puller.pull();
            while (m === null) {
              floorMisses++;
              m = await puller.pull();
            }
            m.respond('+ACK');
          },
        },
        emptyPull: { fn: () => puller.pull() },
        bus: {
          fn: async () => {
            await client.send(0, 0, body);
            while ((await client.receive(0)) === null) busMisses++;
          },
        },
        // Sends alone in blocks of 20 (the inbox stays as small as in the round trip), emptied untimed.
        send: {
          rounds: 20,
          fn: () => client.send(0, 0, body),
          after: async () => {
            while ((await client.receive(0)) !== null);
          },
        },
      });
      const [ping, floor, emptyReceive, roundTrip, send] = [t.ping, t.floor, t.emptyPull, t.bus, t.send];
      const r = (x: number) => Number((x / 1000).toFixed(3));
      return {
        floor_name: 'jetstream publish+ack, no-wait pull+ack',
        floor_round_trip_us: r(floor),
        bus_round_trip_us: r(roundTrip),
        bus_send_us: r(send),
        extra: {
          ping_us: r(ping),
          empty_receive_us: r(emptyReceive),
          floor_empty_pulls: floorMisses,
          bus_empty_pulls: busMisses,
          round_trips_per_block: rounds,
          blocks,
        },
      };
    } finally {
      puller.close();
      await client.close();
    }
  } finally {
    await deleteStream(jsm, names.stream).catch(() => {});
    await nc.close().catch(() => {});
  }
}
