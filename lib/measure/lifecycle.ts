/**
 * Lifecycle of a cell's processes: how long each agent took from its spawn (an agent shell's
 * process, a network client's connection) to its first successful operation (the library's init
 * in the shell, the connection's handshake), and the resident memory of each kind of process when
 * the agents are ready and idle, while they work, and at the peak.
 *
 * RSS is read from /proc/PID/status (VmRSS), one read per process; agent shells are found as the
 * descendants of the workers (the shells and whatever the library runs under them at that moment).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { OpenedStartup } from '../core/protocol.ts';
export type { OpenedStartup } from '../core/protocol.ts';

/** Run `start` and time it. */
export async function timedStart<T>(start: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await start();
  return { value, ms: performance.now() - t0 };
}

/** Each agent's spawn-to-ready, as a client reports it (ConfigClient.startupMs). */
export interface Startup {
  /** What an agent is with this driver: `agent shell`, `network client`. */
  what: string;
  ms: number[];
}

export const PROCESS_KINDS = ['harness', 'workers', 'agent_shells', 'server'] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];

function rssKb(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null; // gone
  }
}

/** Every process below `roots` (children, grandchildren…), from one pass over /proc. */
export function descendants(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(d));
      children.set(ppid, list);
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const todo = [...roots];
  while (todo.length > 0) {
    for (const c of children.get(todo.pop()!) ?? []) {
      out.push(c);
      todo.push(c);
    }
  }
  return out;
}

export interface KindPids {
  harness: number;
  workers: readonly number[];
  server: readonly number[];
}

/** MB of resident memory per kind of process, now; null for a kind with no process. `shells`: the agent shells when already known. */
export function rssByKind(p: KindPids, shells: readonly number[] = descendants(p.workers)): Record<ProcessKind, number | null> {
  const sum = (pids: readonly number[]) => {
    let kb = 0;
    let n = 0;
    for (const pid of pids) {
      const r = rssKb(pid);
      if (r !== null) {
        kb += r;
        n++;
      }
    }
    return n > 0 ? Number((kb / 1024).toFixed(2)) : null;
  };
  return { harness: sum([p.harness]), workers: sum(p.workers), agent_shells: sum(shells), server: sum(p.server) };
}

export interface KindMemory {
  /** Agents ready, no traffic yet. */
  idle_mb: number | null;
  /** Mean over the samples taken while the agents worked. */
  load_avg_mb: number | null;
  /** The largest of every sample, idle included. */
  peak_mb: number | null;
}

/** Samples RSS per kind: once when the agents are ready (idle), then every interval while they work. */
export class MemoryByKind {
  private idleAt: Record<ProcessKind, number | null> | null = null;
  private readonly load: Record<ProcessKind, number | null>[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The agent shells, found once when the agents are ready (one pass over /proc, not one per sample). */
  private shells: number[] = [];

  constructor(private readonly pids: () => KindPids) {}

  /** Every agent ready, none sending: the idle figures. Returns the agent shells found. */
  idle(): number[] {
    const p = this.pids();
    this.shells = descendants(p.workers);
    this.idleAt = rssByKind(p, this.shells);
    return this.shells;
  }

  startLoad(intervalMs: number): void {
    const sample = () => this.load.push(rssByKind(this.pids(), this.shells));
    sample();
    this.timer = setInterval(sample, intervalMs);
  }

  stop(): Record<ProcessKind, KindMemory> | null {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.idleAt === null) return null;
    const out = {} as Record<ProcessKind, KindMemory>;
    for (const k of PROCESS_KINDS) {
      const loads = this.load.map((s) => s[k]).filter((x): x is number => x !== null);
      const all = [this.idleAt[k], ...loads].filter((x): x is number => x !== null);
      out[k] = {
        idle_mb: this.idleAt[k],
        load_avg_mb: loads.length > 0 ? Number((loads.reduce((a, x) => a + x, 0) / loads.length).toFixed(2)) : null,
        peak_mb: all.length > 0 ? Math.max(...all) : null,
      };
    }
    return out;
  }
}


export interface Spread {
  n: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
}

/** Nearest-rank percentile of ascending values (q in 0-100); null for none. */
export function nearestRank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((q / 100) * sorted.length) - 1)]!;
}

/** Nearest-rank p50/p95 and the max; null for no values. */
export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => Number(nearestRank(s, q)!.toFixed(3));
  return { n: s.length, p50_ms: at(50), p95_ms: at(95), max_ms: Number(s[s.length - 1]!.toFixed(3)) };
}

export interface CellLifecycle {
  /** Every agent of the cell (all configs) from spawn to first successful operation; null when the driver does not report it. */
  agents_ready: (Spread & { what: string }) | null;
  /** Per worker and config: the whole open (every local agent ready, the layers set up). */
  open: Spread | null;
  /** Worker processes started since the previous cell (fork to their first message). */
  worker_start: Spread | null;
  rss_mb: Record<ProcessKind, KindMemory> | null;
}

export function cellLifecycle(startups: readonly OpenedStartup[], workerStarts: readonly number[], rss: Record<ProcessKind, KindMemory> | null): CellLifecycle {
  const what = startups.find((s) => s.what !== null)?.what ?? null;
  const agents = spread(startups.flatMap((s) => s.agentMs));
  return {
    agents_ready: agents && what ? { what, ...agents } : null,
    open: spread(startups.map((s) => s.openMs)),
    worker_start: spread(workerStarts),
    rss_mb: rss,
  };
}
