/**
 * A worker process: runs the agents it is given through a driver's clients (drivers/contract.ts),
 * times every operation itself (process.hrtime.bigint around each call, or the driver's own
 * timing where it has one) and reports samples and message counts to the orchestrator over IPC.
 * No zx and no output on stdout: stdout may be carrying JSONL.
 */
import { configDir, Rejected, SendFailed, type Body, type ConfigClient, type Receipt } from '../drivers/contract.ts';
import { driverEntry } from '../drivers/registry.ts';
import { agentId } from '../core/agents.ts';
import type { ConfigName } from '../core/words.ts';
import { calibrateHarness, combine } from '../measure/calibrate.ts';
import { Samples } from '../measure/samples.ts';
import { makePayload, messageKey, peerOf } from './workload.ts';
import { mulberry32, seededShuffle } from '../stats/rng.ts';
import type { CellDone, CellSpec, ConfigDone, ConfigDrained, Drained, FromWorker, ToWorker } from './protocol.ts';

const hr = process.hrtime.bigint;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function reply(msg: FromWorker): void {
  if (process.connected) process.send!(msg);
}

/** One config of the running cell: its clients and what it measured. */
interface Part {
  config: ConfigName;
  client: ConfigClient;
  send: Samples;
  recv: Samples;
  delivery: Samples;
  /** The message key of each send, receive call and delivery (workload.ts messageKey). */
  sendKeys: Samples;
  recvKeys: Samples;
  deliveryKeys: Samples;
  health: Samples;
  /** Per local agent, per round: 0 not sent (rejected), 1 sent, 2 the send's call failed. */
  sent: Uint8Array[];
  /** Messages accepted by the bus per recipient (agent index): what each recipient is to receive. */
  perRecipient: number[];
  got: number[];
  /** Per local agent, what the senders say it is to receive (null until every worker has sent). */
  expected: number[] | null;
  received: number[];
  rejected: number;
}

interface Current {
  spec: CellSpec;
  parts: Part[];
  /** Agent id → index at this scale. */
  index: Map<string, number>;
  /** Called when every worker's agents are ready. */
  go?: () => void;
}
let current: Current | null = null;

function senderIndex(index: Map<string, number>, from: string): number {
  const i = index.get(from);
  if (i === undefined) throw new Error(`a message from unknown sender ${JSON.stringify(from)}`);
  return i;
}

function kOf(m: Receipt): number {
  const k = (m.payload as Partial<Body> | null)?.k;
  if (typeof k !== 'number') throw new Error(`a message from ${m.from} without busbench's message number`);
  return k;
}

/** A receive call's samples, and every message it took; returns how many. */
function record(cur: Current, p: Part, r: Receipt, t0: bigint, t1: bigint): number {
  if (cur.spec.soakMs !== undefined) return 1 + (r.more?.length ?? 0);
  p.recv.push(r.selfNs ?? Number(t1 - t0));
  const end = r.endNs ?? t1;
  let n = 0;
  for (const m of r.more ? [r, ...r.more] : [r]) {
    const from = senderIndex(cur.index, m.from);
    const k = kOf(m);
    const key = messageKey(from, k);
    if (n === 0) p.recvKeys.push(key);
    p.delivery.push(Number(end - BigInt(m.sent_at_ns)));
    p.deliveryKeys.push(key);
    p.received.push(from, k);
    n++;
  }
  return n;
}

/** Take everything in one agent's inbox now (a sync client); time each receive call. */
function takeSync(cur: Current, p: Part, slot: number): number {
  let taken = 0;
  for (;;) {
    const t0 = hr();
    const r = p.client.receive(slot) as Receipt | null;
    const t1 = hr();
    if (r === null) return taken;
    taken += record(cur, p, r, t0, t1);
  }
}

async function takeAsync(cur: Current, p: Part, slot: number): Promise<number> {
  let taken = 0;
  for (;;) {
    const t0 = hr();
    const r = await p.client.receive(slot);
    const t1 = hr();
    if (r === null) return taken;
    taken += record(cur, p, r, t0, t1);
  }
}

