/**
 * A worker process: runs the agents it is given, times every operation itself
 * (process.hrtime.bigint around each call) and reports samples and message counts to the
 * orchestrator over IPC. No zx and no output on stdout: stdout may be carrying JSONL.
 */
import { TmpfsBus } from '../bus/tmpfs/bus.ts';
import type { Message } from '../bus/contract.ts';
import { buildStack, type Stack } from '../layers/stack.ts';
import { BackpressureError } from '../layers/rate-limiting.ts';
import { calibrate } from '../measure/calibrate.ts';
import { abandon, drainShellCell, requestShellShutdown, runShellCell } from '../bus/shell/cell-runner.ts';
import { calibrateShell } from '../bus/shell/calibrate.ts';
import { Samples } from '../measure/samples.ts';
import { agentId, makePayload, peerOf } from './workload.ts';
import type { CellDone, CellSpec, FromWorker, ToWorker } from './protocol.ts';

const hr = process.hrtime.bigint;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function reply(msg: FromWorker): void {
  if (process.connected) process.send!(msg);
}

interface Current {
  spec: CellSpec;
  stack: Stack;
  index: Map<string, number>;
}
let current: Current | null = null;

function indexOf(current: Current, m: Message): number {
  const i = current.index.get(m.from);
  if (i === undefined) throw new Error(`message ${m.id} from unknown sender ${m.from}`);
  return i;
}

async function runCell(spec: CellSpec): Promise<CellDone> {
  const base = new TmpfsBus(spec.dir);
  const stack = buildStack(spec.config, base, base.paths, spec.layer);
  const index = new Map<string, number>();
  for (let i = 0; i < spec.scale; i++) index.set(agentId(i), i);
  current = { spec, stack, index };
  const ids = spec.local.map(agentId);
  for (const id of ids) stack.bus.register(id);

  const n = spec.iterations * spec.local.length;
  const send = new Samples(n);
  const recv = new Samples(n);
  const delivery = new Samples(n);
  const health = new Samples(Math.ceil(spec.iterations / spec.healthQueryEvery) + 1);
  const sent = new Array<number>(ids.length).fill(0);
  const got = new Array<number>(ids.length).fill(0);
  const received: number[] = [];
  let rejected = 0;
  const payload = makePayload(spec.payloadBytes);
  const bus = stack.bus;
  const cur = current;

  /** Take everything in one agent's inbox now; time each message taken. */
  const take = (slot: number): number => {
    const id = ids[slot]!;
    let taken = 0;
    for (;;) {
      const t0 = hr();
      const m = bus.receive(id);
      const t1 = hr();
      if (m === null) return taken;
      recv.push(Number(t1 - t0));
      delivery.push(Number(t1 - BigInt(m.sent_at_ns)));
      received.push(indexOf(cur, m), m.seq);
      taken++;
    }
  };

  const startNs = Number(hr());
  for (let k = 0; k < spec.iterations; k++) {
    for (let slot = 0; slot < ids.length; slot++) {
      const to = agentId(peerOf(spec.local[slot]!, k, spec.scale));
      const t0 = hr();
      try {
        bus.send(ids[slot]!, to, payload);
      } catch (e) {
        if (e instanceof BackpressureError) {
          rejected++;
          continue;
        }
        throw e;
      }
      const t1 = hr();
      send.push(Number(t1 - t0));
      sent[slot]!++;
    }
    for (let slot = 0; slot < ids.length; slot++) got[slot]! += take(slot);
    if (spec.coordinator && stack.health && k % spec.healthQueryEvery === spec.healthQueryEvery - 1) {
      const t0 = hr();
      stack.health.query();
      health.push(Number(hr() - t0));
    }
  }

  // Mail from agents on other workers may still be on its way: poll (sleeping, never spinning)
  // until every local agent has its share, yielding to the event loop now and then for IPC.
  const deadline = hr() + BigInt(spec.receiveTimeoutMs) * 1_000_000n;
  let timedOut = false;
  let lastYield = hr();
  for (;;) {
    let missing = 0;
    for (let slot = 0; slot < ids.length; slot++) {
      if (got[slot]! < spec.iterations) {
        got[slot]! += take(slot);
        if (got[slot]! < spec.iterations) missing++;
      }
    }
    if (missing === 0) break;
    const now = hr();
    if (now > deadline) {
      timedOut = true;
      break;
    }
    Atomics.wait(sleeper, 0, 0, 0.05);
    if (now - lastYield > 5_000_000n) {
      await new Promise((r) => setImmediate(r));
      lastYield = hr();
    }
  }

  const endNs = Number(hr());
  const samples: CellDone['samples'] = { message_send: send.values(), message_receive: recv.values(), delivery: delivery.values() };
  if (health.length > 0) samples.health_query = health.values();
  return { type: 'cell-done', id: spec.id, samples, sent, received: Uint32Array.from(received), rejected, timedOut, startNs, endNs };
}

function drain(id: number, coordinated: boolean) {
  const cur = current;
  if (cur === null || cur.spec.id !== id) throw new Error(`drain for cell ${id}, but no such cell is running here`);
  const out: number[] = [];
  const keep = (m: Message) => out.push(indexOf(cur, m), m.seq);
  let drainNs: number | null = null;
  const ids = cur.spec.local.map(agentId);
  if (coordinated && cur.stack.shutdown) {
    const t0 = hr();
    for (const a of ids) cur.stack.shutdown.drainAndStop(a, keep);
    drainNs = Number(hr() - t0);
  } else {
    for (const a of ids) for (let m = cur.stack.bus.receive(a); m !== null; m = cur.stack.bus.receive(a)) keep(m);
  }
  cur.stack.bus.close();
  current = null;
  return { type: 'drained' as const, id, drained: Uint32Array.from(out), drainNs };
}

/** Id of the shell-driver cell this worker is running, if any. */
let shellCell = -1;

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'cell') shellCell = msg.cell.driver === 'shell' ? msg.cell.id : -1;
  void (async () => {
    const id = msg.type === 'cell' ? msg.cell.id : msg.type === 'drain' || msg.type === 'shutdown-request' ? msg.id : -1;
    try {
      switch (msg.type) {
        case 'calibrate':
          reply({ type: 'calibrated', calibration: calibrate(msg.dir, msg.rounds) });
          break;
        case 'calibrate-shell':
          reply({ type: 'shell-calibrated', shell: await calibrateShell(msg.dir, msg.shell, msg.layer, msg.shells, msg.rounds) });
          break;
        case 'cell':
          reply(msg.cell.driver === 'shell' ? await runShellCell(msg.cell) : await runCell(msg.cell));
          break;
        case 'drain':
          reply(shellCell === msg.id ? await drainShellCell(msg.id, msg.coordinated) : drain(msg.id, msg.coordinated));
          break;
        case 'shutdown-request':
          reply(await requestShellShutdown(msg.id));
          break;
        case 'stop':
          process.disconnect();
          break;
      }
    } catch (e) {
      await abandon();
      try {
        current?.stack.bus.close();
      } catch {
        // descriptors already gone
      }
      current = null;
      reply({ type: 'error', id, message: e instanceof Error ? e.message : String(e) });
    }
  })();
});

// The orchestrator decides when to stop: Ctrl-C reaches the whole process group, and it cleans up.
process.on('SIGINT', () => {});
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready', pid: process.pid });
