import { appendFileSync } from 'node:fs';
import pidusage from 'pidusage';
import { dirUsage } from './dirsize.ts';

/** A directory whose bytes and files are the bus's tmpfs use, and names in it that are not (a driver's logs). */
export interface Usage {
  dir: string;
  ignore: readonly string[];
}

/** CPU times come in 10 ms clock ticks: a CPU % over a shorter span than this is noise. */
export const MIN_CPU_SPAN_MS = 50;

/**
 * The share of one core the directory walks may take, at most. A walk reads every directory and
 * stats every file below the bus's directory: a JetStream store at 100 agents (about 2,700 files)
 * took 60-70 ms per walk, so walking at every 100 ms sample kept the harness's process busy on
 * most of a core, taken from the workers and the server it measures. After a walk of W ms the next
 * waits at least W · (1 / share − 1); a small tree is still walked at every sample.
 */
export const WALK_SHARE = 0.05;

export interface ResourceSample {
  t_ms: number;
  /** Over the span since the previous sample; null when that span is under MIN_CPU_SPAN_MS. */
  cpu_pct: number | null;
  rss_mb: number;
  /**
   * Bytes and files below the bus's directory; null when the bus has none on this machine (a
   * broker's own storage), or when this sample did not walk it (WALK_SHARE; the last sample of a cell always does).
   */
  tmpfs_bytes: number | null;
  tmpfs_files: number | null;
}

export interface ResourceSummary {
  samples_n: number;
  /**
   * CPU time of the harness, its workers and the processes of a server busbench started for the
   * bus (not a server given by URL), and wall time, over the sampled span of the cell.
   */
  cpu_time_ms: number;
  wall_ms: number;
  /** cpu_time_ms / wall_ms; null when the cell was too short for CPU ticks to mean anything. */
  cpu_avg_pct: number | null;
  cpu_max_pct: number | null;
  rss_avg_mb: number;
  rss_max_mb: number;
  /** Samples that walked the bus's directory (the tmpfs figures are over these); 0 when it has none. */
  tmpfs_samples_n: number;
  /**
   * The processes the last sample summed (alive then): the harness, the workers, their agent
   * shells (not in soak cells), a server busbench started (after a restart, the new one). Absent
   * in older records.
   */
  processes_n?: number;
  /** null when the bus keeps nothing in a directory busbench can measure. */
  tmpfs_avg_bytes: number | null;
  tmpfs_max_bytes: number | null;
  tmpfs_avg_files: number | null;
  tmpfs_max_files: number | null;
}

/**
 * Samples CPU % and RSS of the harness, its workers and the bus's own processes (pidusage, summed
 * over the processes) and the bytes and files below the bus's directory (a driver with one), every
 * `intervalMs` while a cell runs, plus once at the end so even a short cell has a sample. Each sample can also go to the perf log as a JSON line.
 */
export class ResourceMonitor {
  private samples: ResourceSample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private t0 = 0;
  private context: Record<string, unknown> = {};
  private readonly prev = new Map<string, number>();
  private prevT = 0;
  private cpuMs = 0;
  private wallMs = 0;
  /** performance.now() before which the directory is not walked again (WALK_SHARE). */
  private walkAt = 0;
  /** Processes alive at the last kept sample. */
  private processes = 0;

  constructor(private readonly intervalMs: number, private readonly perfLog: string | null) {}

  /**
   * Every sample reads the `pids` array it is given here as it is then: a caller may push a process
   * that starts later (agent shells, a server started again) or remove one. A pid that has ended
   * counts for nothing.
   */
  start(pids: number[], dir: Usage | null, context: Record<string, unknown>): void {
    this.samples = [];
    this.context = context;
    this.t0 = performance.now();
    // The starting CPU times, so the first sample's CPU % covers this cell only.
    this.prev.clear();
    this.cpuMs = 0;
    this.wallMs = 0;
    this.walkAt = 0;
    this.processes = 0;
    this.inFlight = this.sample(pids, dir, false);
    this.timer = setInterval(() => {
      this.inFlight = this.inFlight.then(() => this.sample(pids, dir));
    }, this.intervalMs);
  }

  /** Stop sampling and summarise; a second call returns the same summary without sampling again. */
  async stop(pids: number[], dir: Usage | null): Promise<ResourceSummary> {
    if (this.timer === null) return this.summary();
    clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
    await this.sample(pids, dir, true, true);
    return this.summary();
  }

