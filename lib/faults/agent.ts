/**
 * Worker side of --fault: the faults that strike this worker's agents (or the worker itself),
 * fired from the round loop when their point of the workload is reached.
 *
 * An agent that is a process of its own (ConfigClient.agentPid: the shell driver's agent shells)
 * gets the real signal: SIGKILL, or SIGSTOP then SIGCONT, sent to its process group. Agents that
 * share this worker (tmpfs, NATS, Redis) have no process to signal: the worker stops calling the
 * bus for them (no send, no receive, so no heartbeat either), for good or for the stall. Either
 * way the harness stops driving that agent, so what the others see is what a dead or stopped
 * agent leaves behind on the bus. A kill-worker is done by the orchestrator on this worker's word.
 */
import type { CellSpec, FaultEvent } from '../agents/protocol.ts';
import type { ConfigClient, DrainResult } from '../drivers/contract.ts';
import { faultRound, type FaultSpec } from './spec.ts';

const hr = process.hrtime.bigint;

/** Thrown by a faulted agent's send: the message was never sent (neither rejected nor failed). */
export class AgentDown extends Error {
  constructor(slot: number) {
    super(`the agent in slot ${slot} is down (--fault)`);
    this.name = 'AgentDown';
  }
}

function signal(pgid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false; // already gone
  }
}

export class WorkerFaults {
  private readonly dead = new Set<number>();
  /** Slot → hrtime at which its stall ends. */
  private readonly stalled = new Map<number, bigint>();
  /** Slot → process groups stopped by a stall, to continue when it ends (or at close). */
  private readonly stopped = new Map<number, number[]>();
  private readonly clients: ConfigClient[] = [];
  private readonly todo: { f: FaultSpec; round: number }[];
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(private readonly spec: CellSpec, mine: FaultSpec[], private readonly report: (e: FaultEvent) => void) {
    this.todo = mine.map((f) => ({ f, round: faultRound(f.atPct, spec.iterations) }));
  }

  /** This worker's share of the cell's faults; null when none strikes here. */
  static of(spec: CellSpec, report: (e: FaultEvent) => void): WorkerFaults | null {
    const plan = spec.faults;
    if (!plan) return null;
    const mine = plan.list.filter((f) => (f.kind === 'kill-worker' ? f.target === plan.worker : spec.local.includes(f.target)));
    return mine.length > 0 ? new WorkerFaults(spec, mine, report) : null;
  }

  /** Round k of the workload is about to start (k = iterations: every round is done). */
  round(k: number): void | Promise<void> {
    let wait: Promise<void> | undefined;
    for (const t of this.todo.splice(0)) {
      if (k < t.round) {
        this.todo.push(t);
        continue;
      }
      const w = this.fire(t.f, k);
      if (w) wait = w;
    }
    return wait;
  }

  private fire(f: FaultSpec, k: number): void | Promise<void> {
    const base = { type: 'fault' as const, id: this.spec.id, kind: f.kind, text: f.text, target: f.target, atPct: f.atPct, round: k, atNs: Number(hr()) };
    if (f.kind === 'kill-worker') {
      this.report({ ...base, pids: [process.pid], signal: 'SIGKILL' });
      // The orchestrator SIGKILLs this process now; send nothing more meanwhile. The fallback
      // timer only matters if it does not (the cell then fails on its timeout).
      return new Promise((resolve) => setTimeout(resolve, 30_000).unref());
    }
    const slot = this.spec.local.indexOf(f.target);
    const pids = this.pidsOf(slot);
    if (f.kind === 'kill-agent') {
      this.dead.add(slot);
      const hit = pids.filter((p) => signal(p, 'SIGKILL'));
      this.report({ ...base, pids: hit, signal: hit.length > 0 ? 'SIGKILL' : null });
      return;
    }
    const ms = f.durationMs!;
    this.stalled.set(slot, hr() + BigInt(Math.round(ms * 1e6)));
    const hit = pids.filter((p) => signal(p, 'SIGSTOP'));
    this.stopped.set(slot, hit);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.resume(slot);
    }, ms);
    this.timers.add(timer);
    this.report({ ...base, pids: hit, signal: hit.length > 0 ? 'SIGSTOP' : null, durationMs: ms });
  }

  private pidsOf(slot: number): number[] {
    const out: number[] = [];
    for (const c of this.clients) {
      const pid = c.agentPid?.(slot);
      if (typeof pid === 'number') out.push(pid);
    }
    return out;
  }

  private resume(slot: number): void {
    for (const p of this.stopped.get(slot) ?? []) signal(p, 'SIGCONT');
    this.stopped.delete(slot);
    this.stalled.delete(slot);
  }

  /** The agent in `slot` does nothing now: dead, or stalled (a stall that is over ends here). */
  private down(slot: number): boolean {
    if (this.dead.has(slot)) return true;
    const until = this.stalled.get(slot);
    if (until === undefined) return false;
    if (hr() < until) return true;
    this.resume(slot);
    return false;
  }

  /** One config's clients, with the faulted agents taken out of play. */
  wrap(c: ConfigClient): ConfigClient {
    this.clients.push(c);
    const w: ConfigClient = {
      sync: c.sync,
      concurrent: c.concurrent,
      send: (slot, to, body) => {
        if (this.down(slot)) throw new AgentDown(slot);
        return c.send(slot, to, body);
      },
      receive: (slot) => (this.down(slot) ? null : c.receive(slot)),
      drain: async (slot, coordinated): Promise<DrainResult> => {
        // A dead agent drains nothing (its mail stays on the bus); a stalled one drains once it goes on.
        if (this.dead.has(slot)) return { got: [], stopped: null };
        const until = this.stalled.get(slot);
        if (until !== undefined) await new Promise((r) => setTimeout(r, Math.max(0, Number(until - hr()) / 1e6)));
        this.down(slot);
        return c.drain(slot, coordinated);
      },
      close: async () => {
        this.close();
        await c.close();
      },
    };
    if (c.healthQuery) w.healthQuery = () => c.healthQuery!();
    if (c.requestShutdown) w.requestShutdown = () => c.requestShutdown!();
    if (c.calls) w.calls = () => c.calls!();
    return w;
  }

  /** Stopped processes go on (so they can be stopped for good), timers end. Always safe. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const slot of [...this.stopped.keys()]) this.resume(slot);
  }
}