/** A send the bus accepted: its sample, its key, and one more message its recipient is to receive. */
function sent(p: Part, slot: number, from: number, to: number, k: number, ns: number): void {
  if (current?.spec.soakMs !== undefined) return void p.perRecipient[to]!++;
  p.send.push(ns);
  p.sendKeys.push(messageKey(from, k));
  p.sent[slot]![k] = 1;
  p.perRecipient[to]!++;
}

/** A send the bus refused (rejected) or whose call failed; anything else fails the cell. */
function notSent(p: Part, slot: number, k: number, e: unknown): void {
  if (e instanceof Rejected) p.rejected++;
  else if (e instanceof SendFailed) p.sent[slot]![k] = 2;
  else throw e;
}

/** One send of round k by the agent in `slot`, timed; a promise only for an async client. */
function sendStep(cur: Current, p: Part, slot: number, k: number, data: string): void | Promise<void> {
  const from = cur.spec.local[slot]!;
  const to = peerOf(from, k, cur.spec.scale);
  const body: Body = { k, data };
  const t0 = hr();
  let r;
  try {
    r = p.client.send(slot, to, body);
  } catch (e) {
    return notSent(p, slot, k, e);
  }
  const t1 = hr();
  if (r instanceof Promise) {
    return r.then(
      (self) => sent(p, slot, from, to, k, self ?? Number(hr() - t0)),
      (e: unknown) => notSent(p, slot, k, e),
    );
  }
  sent(p, slot, from, to, k, r ?? Number(t1 - t0));
}

/** The coordinator's health query, timed (a driver's failed query gives no sample). */
async function queryHealth(p: Part): Promise<void> {
  const t0 = hr();
  let r = p.client.healthQuery!();
  let t1 = hr();
  if (r instanceof Promise) {
    r = await r;
    t1 = hr();
  }
  if (r !== null && current?.spec.soakMs === undefined) p.health.push(r ?? Number(t1 - t0));
}

/**
 * Round k of one config: every local agent sends one message, then takes its mail. A sync client
 * runs it without a single await; an async one awaits each call, its agents together when the
 * driver says they run concurrently.
 */
function round(cur: Current, p: Part, k: number, data: string): void | Promise<void> {
  const slots = cur.spec.local.length;
  const query = cur.spec.coordinator && p.client.healthQuery !== undefined && k % cur.spec.healthQueryEvery === cur.spec.healthQueryEvery - 1;
  if (p.client.sync) {
    for (let slot = 0; slot < slots; slot++) sendStep(cur, p, slot, k, data);
    for (let slot = 0; slot < slots; slot++) p.got[slot]! += takeSync(cur, p, slot);
    return query ? queryHealth(p) : undefined;
  }
  return (async () => {
    const all = Array.from({ length: slots }, (_, s) => s);
    if (p.client.concurrent) {
      await Promise.all(all.map((slot) => sendStep(cur, p, slot, k, data)));
      const took = await Promise.all(all.map((slot) => takeAsync(cur, p, slot)));
      took.forEach((n, slot) => (p.got[slot]! += n));
    } else {
      for (const slot of all) await sendStep(cur, p, slot, k, data);
      for (const slot of all) p.got[slot]! += await takeAsync(cur, p, slot);
    }
    if (query) await queryHealth(p);
  })();
}

/**
 * A cell: every local agent sends `iterations` messages through each config's clients and takes
 * what reaches its inboxes. With several configs they take turns round by round (each round every
 * agent sends one message per config, the configs in a freshly shuffled order), so the machine's
 * state at any moment falls on all of them alike. Then the agents wait for the rest of their mail
 * until it is all in, as the senders counted it, or nothing has come for a quiet period.
 */
