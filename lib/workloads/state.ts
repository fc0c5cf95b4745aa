/**
 * What a workload works on inside a worker: the running cell's configs (their clients and what
 * they measured) and the timed steps every workload is made of: one send, one receive call, taking
 * an inbox empty, the coordinator's health query. Each loop (closed.ts, open.ts) arranges these
 * steps in time; each pattern (rotation.ts, …) says who sends to whom.
 */
import type { MailWatch } from './open.ts';
import { Rejected, SendFailed, type Body, type ConfigClient, type Receipt } from '../drivers/contract.ts';
import { AgentDown } from '../faults/agent.ts';
import type { ConfigName } from '../core/words.ts';
import type { CellSpec } from '../core/protocol.ts';
import { messageKey } from './messages.ts';
import { Samples } from '../measure/samples.ts';
import { LatencyHistogram } from '../measure/histogram.ts';
import type { Pattern } from './pattern.ts';

export const hr = process.hrtime.bigint;

/** One config of the running cell: its clients and what it measured. */
export interface Part {
  config: ConfigName;
  /** A/B: the variant this part belongs to (CellSpec.variants). */
  variant?: string;
  client: ConfigClient;
  send: Samples;
  recv: Samples;
  delivery: Samples;
  /** The message key of each send, receive call and delivery (workloads/messages.ts messageKey). */
  sendKeys: Samples;
  recvKeys: Samples;
  deliveryKeys: Samples;
  health: Samples;
  /** Per local agent, per message seq: 0 not sent (rejected, or never attempted: Part.unsent), 1 sent, 2 the send's call failed. */
  sent: Uint8Array[];
  /** Messages accepted by the bus per recipient (agent index): what each recipient is to receive. */
  perRecipient: number[];
  got: number[];
  /** Per local agent, what the senders say it is to receive (null until every worker has sent). */
  expected: number[] | null;
  received: number[];
  rejected: number;
  /**
   * The open loop: latency of each delivery from its message's intended send time (a histogram;
   * every sample too with --raw), and each send's lag behind its schedule.
   */
  intended: LatencyHistogram | null;
  intendedRaw: Samples | null;
  lag: Samples | null;
  /** The open loop with a give-up budget (OpenLoad.giveUpLateNs): accepted sends that began later than it; sends never attempted once it gave up. */
  overBudget: number;
  gaveUp: boolean;
  unsent: number;
  /** A pattern with answers: per local agent, when each of its requests was sent (hrtime ns), and the round trips. */
  requestAt: Float64Array[] | null;
  roundTrip: LatencyHistogram | null;
  roundTripRaw: Samples | null;
}

export interface CellState {
  spec: CellSpec;
  parts: Part[];
  /** Agent id → index at this scale. */
  index: Map<string, number>;
  pattern: Pattern;
  /** Messages numbered from here on are answers (a pattern with answers; otherwise never reached). */
  replyBase: number;
  /** The payload every message carries. */
  data: string;
  /** The open loop: when each message was meant to be sent (open.ts; NaN for one that was not scheduled). */
  schedule?: { intendedAt(from: number, k: number): number };
  /** Messages the last receive call took, as (sender, seq) pairs, for a pattern with answers. */
  taken: number[];
  /** `--wait watch`: the notices that mail arrived (open.ts MailWatch), for the open loop and the tail. */
  watch?: MailWatch;
}

/**
 * Where a cell's answers are numbered from: past every agent's own messages (`sends`: the most any
 * agent sends), or never for a pattern without answers.
 */
export function replyBaseOf(pattern: Pattern, sends: number): number {
  return pattern.answers ? sends : Number.MAX_SAFE_INTEGER;
}

/** A soak (lib/soak/) keeps counts only: its health queries' timings go nowhere. */
class NoSamples extends Samples {
  override push(): void {}
}

/** A fresh Part for a config whose clients are open; `sends`: messages each local agent is to send. */
export function newPart(spec: CellSpec, config: ConfigName, client: ConfigClient, sends: readonly number[], cur: CellState, variant?: string): Part {
  const slots = spec.local.length;
  const answers = cur.pattern.answers !== undefined;
  const n = Math.max(1, sends.reduce((a, x) => a + x, 0));
  return {
    config,
    ...(variant !== undefined ? { variant } : {}),
    client,
    send: new Samples(n),
    recv: new Samples(n),
    delivery: new Samples(n),
    sendKeys: new Samples(n),
    recvKeys: new Samples(n),
    deliveryKeys: new Samples(n),
    health: spec.soakMs === undefined ? new Samples(Math.ceil(spec.iterations / spec.healthQueryEvery) + 1) : new NoSamples(),
    sent: sends.map((s) => new Uint8Array(answers ? 2 * cur.replyBase : s)),
    perRecipient: new Array<number>(spec.scale).fill(0),
    got: new Array<number>(slots).fill(0),
    expected: null,
    received: [],
    rejected: 0,
    intended: spec.open ? new LatencyHistogram() : null,
    intendedRaw: spec.open && spec.raw ? new Samples(n) : null,
    lag: spec.open ? new Samples(n) : null,
    overBudget: 0,
    gaveUp: false,
    unsent: 0,
    requestAt: answers ? sends.map((s) => new Float64Array(s)) : null,
    roundTrip: answers ? new LatencyHistogram() : null,
    roundTripRaw: answers && spec.raw ? new Samples(n) : null,
  };
}

