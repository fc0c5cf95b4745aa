/**
 * A worker process: runs the agents it is given through a driver's clients (drivers/contract.ts),
 * times every operation itself (process.hrtime.bigint around each call, or the driver's own
 * timing where it has one) and reports samples and message counts to the orchestrator over IPC.
 * No zx and no output on stdout: stdout may be carrying JSONL.
 */
import { configDir } from '../drivers/contract.ts';
import { driverEntry } from '../drivers/registry.ts';
import { agentId } from '../core/agents.ts';
import type { ConfigName } from '../core/words.ts';
import { calibrateHarness, combine } from '../measure/calibrate.ts';
import { makePayload } from '../workloads/messages.ts';
import { mulberry32 } from '../stats/rng.ts';
import { hr, kOf, newPart, replyBaseOf, senderIndex, takeAsync, takeSync, type CellState, type Part } from '../workloads/state.ts';
import { closedMost, closedSends, runClosed } from '../workloads/closed.ts';
import { CellSchedule, MailWatch, runOpen } from '../workloads/open.ts';
import { workloadResults } from '../workloads/results.ts';
import { patternOf } from '../workloads/index.ts';
import { parseWait } from '../workloads/flags.ts';
import type { CellDone, CellSpec, ConfigDone, ConfigDrained, Drained, FromWorker, ToWorker } from '../core/protocol.ts';
import { WorkerFaults } from '../faults/agent.ts';
import type { OpenedStartup } from '../measure/lifecycle.ts';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function reply(msg: FromWorker): void {
  if (process.connected) process.send!(msg);
}

interface Current extends CellState {
  /** Called when every worker's agents are ready (the open loop's start time with it). */
  go?: (atNs?: number) => void;
}
let current: Current | null = null;

/**
 * A cell: every local agent sends its messages through each config's clients and takes what
 * reaches its inboxes, as the cell's workload arranges it (lib/workloads/). Then the agents wait
 * for the rest of their mail until it is all in, as the senders counted it, or nothing has come
 * for a quiet period.
 */
async function driveCell(spec: CellSpec): Promise<CellDone> {
  const index = new Map<string, number>();
  for (let i = 0; i < spec.scale; i++) index.set(agentId(i), i);
  const parts: Part[] = [];
  // Known to the error path before any client opens, so a failure closes them all.
  const pattern = patternOf(spec.pattern);
  const schedule = spec.open ? new CellSchedule(spec.open, spec.scale, pattern) : null;
  const sends = schedule ? spec.local.map((agent) => schedule.sends(agent)) : closedSends(spec, pattern);
  const replyBase = replyBaseOf(pattern, schedule ? schedule.most() : closedMost(spec, pattern));
  const cur: Current = { spec, parts, index, pattern, replyBase, data: makePayload(spec.payloadBytes).data, taken: [] };
  current = cur;
  const slots = spec.local.length;
  const faults = WorkerFaults.of(spec, reply);
  const startup: OpenedStartup[] = [];
  // One part per config, or per (variant, config) in an A/B cell: each with its variant's driver settings, bus and layer options.
  const variants = spec.variants ?? [{ name: undefined, driver: spec.driver, bus: spec.bus, layer: spec.layer, dir: spec.dir }];
  for (const v of variants) for (const config of spec.configs) {
    const driver = await driverEntry(v.driver.name).client();
    const t0 = performance.now();
    const opened = await driver.open({
      settings: v.driver.settings,
      shared: v.driver.shared,
      cell: v.bus,
      dir: configDir(v.dir, config),
      config,
      scale: spec.scale,
      local: spec.local,
      layer: v.layer,
      payloadBytes: spec.payloadBytes,
    });
    const self = opened.startupMs?.();
    startup.push({ config, what: self?.what ?? null, agentMs: self?.ms ?? [], openMs: performance.now() - t0 });
    const client = faults ? faults.wrap(opened, config) : opened;
    parts.push(newPart(spec, config, client, sends, cur, v.name));
  }
  // --wait watch: every inbox watched before the first message can arrive.
  if (spec.open && parseWait(spec.open.wait).kind === 'watch') cur.watch = new MailWatch(cur);
  const random = mulberry32(spec.orderSeed);
  const go = new Promise<number | undefined>((resolve) => (cur.go = resolve));
  reply({ type: 'opened', id: spec.id, startup });
  const atNs = await go;

  const startNs = Number(hr());
  if (schedule) {
    schedule.epochNs = atNs ?? startNs;
    cur.schedule = schedule;
    await runOpen(cur, schedule);
  } else await runClosed(cur, random, faults ? (k) => faults.round(k) : undefined);
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
  // The closed loop's agents look again after 50 µs; the open loop's wait as the load says.
  const wait = spec.open ? parseWait(spec.open.wait) : null;
  const tailPollMs = wait?.kind === 'poll' ? Math.max(0.001, wait.intervalNs / 1e6) : 0.05;
  for (;;) {
    // Notices from here on are for mail not taken yet.
    cur.watch?.noticed();
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
    if (cur.watch) {
      // Woken by the next notice (or after 10 ms, to check the quiet period and the deadline).
      await cur.watch.until(Number(hr()) + 10e6);
    } else if (sync) {
      Atomics.wait(sleeper, 0, 0, tailPollMs);
      if (now - lastYield > 5_000_000n) {
        await new Promise((r) => setImmediate(r));
        lastYield = hr();
      }
    } else await new Promise((r) => setTimeout(r, 1));
  }

  cur.watch?.close();
  const endNs = Number(hr());
  const faultHealth = await faults?.probe();
  return {
    type: 'cell-done',
    id: spec.id,
    parts: parts.map((p): ConfigDone => {
      const samples: ConfigDone['samples'] = { message_send: p.send.values(), message_receive: p.recv.values(), delivery: p.delivery.values() };
      if (p.health.length > 0) samples.health_query = p.health.values();
      const keys = { message_send: p.sendKeys.values(), message_receive: p.recvKeys.values(), delivery: p.deliveryKeys.values() };
      return { config: p.config, ...(p.variant !== undefined ? { variant: p.variant } : {}), samples, keys, sent: p.sent, received: Uint32Array.from(p.received), receivedN: p.got.reduce((a, n) => a + n, 0), rejected: p.rejected, ...workloadResults(p, samples) };
    }),
    timedOut,
    quietEnded,
    startNs,
    endNs,
    ...(faultHealth ? { faultHealth } : {}),
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
    parts.push({ config: p.config, ...(p.variant !== undefined ? { variant: p.variant } : {}), drained: Uint32Array.from(out), drainNs: coord && stopped !== null ? selfNs ?? wall : null, stopped, calls: p.client.calls?.() ?? [] });
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
    if (current?.spec.id === msg.id) current.go?.(msg.atNs);
    return;
  }
  void (async () => {
    const id = msg.type === 'cell' ? msg.cell.id : msg.type === 'calibrate' ? -1 : msg.id;
    try {
      switch (msg.type) {
        case 'calibrate': {
          const harness = await calibrateHarness(Math.round(20_000 * msg.effort));
          const bus = await (await driverEntry(msg.driver.name).client()).calibrate({ settings: msg.driver.settings, shared: msg.driver.shared, dir: msg.dir, effort: msg.effort });
          reply({ type: 'calibrated', calibration: combine(harness, bus) });
          break;
        }
        case 'cell':
          if (current !== null) await closeAll(current);
          reply(await driveCell(msg.cell));
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