async function runCell(spec: CellSpec): Promise<CellDone> {
  const index = new Map<string, number>();
  for (let i = 0; i < spec.scale; i++) index.set(agentId(i), i);
  const parts: Part[] = [];
  // Known to the error path before any client opens, so a failure closes them all.
  const cur: Current = { spec, parts, index };
  current = cur;
  const driver = await driverEntry(spec.driver.name).client();
  const slots = spec.local.length;
  for (const config of spec.configs) {
    const client = await driver.open({
      settings: spec.driver.settings,
      shared: spec.driver.shared,
      cell: spec.bus,
      dir: configDir(spec.dir, config),
      config,
      scale: spec.scale,
      local: spec.local,
      layer: spec.layer,
      payloadBytes: spec.payloadBytes,
    });
    const n = spec.iterations * slots;
    parts.push({
      config,
      client,
      send: new Samples(n),
      recv: new Samples(n),
      delivery: new Samples(n),
      sendKeys: new Samples(n),
      recvKeys: new Samples(n),
      deliveryKeys: new Samples(n),
      health: new Samples(Math.ceil(spec.iterations / spec.healthQueryEvery) + 1),
      sent: Array.from({ length: slots }, () => new Uint8Array(spec.iterations)),
      perRecipient: new Array<number>(spec.scale).fill(0),
      got: new Array<number>(slots).fill(0),
      expected: null,
      received: [],
      rejected: 0,
    });
  }
  const data = makePayload(spec.payloadBytes).data;
  const random = mulberry32(spec.orderSeed);
  const go = new Promise<void>((resolve) => (cur.go = resolve));
  reply({ type: 'opened', id: spec.id });
  await go;

  const startNs = Number(hr());
  const soakUntil = spec.soakMs === undefined ? null : hr() + BigInt(Math.round(spec.soakMs * 1e6));
  for (let k = 0; soakUntil === null ? k < spec.iterations : hr() < soakUntil; k++) {
    for (const p of parts.length > 1 ? seededShuffle(parts, random) : parts) {
      const r = round(cur, p, k, data);
      if (r) await r;
    }
    // A soak's steady pace: the next round starts on its schedule (sleeping lets IPC through).
    const ahead = soakUntil === null ? 0 : startNs / 1e6 + (k + 1) * spec.soakEveryMs! - Number(hr()) / 1e6;
    if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
  }
  reply({ type: 'sent', id: spec.id, perRecipient: parts.map((p) => p.perRecipient) });

  // Mail from agents on other workers may still be on its way: poll (sleeping, never spinning),
  // yielding to the event loop now and then for IPC (the orchestrator's 'expect').
  const sync = parts.every((p) => p.client.sync);
  const deadline = hr() + BigInt(spec.receiveTimeoutMs) * 1_000_000n;
  const quietNs = BigInt(spec.quietMs) * 1_000_000n;
  let timedOut = false;
  let quietEnded = false;
  let lastArrival = hr();
  let lastYield = hr();
  for (;;) {
    let missing = 0;
    let arrived = 0;
    for (const p of parts) {
      for (let slot = 0; slot < slots; slot++) {
        const need = p.expected ? p.expected[slot]! : Infinity;
        if (p.got[slot]! >= need) continue;
        const n = sync ? takeSync(cur, p, slot) : await takeAsync(cur, p, slot);
        p.got[slot]! += n;
        arrived += n;
        if (p.got[slot]! < need) missing++;
      }
    }
    const now = hr();
    if (arrived > 0) lastArrival = now;
    const told = parts.every((p) => p.expected !== null);
    if (told && missing === 0) break;
    if (told && now - lastArrival > quietNs) {
      quietEnded = true;
      break;
    }
    if (now > deadline) {
      timedOut = true;
      break;
    }
    if (sync) {
      Atomics.wait(sleeper, 0, 0, 0.05);
      if (now - lastYield > 5_000_000n) {
        await new Promise((r) => setImmediate(r));
        lastYield = hr();
      }
    } else await new Promise((r) => setTimeout(r, 1));
  }

  const endNs = Number(hr());
  return {
    type: 'cell-done',
    id: spec.id,
    parts: parts.map((p): ConfigDone => {
      const samples: ConfigDone['samples'] = { message_send: p.send.values(), message_receive: p.recv.values(), delivery: p.delivery.values() };
      if (p.health.length > 0) samples.health_query = p.health.values();
      const keys = { message_send: p.sendKeys.values(), message_receive: p.recvKeys.values(), delivery: p.deliveryKeys.values() };
      return { config: p.config, samples, keys, sent: p.sent, received: Uint32Array.from(p.received), receivedN: p.got.reduce((a, n) => a + n, 0), rejected: p.rejected };
    }),
    timedOut,
    quietEnded,
    startNs,
    endNs,
  };
}

