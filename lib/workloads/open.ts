/**
 * The open loop: every sending agent sends on a schedule fixed in advance (schedule.ts), whatever
 * the bus does; receivers take their mail the way the load says (--wait). Each send is timed from
 * its intended time as well as from when it went out, so a bus that stalls shows its stall in
 * the latency of every message that waited for it (delivery_intended), not only in the one call
 * that hung; sends that began more than LATE_NS after their intended time are counted late.
 */
import { parseWait } from './flags.ts';
import { agentSchedule, mergeSchedules } from './schedule.ts';
import { hr, queryHealth, sendStep, takeAsync, takeSync, type CellState } from './state.ts';
import type { Pattern } from './pattern.ts';
import type { OpenLoad } from '../core/protocol.ts';
export type { OpenLoad, ScheduleDone } from '../core/protocol.ts';



/** A send beginning more than this after its intended time is late. */
export const LATE_NS = 1_000_000;
/** How long a due poll may wait for sends that are due before it goes first anyway. */
const POLL_STARVE_NS = 5_000_000;
/**
 * A wait shorter than a timer can keep (Node's timers have 1 ms steps) sleeps in slices of this
 * much, then yields one turn to the event loop (to hear notices and sockets). Yielding alone would
 * spin: at 1,000 sends a second a worker then turns its loop about a million times a second, each
 * turn allocating a promise, and the garbage collector that follows made 2 % of the sends late.
 */
const SLICE_NS = 100_000;

/** A wait of `ns` (under a timer's step): sleep a slice of it, then `then` on the event loop's next turn. */
function slice(ns: number, then: () => void): void {
  Atomics.wait(sleeper, 0, 0, Math.min(ns, SLICE_NS) / 1e6);
  setImmediate(then);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Wait `ns` on the event loop, then `then`: a timer for 1.5 ms and more (ending 1 ms early), else
 * one slice. The timer, if any, is returned so that a wait woken earlier can clear it. The caller
 * looks at the clock again.
 */
function waitThen(ns: number, then: () => void): NodeJS.Timeout | undefined {
  if (ns >= 1.5e6) return setTimeout(then, Math.floor(ns / 1e6) - 1);
  slice(ns, then);
  return undefined;
}

/** An async wait of `ns` (waitThen). */
export function pause(ns: number): Promise<void> {
  return new Promise<void>((r) => void waitThen(ns, r));
}
const NONE = new Float64Array(0);

/**
 * `--wait watch`: the drivers' notices that mail arrived, for every inbox of a worker's agents in
 * every config of the cell. `pending` says mail may be waiting, `noticed()` in which inboxes (a
 * receiver takes from the inboxes that were noticed, not from all of them); `until` sleeps on the
 * event loop until a notice or the deadline (a timer for a millisecond and more, then slices of
 * SLICE_NS between turns).
 */
export class MailWatch {
  pending = true;
  /** At the start every inbox may already hold mail. */
  private everything = true;
  /** Inboxes noticed since they were last handed out (part index × slots + slot), in order, each once. */
  private queue: number[] = [];
  private readonly queued: Uint8Array;
  /** Inboxes whose take after a notice found nothing, looked at once more already. */
  private readonly retried: Uint8Array;
  private wake: (() => void) | null = null;
  private readonly stops: (() => void)[] = [];

  constructor(cur: CellState) {
    const slots = cur.spec.local.length;
    this.queued = new Uint8Array(cur.parts.length * slots);
    this.retried = new Uint8Array(cur.parts.length * slots);
    for (const [pi, p] of cur.parts.entries()) {
      if (!p.client.watch) throw new Error(`--wait watch: the ${cur.spec.driver.name} driver's client cannot watch its inboxes`);
      for (let slot = 0; slot < slots; slot++) {
        const i = pi * slots + slot;
        this.stops.push(p.client.watch(slot, () => this.notice(i)));
      }
    }
  }

  private notice(i: number): void {
    if (this.queued[i] === 0) {
      this.queued[i] = 1;
      this.queue.push(i);
    }
    this.pending = true;
    this.wake?.();
  }

  /**
   * The inboxes noticed since the last call (part index × slots + slot), or null for every inbox
   * (the first call). Notices from here on are for mail not taken yet.
   */
  noticed(): number[] | null {
    this.pending = false;
    const out = this.everything ? null : this.queue;
    this.everything = false;
    this.queue = [];
    this.queued.fill(0);
    return out;
  }

  /**
   * What the take of noticed inbox `i` found. Nothing: the inbox is looked at once more, since a
   * notice can come before its mail can be taken (NATS tells a core subscription at once, and
   * JetStream stores the message a moment later; before, a notice took every inbox, which hid it).
   * Only for async clients: the tmpfs bus's notice comes once the file is in place (and its own
   * unlink notices an empty inbox, which must not cost a second look).
   */
  took(i: number, n: number): void {
    if (n > 0 || this.retried[i] === 1) this.retried[i] = 0;
    else {
      this.retried[i] = 1;
      this.notice(i);
    }
  }

  /** Resolves on a notice, or at `deadlineNs` (hrtime). */
  async until(deadlineNs: number): Promise<void> {
    while (!this.pending) {
      const left = deadlineNs - Number(hr());
      if (left <= 0) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = waitThen(left, resolve);
      });
      clearTimeout(timer); // woken by a notice: no stray timer per wait
      this.wake = null;
    }
  }

  close(): void {
    for (const stop of this.stops.splice(0)) stop();
  }
}

