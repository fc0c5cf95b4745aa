/**
 * Orchestrator side of --fault, for one cell: hands each worker the cell's faults, hears each
 * injection (a `fault` record), SIGKILLs a worker that asks for it, and tells the cell what to
 * expect of a faulted run (agents that will not stop through the shutdown layer).
 */
import type { FaultEvent, FaultHealth } from '../core/protocol.ts';
import type { FaultSpec } from './spec.ts';
import type { FaultReport } from '../records/schema.ts';
import type { ServerRestart } from '../drivers/contract.ts';
export type { FaultReport } from '../records/schema.ts';


/** The cell failed because --fault killed one of its workers: expected, not a harness failure. */
export class WorkerKilledByFault extends Error {
  constructor(readonly report: FaultReport, cause: string) {
    super(`${report.fault}: worker ${report.target.replace('worker ', '')} (pid ${report.pids.join(',')}) SIGKILLed at ${report.at_pct} % of the cell: its agents' counts died with it (${cause})`);
    this.name = 'WorkerKilledByFault';
  }
}

export class CellFaults {
  /** hrtime when the agents were told to go. */
  private goNs = 0;
  readonly reports: FaultReport[] = [];
  killedWorker: FaultReport | null = null;
  /** When each agent fault struck (hrtime ns), by agent. */
  private readonly struck = new Map<number, { ns: number; report: FaultReport; durationMs?: number }>();
  /** restart-server: the restart under way (settled() waits for it). */
  private restarting: Promise<void> | null = null;

  constructor(
    private readonly list: readonly FaultSpec[],
    private readonly pids: () => number[],
    private readonly onFault: (r: FaultReport) => void,
    /** restart-server: restart every server of the cell's driver runs. */
    private readonly restart: (downMs: number) => Promise<ServerRestart[]>,
  ) {}

  /** The CellSpec field for worker w. */
  specFor(worker: number): { faults?: { worker: number; list: FaultSpec[] } } {
    return this.list.length > 0 ? { faults: { worker, list: [...this.list] } } : {};
  }

  started(): void {
    this.goNs = Number(process.hrtime.bigint());
  }

  /** A server restart under way is over (its failure fails the cell: the server did not come back). */
  async settled(): Promise<void> {
    await this.restarting;
  }

  /** Agents killed for good: they never stop through the shutdown layer's drain. */
  get deadAgents(): number {
    return this.reports.filter((r) => r.kind === 'kill-agent').length;
  }

  event(worker: number, e: FaultEvent): void {
    const base = { fault: e.text, kind: e.kind, at_pct: e.atPct, at_round: e.round, at_ms: Number(((e.atNs - this.goNs) / 1e6).toFixed(3)) };
    let r: FaultReport;
    if (e.kind === 'restart-server') {
      const down = e.durationMs ?? 0;
      r = { ...base, target: 'server', pids: [], signal: 'SIGTERM', method: 'orchestrator restarted the server', duration_ms: down };
      const report = r;
      this.restarting = this.restart(down).then((done) => {
        report.pids = done.flatMap((d) => d.pids);
        report.server_outage_ms = Number(Math.max(0, ...done.map((d) => d.outageMs)).toFixed(3));
      });
      // Until settled() is awaited, a failed restart must not be an unhandled rejection.
      this.restarting.catch(() => undefined);
    } else if (e.kind === 'kill-worker') {
      const pid = this.pids()[worker];
      // Only the pid the pool knows for that worker is ever signalled.
      const ok = pid !== undefined && e.pids.includes(pid) && kill(pid);
      r = { ...base, target: `worker ${worker}`, pids: ok ? [pid] : [], signal: ok ? 'SIGKILL' : null, method: 'orchestrator SIGKILLed the worker' };
      if (ok) this.killedWorker = r;
    } else {
      r = { ...base, target: `agent ${e.target}`, pids: e.pids, signal: e.signal, method: e.pids.length > 0 ? 'signal' : 'worker stops the agent', ...(e.durationMs !== undefined ? { duration_ms: e.durationMs } : {}) };
    }
    this.reports.push(r);
    if (e.kind === 'kill-agent' || e.kind === 'stall-agent') this.struck.set(e.target, { ns: e.atNs, report: r, ...(e.durationMs !== undefined ? { durationMs: e.durationMs } : {}) });
  }

  /** What the coordinator's health queries saw: detection times onto each agent fault's report. */
  health(seen: readonly FaultHealth[] | undefined): void {
    for (const h of seen ?? []) {
      const s = this.struck.get(h.agent);
      if (!s) continue;
      let ms: number | null = h.staleSinceNs === null ? null : Math.max(0, (h.staleSinceNs - s.ns) / 1e6);
      // A stall is detected only while it lasts: after it, the agent is back.
      if (ms !== null && s.durationMs !== undefined && ms > s.durationMs) ms = null;
      (s.report.health_detect_ms ??= {})[h.config] = ms === null ? null : Number(ms.toFixed(3));
    }
  }

  /** The coordinated shutdown's drain of one config, in a cell with faults. */
  drained(config: string, ms: number): void {
    for (const r of this.reports) if (r.kind === 'kill-agent' || r.kind === 'stall-agent') (r.shutdown_drain_ms ??= {})[config] = Number(ms.toFixed(3));
  }

  /** Every report to the run's records, once the cell is over (whatever became of it). */
  flush(): void {
    for (const r of this.reports.splice(0)) this.onFault(r);
  }
}

function kill(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