function expect(id: number, counts: number[][]): void {
  const cur = current;
  if (cur === null || cur.spec.id !== id) return;
  cur.parts.forEach((p, i) => (p.expected = cur.spec.local.map((agent) => counts[i]![agent]!)));
}

async function requestShutdown(id: number, configs: readonly ConfigName[]): Promise<void> {
  const cur = current;
  if (cur === null || cur.spec.id !== id) throw new Error(`shutdown request for cell ${id}, but no such cell is running here`);
  for (const p of cur.parts) if (configs.includes(p.config) && p.client.requestShutdown) await p.client.requestShutdown();
}

/** End of cell: every local agent takes what is left (the coordinated shutdown's drain-and-stop where asked), then the clients close. */
async function drain(id: number, coordinated: readonly ConfigName[]): Promise<Drained> {
  const cur = current;
  if (cur === null || cur.spec.id !== id) throw new Error(`drain for cell ${id}, but no such cell is running here`);
  const parts: ConfigDrained[] = [];
  for (const p of cur.parts) {
    const out: number[] = [];
    const coord = coordinated.includes(p.config);
    let selfNs: number | null = null;
    let stopped: number | null = null;
    const t0 = hr();
    for (let slot = 0; slot < cur.spec.local.length; slot++) {
      const r = await p.client.drain(slot, coord);
      for (const m of r.got) for (const x of m.more ? [m, ...m.more] : [m]) out.push(senderIndex(cur.index, x.from), kOf(x));
      if (r.selfNs !== undefined) selfNs = (selfNs ?? 0) + r.selfNs;
      if (r.stopped !== null) stopped = (stopped ?? 0) + (r.stopped ? 1 : 0);
    }
    const wall = Number(hr() - t0);
    parts.push({ config: p.config, drained: Uint32Array.from(out), drainNs: coord && stopped !== null ? selfNs ?? wall : null, stopped, calls: p.client.calls?.() ?? [] });
  }
  await closeAll(cur);
  current = null;
  return { type: 'drained', id, parts };
}

async function closeAll(cur: Current): Promise<void> {
  await Promise.all(
    cur.parts.map(async (p) => {
      try {
        await p.client.close();
      } catch {
        // connections or processes already gone
      }
    }),
  );
}

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'expect') {
    expect(msg.id, msg.counts);
    return;
  }
  if (msg.type === 'go') {
    if (current?.spec.id === msg.id) current.go?.();
    return;
  }
  void (async () => {
    const id = msg.type === 'cell' ? msg.cell.id : msg.type === 'calibrate' ? -1 : msg.id;
    try {
      switch (msg.type) {
        case 'calibrate': {
          const harness = await calibrateHarness(msg.rounds);
          const bus = await (await driverEntry(msg.driver.name).client()).calibrate({ settings: msg.driver.settings, shared: msg.driver.shared, dir: msg.dir });
          reply({ type: 'calibrated', calibration: combine(harness, bus) });
          break;
        }
        case 'cell':
          if (current !== null) await closeAll(current);
          reply(await runCell(msg.cell));
          break;
        case 'shutdown-request':
          await requestShutdown(msg.id, msg.configs);
          reply({ type: 'shutdown-requested', id: msg.id });
          break;
        case 'drain':
          reply(await drain(msg.id, msg.coordinated));
          break;
      }
    } catch (e) {
      if (current) await closeAll(current);
      current = null;
      reply({ type: 'error', id, message: e instanceof Error ? e.message : String(e) });
    }
  })();
});

// The orchestrator decides when to stop: Ctrl-C reaches the whole process group, and it cleans up.
process.on('SIGINT', () => {});
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready', pid: process.pid });