/** The schedules of a cell, shared by the senders and the receivers of a worker. */
export class CellSchedule {
  private readonly cache = new Map<number, Float64Array>();
  /** The cell's start on CLOCK_MONOTONIC, the same on every worker (set from the orchestrator's 'go'). */
  epochNs = 0;
  constructor(
    readonly load: OpenLoad,
    readonly scale: number,
    private readonly pattern: Pattern,
  ) {}

  /** Agent `agent`'s arrival times (ns from the epoch), each a round of the pattern; empty for an agent that only receives. */
  of(agent: number): Float64Array {
    let s = this.cache.get(agent);
    if (s === undefined) {
      s = this.pattern.perRound(agent, this.scale) > 0 ? agentSchedule(this.load, agent, this.scale) : NONE;
      this.cache.set(agent, s);
    }
    return s;
  }

  /** Messages agent `agent` sends. */
  sends(agent: number): number {
    return this.of(agent).length * this.pattern.perRound(agent, this.scale);
  }

  /** The most messages any agent of the cell sends. */
  most(): number {
    let m = 0;
    for (let i = 0; i < this.scale; i++) m = Math.max(m, this.sends(i));
    return m;
  }

  /** When message k of agent `from` was meant to be sent (CLOCK_MONOTONIC ns); NaN for a message not on the schedule (an answer). */
  intendedAt(from: number, k: number): number {
    const m = this.pattern.perRound(from, this.scale);
    const t = m > 0 ? this.of(from)[Math.floor(k / m)] : undefined;
    return t === undefined ? NaN : this.epochNs + t;
  }
}

/**
 * Every scheduled arrival of this worker's agents (a round of the pattern: one message, or one
 * to each recipient for fan-out and broadcast), through every config of the cell, each at its time; between sends the receivers wait as asked (polling every interval). A sync client sleeps
 * in Atomics.wait (sub-millisecond), yielding to the event loop every few ms; an async one sleeps
 * in timers, or in slices of SLICE_NS between event-loop turns when less than 1.5 ms is left.
 */
export async function runOpen(cur: CellState, schedule: CellSchedule): Promise<void> {
  const { spec, parts } = cur;
  const plan = mergeSchedules(spec.local.map((agent) => schedule.of(agent)));
  const wait = parseWait(schedule.load.wait);
  if (wait.kind === 'watch') {
    // The worker opens the watch with the clients (agents/worker.ts), before any mail can arrive.
    if (!cur.watch) throw new Error('--wait watch: the cell was started without watching its inboxes');
    return runWatched(cur, schedule, plan, cur.watch);
  }
  const waitNs = wait.intervalNs;
  const sync = parts.every((p) => p.client.sync);
  const epoch = schedule.epochNs;
  const giveUp = giveUpOf(cur, schedule);
  let nextPoll = epoch;
  let lastYield = Number(hr());
  for (let i = 0; i < plan.atNs.length; ) {
    if (giveUp && parts.every((p) => p.gaveUp)) return leaveUnsent(cur, plan, i);
    const now = Number(hr());
    const due = epoch + plan.atNs[i]!;
    // A send that is due goes first: a poll of every inbox may take longer than the gap between
    // sends. Only a poll held back by more than POLL_STARVE_NS goes before it, so that receivers
    // are not starved while the senders are behind.
    if (now >= due && now < nextPoll + POLL_STARVE_NS) {
      await sendArrival(cur, plan, i++, due, giveUp);
      continue;
    }
    if (now >= nextPoll) {
      await takeAll(cur, sync);
      // The interval runs from the end of a poll: a poll longer than the interval does not leave the senders no time.
      nextPoll = Number(hr()) + waitNs;
      continue;
    }
    const pauseNs = Math.min(due, nextPoll) - now;
    if (sync) {
      Atomics.wait(sleeper, 0, 0, pauseNs / 1e6);
      if (now - lastYield > 5e6) {
        await new Promise((r) => setImmediate(r));
        lastYield = Number(hr());
      }
    } else await pause(pauseNs);
  }
}

/**
 * The open loop with `--wait watch`: sends on their schedule; between them, the receivers sleep on
 * the event loop and take their mail as soon as a notice says it arrived (from the inboxes noticed;
 * every inbox at the first turn).
 */