  private summary(): ResourceSummary {
    const cpuAvg = this.wallMs >= MIN_CPU_SPAN_MS ? round((100 * this.cpuMs) / this.wallMs, 1) : null;
    return { ...summarise(this.samples), cpu_avg_pct: cpuAvg, cpu_time_ms: Math.round(this.cpuMs), wall_ms: Math.round(this.wallMs), processes_n: this.processes };
  }

  /**
   * CPU % is computed here from pidusage's cumulative CPU time (ctime) over our own wall clock
   * between two samples: pidusage's own `cpu` divides by /proc/uptime, whose 10 ms steps swamp
   * intervals this short.
   */
  private async sample(pids: number[], dir: Usage | null, keep = true, last = false): Promise<void> {
    let cpuMs = 0;
    let rss = 0;
    let alive: number | null = null;
    const now = performance.now();
    try {
      const stats = await pidusage(pids);
      alive = 0;
      for (const [pid, s] of Object.entries(stats)) {
        if (!s) continue;
        alive++;
        const before = this.prev.get(pid);
        if (before !== undefined) cpuMs += s.ctime - before;
        this.prev.set(pid, s.ctime);
        rss += s.memory;
      }
    } catch {
      // a worker went away between samples (restart): skip its figures for this sample
    }
    const wallMs = now - this.prevT;
    this.prevT = now;
    if (!keep) return;
    if (alive !== null) this.processes = alive;
    this.cpuMs += cpuMs;
    this.wallMs += wallMs;
    const cpu = wallMs >= MIN_CPU_SPAN_MS ? round((100 * cpuMs) / wallMs, 1) : null;
    const du = dir && (last || performance.now() >= this.walkAt) ? this.walk(dir) : null;
    const s: ResourceSample = { t_ms: Math.round(performance.now() - this.t0), cpu_pct: cpu, rss_mb: round(rss / 1048576, 2), tmpfs_bytes: du?.bytes ?? null, tmpfs_files: du?.files ?? null };
    this.samples.push(s);
    if (this.perfLog) appendFileSync(this.perfLog, JSON.stringify({ timestamp: new Date().toISOString(), ...this.context, ...s }) + '\n');
  }

  private walk(dir: Usage): { bytes: number; files: number } {
    const t = performance.now();
    const du = dirUsage(dir.dir, dir.ignore);
    const end = performance.now();
    this.walkAt = end + (end - t) * (1 / WALK_SHARE - 1);
    return du;
  }
}

function round(x: number, d: number): number {
  return Number(x.toFixed(d));
}

export function summarise(s: ResourceSample[]): Omit<ResourceSummary, 'cpu_time_ms' | 'wall_ms' | 'cpu_avg_pct' | 'processes_n'> {
  const avg = (f: (x: ResourceSample) => number) => (s.length ? s.reduce((a, x) => a + f(x), 0) / s.length : 0);
  const max = (f: (x: ResourceSample) => number) => s.reduce((a, x) => Math.max(a, f(x)), 0);
  const cpus = s.map((x) => x.cpu_pct).filter((x): x is number => x !== null);
  const fs = s.filter((x): x is ResourceSample & { tmpfs_bytes: number; tmpfs_files: number } => x.tmpfs_bytes !== null && x.tmpfs_files !== null);
  const fsAvg = (f: (x: (typeof fs)[number]) => number) => (fs.length > 0 ? fs.reduce((a, x) => a + f(x), 0) / fs.length : null);
  const fsMax = (f: (x: (typeof fs)[number]) => number) => (fs.length > 0 ? Math.max(...fs.map(f)) : null);
  const avgBytes = fsAvg((x) => x.tmpfs_bytes);
  const avgFiles = fsAvg((x) => x.tmpfs_files);
  return {
    samples_n: s.length,
    tmpfs_samples_n: fs.length,
    cpu_max_pct: cpus.length > 0 ? Math.max(...cpus) : null,
    rss_avg_mb: round(avg((x) => x.rss_mb), 2),
    rss_max_mb: round(max((x) => x.rss_mb), 2),
    tmpfs_avg_bytes: avgBytes === null ? null : Math.round(avgBytes),
    tmpfs_max_bytes: fsMax((x) => x.tmpfs_bytes),
    tmpfs_avg_files: avgFiles === null ? null : round(avgFiles, 1),
    tmpfs_max_files: fsMax((x) => x.tmpfs_files),
  };
}
