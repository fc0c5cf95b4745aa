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
import type { CellSpec, FaultEvent, FaultHealth } from '../core/protocol.ts';
import type { ConfigClient, DrainResult } from '../drivers/contract.ts';
import type { ConfigName } from '../core/words.ts';
import { faultRound, type FaultSpec } from './spec.ts';

const hr = process.hrtime.bigint;

/** After the workload the coordinator goes on querying health this long at most for a killed agent (a stall: its duration). */
export const PROBE_MS = 8000;
const PROBE_EVERY_MS = 10;

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
  /** Coordinator: agents struck by a fault anywhere in the cell, watched in the health queries. */
  private readonly watched: FaultSpec[];
  /** Config → agent → hrtime since which the health query reports it stale (its current streak). */
  private readonly staleSince = new Map<ConfigName, Map<number, bigint>>();
  private readonly health: { config: ConfigName; query: () => unknown }[] = [];

  private constructor(private readonly spec: CellSpec, mine: FaultSpec[], private readonly report: (e: FaultEvent) => void) {
    this.todo = mine.map((f) => ({ f, round: faultRound(f.atPct, spec.iterations) }));
    this.watched = spec.coordinator ? (spec.faults?.list ?? []).filter((f) => f.kind === 'kill-agent' || f.kind === 'stall-agent') : [];
  }

  /** This worker's share of the cell's faults (the coordinator also watches every struck agent's health); null when it has none. */
  static of(spec: CellSpec, report: (e: FaultEvent) => void): WorkerFaults | null {
    const plan = spec.faults;
    if (!plan) return null;
    // restart-server: the coordinator's worker says when its rounds reach the point; the orchestrator restarts the server.
    const mine = plan.list.filter((f) => (f.kind === 'kill-worker' ? f.target === plan.worker : f.kind === 'restart-server' ? spec.coordinator === true : spec.local.includes(f.target)));
    const watch = spec.coordinator && plan.list.some((f) => f.kind === 'kill-agent' || f.kind === 'stall-agent');
    return mine.length > 0 || watch ? new WorkerFaults(spec, mine, report) : null;
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
    if (f.kind === 'restart-server') {
      // The agents go on: what they meet while the server is away is what is measured.
      this.report({ ...base, pids: [], signal: null, ...(f.durationMs !== undefined ? { durationMs: f.durationMs } : {}) });
      return;
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

  /** After a health query: which watched agents it reports stale, and since when (a streak ends when it reports one healthy). */
  private note(config: ConfigName, c: ConfigClient): void {
    const stale = c.staleAgents!();
    if (stale === null) return;
    const now = hr();
    let m = this.staleSince.get(config);
    if (!m) this.staleSince.set(config, (m = new Map()));
    for (const f of this.watched) {
      if (!stale.includes(f.target)) m.delete(f.target);
      else if (!m.has(f.target)) m.set(f.target, now);
    }
  }

  /**
   * Coordinator, after the workload: go on querying health until every struck agent is reported
   * stale in every config with a health query, or the watch is over (PROBE_MS for a kill, the
   * stall's duration for a stall). The probes' durations are not samples.
   */
  async probe(): Promise<FaultHealth[] | undefined> {
    if (this.watched.length === 0 || this.health.length === 0) return undefined;
    const t0 = hr();
    const limit = (f: FaultSpec) => (f.kind === 'stall-agent' ? f.durationMs! : PROBE_MS);
    for (;;) {
      const ms = Number(hr() - t0) / 1e6;
      const open = this.watched.some((f) => ms < limit(f) && this.health.some((h) => !this.staleSince.get(h.config)?.has(f.target)));
      if (!open) break;
      for (const h of this.health) await h.query();
      await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
    }
    const out: FaultHealth[] = [];
    for (const h of this.health) {
      for (const f of this.watched) {
        const since = this.staleSince.get(h.config)?.get(f.target);
        out.push({ config: h.config, agent: f.target, staleSinceNs: since === undefined ? null : Number(since) });
      }
    }
    return out;
  }

  /** One config's clients, with the faulted agents taken out of play. */
  wrap(c: ConfigClient, config: ConfigName): ConfigClient {
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
    if (c.healthQuery) {
      // The shell driver queries from agent 0's shell: with that agent down there is no query.
      const cannot = () => c.agentPid !== undefined && this.down(0);
      if (this.watched.length > 0 && c.staleAgents) {
        const query = () => {
          if (cannot()) return null;
          const r = c.healthQuery!();
          if (r instanceof Promise) return r.then((x) => (this.note(config, c), x));
          this.note(config, c);
          return r;
        };
        w.healthQuery = query;
        this.health.push({ config, query });
      } else w.healthQuery = () => (cannot() ? null : c.healthQuery!());
    }
    if (c.requestShutdown) w.requestShutdown = () => c.requestShutdown!();
    if (c.calls) w.calls = () => c.calls!();
    if (c.watch) w.watch = (slot, onMail) => c.watch!(slot, onMail);
    return w;
  }

  /** Stopped processes go on (so they can be stopped for good), timers end. Always safe. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const slot of [...this.stopped.keys()]) this.resume(slot);
  }
}