async function runWatched(cur: CellState, schedule: CellSchedule, plan: ReturnType<typeof mergeSchedules>, mail: MailWatch): Promise<void> {
  const sync = cur.parts.every((p) => p.client.sync);
  const epoch = schedule.epochNs;
  const giveUp = giveUpOf(cur, schedule);
  let lastTake = Number(hr());
  for (let i = 0; i < plan.atNs.length; ) {
    if (giveUp && cur.parts.every((p) => p.gaveUp)) return leaveUnsent(cur, plan, i);
    const due = epoch + plan.atNs[i]!;
    const now = Number(hr());
    // As with polling: a send that is due goes first, unless noticed mail has waited more than
    // POLL_STARVE_NS (takes that keep coming must not hold the schedule back, nor sends the takes).
    if (now >= due && !(mail.pending && now - lastTake > POLL_STARVE_NS)) {
      await sendArrival(cur, plan, i++, due, giveUp);
      continue;
    }
    if (mail.pending) {
      await takeNoticed(cur, mail, sync);
      lastTake = Number(hr());
      continue;
    }
    await mail.until(due);
  }
}

/**
 * Arrival i of the worker's merged schedule, due at `due`: the pattern's messages of that round in
 * every config, each send's lag from its intended time kept; the coordinator's health query every
 * so many arrivals.
 */
async function sendArrival(cur: CellState, plan: ReturnType<typeof mergeSchedules>, i: number, due: number, giveUp: GiveUp | null): Promise<void> {
  const { spec, parts } = cur;
  const slot = plan.slot[i]!;
  const m = cur.pattern.perRound(spec.local[slot]!, spec.scale);
  const first = plan.seq[i]! * m;
  for (const p of parts) {
    if (p.gaveUp) {
      p.unsent += m;
      continue;
    }
    for (let k = first; k < first + m; k++) {
      const lag = Number(hr()) - due;
      p.lag!.push(lag);
      const accepted = p.send.length;
      const r = sendStep(cur, p, slot, k);
      if (r) await r;
      // Only a send the bus took counts: a rejected or failed one is never delivered, so carries no latency.
      if (giveUp && lag > giveUp.lateNs && p.send.length > accepted && ++p.overBudget >= giveUp.after) {
        p.gaveUp = true;
        p.unsent += first + m - 1 - k;
        break;
      }
    }
  }
  const queryEvery = spec.healthQueryEvery * Math.max(1, spec.local.length);
  if (spec.coordinator && (i + 1) % queryEvery === 0) for (const p of parts) if (p.client.healthQuery) await queryHealth(p);
}

/**
 * OpenLoad.giveUpLateNs: after how many sends the bus accepted later than `lateNs` (on this worker,
 * in one config) the config's p99 from intended send times is over it: more than 1 % of all the
 * cell's scheduled sends of a config (every worker's) plus one, each delivered no earlier than it
 * was sent. The p99 of D ≤ S latencies (the histogram's value at rank ⌈0.99·D⌉) lies above the
 * budget once more than 0.01·D of them do. Messages that only the drain after the cell takes carry
 * no latency; the receivers wait for every accepted message before it, so that takes a receiver
 * that stopped waiting (its timeout or quiet period; counted `drained`).
 */
interface GiveUp {
  lateNs: number;
  after: number;
}

function giveUpOf(cur: CellState, schedule: CellSchedule): GiveUp | null {
  const lateNs = cur.spec.open?.giveUpLateNs;
  if (lateNs === undefined) return null;
  let scheduled = 0;
  for (let a = 0; a < cur.spec.scale; a++) scheduled += schedule.sends(a);
  return { lateNs, after: Math.floor(0.01 * scheduled) + 2 };
}

/** Every config gave up: the sends of arrivals i and later, never attempted, counted unsent in each. */
function leaveUnsent(cur: CellState, plan: ReturnType<typeof mergeSchedules>, i: number): void {
  let n = 0;
  for (let j = i; j < plan.atNs.length; j++) n += cur.pattern.perRound(cur.spec.local[plan.slot[j]!]!, cur.spec.scale);
  for (const p of cur.parts) p.unsent += n;
}

/** Every inbox of the worker's agents taken empty, in every config. */
async function takeAll(cur: CellState, sync: boolean): Promise<void> {
  for (const p of cur.parts) for (let slot = 0; slot < cur.spec.local.length; slot++) p.got[slot]! += sync ? takeSync(cur, p, slot) : await takeAsync(cur, p, slot);
}

/** Take the mail of the inboxes noticed (part index × slots + slot), or of all at first. */
async function takeNoticed(cur: CellState, mail: MailWatch, sync: boolean): Promise<void> {
  const inboxes = mail.noticed();
  if (inboxes === null) return takeAll(cur, sync);
  const slots = cur.spec.local.length;
  for (const i of inboxes) {
    const p = cur.parts[Math.floor(i / slots)]!;
    const slot = i % slots;
    const n = sync ? takeSync(cur, p, slot) : await takeAsync(cur, p, slot);
    p.got[slot]! += n;
    if (!sync) mail.took(i, n);
  }
}