export function senderIndex(index: Map<string, number>, from: string): number {
  const i = index.get(from);
  if (i === undefined) throw new Error(`a message from unknown sender ${JSON.stringify(from)}`);
  return i;
}

export function kOf(m: Receipt): number {
  const k = (m.payload as Partial<Body> | null)?.k;
  if (typeof k !== 'number') throw new Error(`a message from ${m.from} without busbench's message number`);
  return k;
}

/** A receive call's samples, and every message it took; returns how many. */
function record(cur: CellState, p: Part, r: Receipt, t0: bigint, t1: bigint): number {
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
    if (cur.schedule) {
      const at = cur.schedule.intendedAt(from, k);
      if (!Number.isNaN(at)) {
        const ns = Number(end) - at;
        p.intended!.record(ns);
        p.intendedRaw?.push(ns);
      }
    }
    p.deliveryKeys.push(key);
    p.received.push(from, k);
    if (cur.pattern.answers) cur.taken.push(from, k);
    n++;
  }
  return n;
}

/** Take everything in one agent's inbox now (a sync client); time each receive call. */
export function takeSync(cur: CellState, p: Part, slot: number): number {
  let taken = 0;
  for (;;) {
    const t0 = hr();
    const r = p.client.receive(slot) as Receipt | null;
    const t1 = hr();
    if (r === null) return taken;
    taken += record(cur, p, r, t0, t1);
    if (cur.pattern.answers) {
      const pairs = cur.taken.splice(0);
      for (let i = 0; i < pairs.length; i += 2) void cur.pattern.answers.onTake(cur, p, slot, pairs[i]!, pairs[i + 1]!, r.endNs ?? t1);
    }
  }
}

export async function takeAsync(cur: CellState, p: Part, slot: number): Promise<number> {
  let taken = 0;
  for (;;) {
    const t0 = hr();
    const r = await p.client.receive(slot);
    const t1 = hr();
    if (r === null) return taken;
    taken += record(cur, p, r, t0, t1);
    if (cur.pattern.answers) {
      const pairs = cur.taken.splice(0);
      for (let i = 0; i < pairs.length; i += 2) await cur.pattern.answers.onTake(cur, p, slot, pairs[i]!, pairs[i + 1]!, r.endNs ?? t1);
    }
  }
}

/**
 * A send the bus accepted: its sample, its key, and one more message its recipient is to receive
 * (with answers: a request means one more for the recipient and one more answer for the sender;
 * an answer was counted with its request).
 */
function sent(cur: CellState, p: Part, slot: number, from: number, to: number, k: number, ns: number): void {
  if (cur.spec.soakMs !== undefined) return void p.perRecipient[to]!++;
  p.send.push(ns);
  p.sendKeys.push(messageKey(from, k));
  p.sent[slot]![k] = 1;
  if (k < cur.replyBase) {
    p.perRecipient[to]!++;
    if (cur.pattern.answers) p.perRecipient[from]!++;
  }
}

/** A send the bus refused (rejected) or whose call failed; anything else fails the cell. */
function notSent(p: Part, slot: number, k: number, e: unknown): void {
  if (e instanceof AgentDown) return; // --fault: the agent is dead or stalled, nothing was sent
  if (e instanceof Rejected) p.rejected++;
  else if (e instanceof SendFailed) p.sent[slot]![k] = 2;
  else throw e;
}

/** Message `k` of the agent in `slot`, to the recipient the pattern names, timed; a promise only for an async client. */
export function sendStep(cur: CellState, p: Part, slot: number, k: number): void | Promise<void> {
  return sendMessage(cur, p, slot, cur.pattern.to(cur.spec.local[slot]!, k, cur.spec.scale), k);
}

/** Message `k` of the agent in `slot` to agent `to`, timed; a promise only for an async client. */
export function sendMessage(cur: CellState, p: Part, slot: number, to: number, k: number): void | Promise<void> {
  const from = cur.spec.local[slot]!;
  const body: Body = { k, data: cur.data };
  const t0 = hr();
  if (p.requestAt && k < cur.replyBase) p.requestAt[slot]![k] = Number(t0);
  let r;
  try {
    r = p.client.send(slot, to, body);
  } catch (e) {
    return notSent(p, slot, k, e);
  }
  const t1 = hr();
  if (r instanceof Promise) {
    return r.then(
      (self) => sent(cur, p, slot, from, to, k, self ?? Number(hr() - t0)),
      (e: unknown) => notSent(p, slot, k, e),
    );
  }
  sent(cur, p, slot, from, to, k, r ?? Number(t1 - t0));
}

/** The coordinator's health query, timed (a driver's failed query gives no sample). */
export async function queryHealth(p: Part): Promise<void> {
  const t0 = hr();
  let r = p.client.healthQuery!();
  let t1 = hr();
  if (r instanceof Promise) {
    r = await r;
    t1 = hr();
  }
  if (r !== null) p.health.push(r ?? Number(t1 - t0));
}
