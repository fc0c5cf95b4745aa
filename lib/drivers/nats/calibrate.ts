/**
 * The driver's calibration, in a worker, on a stream of its own (removed after):
 *  - floor: the same JetStream calls as the bus in a bare loop at one agent, nothing else: publish
 *    a fixed pre-serialized message and wait for its ack, then a no-wait pull and its ack.
 *  - bus_round_trip_us / bus_send_us: the baseline ConfigClient's send + receive, and send alone.
 *  - extra.ping_us: a bare client round trip (PING/PONG, nc.flush()).
 *  - extra.empty_no_wait_pull_us: a no-wait pull on an empty inbox, answered "no messages" (what
 *    every idle poll of the bus costs, before the layers).
 * The blocks of all of them alternate (measure/calibrate.ts interleavedAsync); each figure is the
 * fastest block's per-call mean (preemption only ever adds time).
 * A pull sent right after the publish's ack can find the consumer not yet aware of the message
 * (the server signals consumers asynchronously) and answer "no messages": the loops then pull
 * again, and such misses in the reported (fastest) block are recorded (extra.*_empty_pulls).
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { agentId } from '../../core/agents.ts';
import { interleavedAsync } from '../../measure/calibrate.ts';
import type { DriverCalibration } from '../contract.ts';
import { CALIBRATION_BODY as BODY, sendsAlone } from '../calibration.ts';
import { openConfigClient } from './config-client.ts';
import { namesOf } from './names.ts';
import { TIMED_CLIENT } from './agent.ts';
import { Puller } from './puller.ts';
import { createInboxes, deleteStream } from './resources.ts';
import { CONNECT_TIMEOUT_MS } from './server.ts';
import type { NatsShared } from './shared.ts';

interface CalibrateOptions {
  rounds?: number;
  blocks?: number;
}

export async function calibrateNats(shared: NatsShared, o: CalibrateOptions = {}): Promise<DriverCalibration> {
  const rounds = o.rounds ?? 200;
  const blocks = o.blocks ?? 7;
  const names = namesOf(shared.prefix, `cal${process.pid}`, 'baseline');
  const a = agentId(0);
  const nc = await connect({ servers: shared.url, name: 'busbench calibration', reconnect: false, timeout: CONNECT_TIMEOUT_MS, ...TIMED_CLIENT });
  let jsm: JetStreamManager | null = null;
  try {
    jsm = await jetstreamManager(nc);
    await createInboxes(jsm, names, 1);

    // The floor: the bus's JetStream calls with nothing around them.
    const js = jsm.jetstream();
    const puller = new Puller(nc, names.stream, a);
    const subject = names.inbox(a);
    const wire = JSON.stringify({ from: a, to: a, sent_at_ns: '0', payload: BODY });
    // The bus: the baseline config's client at one agent.
    const client = await openConfigClient({
      url: shared.url,
      names,
      config: 'baseline',
      scale: 1,
      local: [0],
      layer: { capacity: 1, backoffMs: 0, maxRetries: 0, healthIntervalMs: 0, noopDelayUs: 0 },
    });
    // Empty pulls per block (index 0: the warm-up), to report those of the fastest block.
    const floorMisses = new Array<number>(blocks + 1).fill(0);
    const busMisses = new Array<number>(blocks + 1).fill(0);
    let floorBlock = 0;
    let busBlock = 0;
    try {
      const t = await interleavedAsync(blocks, {
        ping: { rounds, fn: () => nc.flush() },
        floor: {
          rounds,
          fn: async () => {
            await js.publish(subject, wire);
            let m = await puller.pull();
            while (m === null) {
              floorMisses[floorBlock]!++;
              m = await puller.pull();
            }
            m.respond('+ACK');
          },
          between: async () => void floorBlock++,
        },
        emptyPull: { rounds, fn: () => puller.pull() },
        bus: {
          rounds,
          fn: async () => {
            await client.send(0, 0, BODY);
            while ((await client.receive(0)) === null) busMisses[busBlock]!++;
            // The take ends as a cell's does; the consumer said none was pending, so no pull is made.
            while ((await client.receive(0)) !== null);
          },
          between: async () => void busBlock++,
        },
        send: sendsAlone(client),
      });
      const r = (ns: number) => Number((ns / 1000).toFixed(3));
      return {
        floor_name: 'jetstream publish+ack, no-wait pull+ack',
        floor_round_trip_us: r(t.floor.perCallNs),
        bus_round_trip_us: r(t.bus.perCallNs),
        bus_send_us: r(t.send.perCallNs),
        extra: {
          ping_us: r(t.ping.perCallNs),
          empty_no_wait_pull_us: r(t.emptyPull.perCallNs),
          floor_empty_pulls: floorMisses[t.floor.block + 1]!,
          bus_empty_pulls: busMisses[t.bus.block + 1]!,
        },
      };
    } finally {
      puller.close();
      await client.close();
    }
  } finally {
    if (jsm !== null) await deleteStream(jsm, names.stream).catch(() => {});
    await nc.close().catch(() => {});
  }
}
