/**
 * A worker process: runs the agents it is given, times every operation itself
 * (process.hrtime.bigint around each call) and reports samples and message counts to the
 * orchestrator over IPC. No zx and no output on stdout: stdout may be carrying JSONL.
 */
import { TmpfsBus } from '../drivers/tmpfs/bus.ts';
import type { Message } from '../drivers/tmpfs/types.ts';
import { buildStack, type Stack } from '../drivers/tmpfs/layers/stack.ts';
import { BackpressureError } from '../drivers/tmpfs/layers/rate-limiting.ts';
import { calibrate } from '../measure/calibrate.ts';
import { abandon, drainShellCell, requestShellShutdown, runShellCell } from '../drivers/shell/cell-runner.ts';
import { calibrateShell } from '../drivers/shell/calibrate.ts';
import { Samples } from '../measure/samples.ts';
import { agentId, configDir, makePayload, messageKey, peerOf } from './workload.ts';
import { mulberry32, seededShuffle } from '../stats/rng.ts';
import type { ConfigName } from '../core/words.ts';
import type { CellDone, CellSpec, ConfigDone, Drained, FromWorker, ToWorker } from './protocol.ts';

const hr = process.hrtime.bigint;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function reply(msg: FromWorker): void {
  if (process.connected) process.send!(msg);
}

/** One config of the running cell: its stack over its own bus directory, and what it measured. */
interface Part {
  config: ConfigName;
  stack: Stack;
  send: Samples;
  recv: Samples;
  delivery: Samples;
  /** The message key of each send, and of each receipt (receive and delivery share them). */
  sendKeys: Samples;
  recvKeys: Samples;
  health: Samples;
  sent: number[];
  got: number[];
  received: number[];
  rejected: number;
}

interface Current {
  spec: CellSpec;
  parts: Part[];
  /** Agent id → index at this scale; the local agents' ids. */
  index: Map<string, number>;
  ids: string[];
}
let current: Current | null = null;

function senderIndex(index: Map<string, number>, m: Message): number {
  const i = index.get(m.from);
  if (i === undefined) throw new Error(`message ${m.id} from unknown sender ${m.from}`);
  return i;
}

/**
 * A cell: every local agent sends `iterations` messages through each config's stack and takes
 * what reaches its inboxes. With several configs they take turns round by round (each round
 * every agent sends one message per config, the configs in a freshly shuffled order), so the
 * machine's state at any moment falls on all of them alike.
 */
