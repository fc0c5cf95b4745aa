import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Bus, Message } from '../types.ts';
import type { Layout } from '../layout.ts';
import { Layer } from './wrapper.ts';

export interface HealthRecord {
  agent: string;
  pid: number;
  status: 'ok';
  last_seen_ns: string;
  sent: number;
  received: number;
}

export interface HealthReport {
  agents: number;
  healthy: number;
  stale: string[];
  unreadable: string[];
}

/** Fixed record width: rewriting in place never leaves a longer old tail behind. */
const WIDTH = 256;

/**
 * health: keeps a heartbeat file per agent current. Every send or receive by an agent rewrites its
 * file in place (one pwrite of a fixed-width JSON record at offset 0, on a descriptor kept open),
 * at most once per `intervalMs` (0: on every operation). `query()` is the coordinator's view: it
 * reads every agent's file and reports the stale and the unreadable ones.
 */
export class HealthLayer extends Layer {
  readonly name = 'health';
  private readonly fds = new Map<string, number>();
  private readonly state = new Map<string, { sent: number; received: number; lastNs: bigint }>();
  private readonly intervalNs: bigint;
  private writes = 0;
  private queries = 0;
  constructor(inner: Bus, private readonly paths: Layout, intervalMs = 0, private readonly staleMs = 5000) {
    super(inner);
    this.intervalNs = BigInt(Math.round(intervalMs * 1e6));
    mkdirSync(paths.healthDir, { recursive: true });
  }
  override register(agent: string): void {
    super.register(agent);
    this.beat(agent, true);
  }
  override send(from: string, to: string, payload: unknown): Message {
    const msg = this.inner.send(from, to, payload);
    this.stateOf(from).sent++;
    this.beat(from, false);
    return msg;
  }
  override receive(agent: string): Message | null {
    const msg = this.inner.receive(agent);
    if (msg !== null) this.stateOf(agent).received++;
    this.beat(agent, false);
    return msg;
  }
  override close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    super.close();
  }
  counters(): Record<string, number> {
    return { writes: this.writes, queries: this.queries };
  }

  /** The coordinator's health check of every agent on the bus. */
  query(nowNs = process.hrtime.bigint()): HealthReport {
    this.queries++;
    const staleNs = BigInt(this.staleMs) * 1_000_000n;
    const report: HealthReport = { agents: 0, healthy: 0, stale: [], unreadable: [] };
    for (const name of readdirSync(this.paths.healthDir)) {
      if (!name.endsWith('.json')) continue;
      report.agents++;
      const agent = name.slice(0, -5);
      let rec: HealthRecord;
      try {
        rec = JSON.parse(readFileSync(join(this.paths.healthDir, name), 'utf8')) as HealthRecord;
      } catch {
        report.unreadable.push(agent);
        continue;
      }
      if (nowNs - BigInt(rec.last_seen_ns) > staleNs) report.stale.push(agent);
      else report.healthy++;
    }
    return report;
  }

  private stateOf(agent: string) {
    let s = this.state.get(agent);
    if (s === undefined) {
      s = { sent: 0, received: 0, lastNs: -1n };
      this.state.set(agent, s);
    }
    return s;
  }

  private beat(agent: string, force: boolean): void {
    const s = this.stateOf(agent);
    const now = process.hrtime.bigint();
    if (!force && this.intervalNs > 0n && now - s.lastNs < this.intervalNs) return;
    s.lastNs = now;
    let fd = this.fds.get(agent);
    if (fd === undefined) {
      fd = openSync(this.paths.healthFile(agent), 'w');
      this.fds.set(agent, fd);
    }
    const rec: HealthRecord = { agent, pid: process.pid, status: 'ok', last_seen_ns: now.toString(), sent: s.sent, received: s.received };
    writeSync(fd, JSON.stringify(rec).padEnd(WIDTH, ' '), 0);
    this.writes++;
  }
}