async function runCell(spec: CellSpec): Promise<CellDone> {
  const index = new Map<string, number>();
  for (let i = 0; i < spec.scale; i++) index.set(agentId(i), i);
  const ids = spec.local.map(agentId);
  const n = spec.iterations * ids.length;
  const parts: Part[] = [];
  // Known to the error path before any stack opens a descriptor, so a failure closes them all.
  current = { spec, parts, index, ids };
  for (const config of spec.configs) {
    const base = new TmpfsBus(configDir(spec.dir, config));
    const stack = buildStack(config, base, base.paths, spec.layer);
    parts.push({
      config,
      stack,
      send: new Samples(n),
      recv: new Samples(n),
      delivery: new Samples(n),
      sendKeys: new Samples(n),
      recvKeys: new Samples(n),
      health: new Samples(Math.ceil(spec.iterations / spec.healthQueryEvery) + 1),
      sent: new Array<number>(ids.length).fill(0),
      got: new Array<number>(ids.length).fill(0),
      received: [],
      rejected: 0,
    });
  }
  for (const p of parts) for (const id of ids) p.stack.bus.register(id);
  const payload = makePayload(spec.payloadBytes);
  const random = mulberry32(spec.orderSeed);

  /** Take everything in one agent's inbox now; time each message taken. */
  const take = (p: Part, slot: number): number => {
    const id = ids[slot]!;
    const bus = p.stack.bus;
    let taken = 0;
    for (;;) {
      const t0 = hr();
      const m = bus.receive(id);
      const t1 = hr();
      if (m === null) return taken;
      p.recv.push(Number(t1 - t0));
      p.delivery.push(Number(t1 - BigInt(m.sent_at_ns)));
      const from = senderIndex(index, m);
      p.recvKeys.push(messageKey(from, m.seq));
      p.received.push(from, m.seq);
      taken++;
    }
  };

  /** Round k of one config: every local agent sends one message, then takes its mail. */
  const round = (p: Part, k: number): void => {
    const bus = p.stack.bus;
    for (let slot = 0; slot < ids.length; slot++) {
      const to = agentId(peerOf(spec.local[slot]!, k, spec.scale));
      const t0 = hr();
      let seq: number;
      try {
        seq = bus.send(ids[slot]!, to, payload).seq;
      } catch (e) {
        if (e instanceof BackpressureError) {
          p.rejected++;
          continue;
        }
        throw e;
      }
      const t1 = hr();
      p.send.push(Number(t1 - t0));
      p.sendKeys.push(messageKey(spec.local[slot]!, seq));
      p.sent[slot]!++;
    }
    for (let slot = 0; slot < ids.length; slot++) p.got[slot]! += take(p, slot);
    if (spec.coordinator && p.stack.health && k % spec.healthQueryEvery === spec.healthQueryEvery - 1) {
      const t0 = hr();
      p.stack.health.query();
      p.health.push(Number(hr() - t0));
    }
  };

  const startNs = Number(hr());
  for (let k = 0; k < spec.iterations; k++) {
    for (const p of parts.length > 1 ? seededShuffle(parts, random) : parts) round(p, k);
  }

  // Mail from agents on other workers may still be on its way: poll (sleeping, never spinning)
  // until every local agent has its share, yielding to the event loop now and then for IPC.
  const deadline = hr() + BigInt(spec.receiveTimeoutMs) * 1_000_000n;
  let timedOut = false;
  let lastYield = hr();
  for (;;) {
    let missing = 0;
    for (const p of parts) {
      for (let slot = 0; slot < ids.length; slot++) {
        if (p.got[slot]! < spec.iterations) {
          p.got[slot]! += take(p, slot);
          if (p.got[slot]! < spec.iterations) missing++;
        }
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
  return {
    type: 'cell-done',
    id: spec.id,
    parts: parts.map((p) => {
      const samples: ConfigDone['samples'] = { message_send: p.send.values(), message_receive: p.recv.values(), delivery: p.delivery.values() };
      if (p.health.length > 0) samples.health_query = p.health.values();
      const recvKeys = p.recvKeys.values();
      const keys = { message_send: p.sendKeys.values(), message_receive: recvKeys, delivery: recvKeys };
      return { config: p.config, samples, keys, sent: p.sent, received: Uint32Array.from(p.received), rejected: p.rejected };
    }),
    timedOut,
    startNs,
    endNs,
  };
}

function drain(id: number, coordinated: readonly ConfigName[]): Drained {
  const cur = current;
  if (cur === null || cur.spec.id !== id) throw new Error(`drain for cell ${id}, but no such cell is running here`);
  const { index, ids } = cur;
  const parts = cur.parts.map((p) => {
    const out: number[] = [];
    const keep = (m: Message) => out.push(senderIndex(index, m), m.seq);
    let drainNs: number | null = null;
    if (coordinated.includes(p.config) && p.stack.shutdown) {
      const t0 = hr();
      for (const a of ids) p.stack.shutdown.drainAndStop(a, keep);
      drainNs = Number(hr() - t0);
    } else {
      for (const a of ids) for (let m = p.stack.bus.receive(a); m !== null; m = p.stack.bus.receive(a)) keep(m);
    }
    return { config: p.config, drained: Uint32Array.from(out), drainNs };
  });
  closeAll(cur);
  current = null;
  return { type: 'drained', id, parts };
}

function closeAll(cur: Current): void {
  for (const p of cur.parts) {
    try {
      p.stack.bus.close();
    } catch {
      // descriptors already gone
    }
  }
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
      }
    } catch (e) {
      await abandon();
      if (current) closeAll(current);
      current = null;
      reply({ type: 'error', id, message: e instanceof Error ? e.message : String(e) });
    }
  })();
});

// The orchestrator decides when to stop: Ctrl-C reaches the whole process group, and it cleans up.
process.on('SIGINT', () => {});
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready', pid: process.pid });
