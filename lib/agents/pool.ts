import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker, WorkerEvent } from '../core/protocol.ts';
import { compile } from '../core/compile.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** How workers are started: compiled for plain Node (core/compile.js), once per process; else under tsx. */
interface WorkerEntry {
  file: string;
  execArgv: string[];
  code: 'compiled' | 'tsx';
}
let entry: Promise<WorkerEntry> | undefined;
export function workerEntry(): Promise<WorkerEntry> {
  entry ??= compile([WORKER]).then((out) => (out ? { file: out[0]!, execArgv: [], code: 'compiled' as const } : { file: WORKER, execArgv: ['--import', TSX], code: 'tsx' as const }));
  return entry;
}

interface Waiter {
  accept: (m: FromWorker) => boolean;
  resolve: (m: FromWorker) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class WorkerDied extends Error {}

/**
 * Long-lived worker processes, started once per benchmark and reused by every cell. Requests are
 * answered in order; a worker that dies or goes silent past the timeout fails its request, and
 * `restart` replaces it so the rest of the matrix goes on.
 */
export class WorkerPool {
  private procs: ChildProcess[] = [];
  private waiters: Waiter[][] = [];
  /** Set by close() and killAll(): no worker is started any more. */
  private stopped = false;
  private closed: Promise<void> | null = null;
  private readonly listeners = new Set<(worker: number, m: WorkerEvent) => void>();
  /** ms from fork to the first message of each worker started since takeStartups() was last called. */
  private startups: number[] = [];

  static async start(n: number): Promise<WorkerPool> {
    const pool = new WorkerPool();
    await Promise.all(Array.from({ length: n }, (_, i) => pool.spawn(i)));
    return pool;
  }

  /** Worker start times (fork to ready, ms) since the last call. */
  takeStartups(): number[] {
    return this.startups.splice(0);
  }

  get size(): number {
    return this.procs.length;
  }

  pids(): number[] {
    return this.procs.map((p) => p.pid).filter((p): p is number => p !== undefined);
  }

  private async spawn(i: number): Promise<void> {
    const code = await workerEntry();
    // A restart that was under way when the pool was stopped (a signal between two runs) starts
    // nothing: a worker forked after close() or killAll() would keep busbench from exiting.
    if (this.stopped) throw new WorkerDied(`worker ${i} not started: the pool is stopped`);
    const child = fork(code.file, [], {
      execArgv: code.execArgv,
      serialization: 'advanced',
      // stdout may carry the JSONL: a worker's stray output goes to stderr instead.
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    this.procs[i] = child;
    this.waiters[i] = [];
    child.on('message', (m: FromWorker) => {
      if (m.type === 'sent' || m.type === 'opened' || m.type === 'fault') {
        for (const l of this.listeners) l(i, m);
        return;
      }
      const q = this.waiters[i]!;
      const at = q.findIndex((w) => w.accept(m));
      if (at < 0) return;
      const [w] = q.splice(at, 1);
      clearTimeout(w!.timer);
      if (m.type === 'error') w!.reject(new Error(m.message));
      else w!.resolve(m);
    });
    child.on('exit', (code, signal) => {
      if (this.procs[i] === child) this.fail(i, new WorkerDied(`worker ${i} (pid ${child.pid}) exited (${signal ?? `code ${code}`})`));
    });
    // An IPC error (e.g. the worker was killed by a signal just as a request went out) fails what
    // waits on that worker instead of crashing the orchestrator with an unhandled 'error' event.
    child.on('error', (e) => {
      if (this.procs[i] === child) this.fail(i, new WorkerDied(`worker ${i} (pid ${child.pid}): ${e.message}`));
    });
    const t0 = performance.now();
    return this.wait(i, (m) => m.type === 'ready', 60_000, 'start').then(() => void this.startups.push(performance.now() - t0));
  }

  /** Reject everything waiting on worker i. */
  private fail(i: number, e: Error): void {
    for (const w of this.waiters[i]!.splice(0)) {
      clearTimeout(w.timer);
      w.reject(e);
    }
  }

  private wait(i: number, accept: (m: FromWorker) => boolean, timeoutMs: number, what: string): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const q = this.waiters[i]!;
        const at = q.indexOf(waiter);
        if (at >= 0) q.splice(at, 1);
        reject(new Error(`worker ${i} did not answer '${what}' within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      const waiter: Waiter = { accept, resolve, reject, timer };
      this.waiters[i]!.push(waiter);
    });
  }

  /** Send a request to worker i and wait for the reply that `accept` recognises. */
  request<T extends FromWorker>(i: number, msg: ToWorker, accept: (m: FromWorker) => m is T, timeoutMs: number): Promise<T> {
    const child = this.procs[i];
    if (!child || child.exitCode !== null || !child.connected) return Promise.reject(new WorkerDied(`worker ${i} is not running`));
    // One request at a time per worker, so an error reply belongs to the request in flight.
    const reply = this.wait(i, (m) => accept(m) || m.type === 'error', timeoutMs, msg.type);
    child.send(msg, (e) => {
      if (e) this.fail(i, new WorkerDied(`worker ${i} (pid ${child.pid}): cannot send '${msg.type}': ${e.message}`));
    });
    return reply as Promise<T>;
  }

  /** A message that wants no answer (an error comes back as the reply to the request in flight). */
  post(i: number, msg: ToWorker): void {
    const child = this.procs[i];
    if (child && child.exitCode === null && child.connected) child.send(msg, () => undefined);
  }

  /** Listen to what workers say unasked while a cell runs; returns the function that stops listening. */
  onEvent(listener: (worker: number, m: WorkerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Replace every worker (after one died or hung): the old ones are gone when this resolves. */
  restartAll(): Promise<void> {
    return this.restart(this.procs.map((_, i) => i));
  }

  /** Replace the given workers (fresh processes in their places); the old ones are gone when this resolves. */
  async restart(workers: readonly number[]): Promise<void> {
    await Promise.all(
      workers.map(async (i) => {
        const old = this.procs[i]!;
        if (old.exitCode === null && old.signalCode === null) {
          const gone = new Promise((resolve) => old.once('exit', resolve));
          old.kill('SIGKILL');
          await gone;
        }
        await this.spawn(i);
      }),
    );
  }

  /** Stop every worker; SIGKILL whatever has not left after `graceMs`. Always safe to call. */
  close(graceMs = 1000): Promise<void> {
    this.stopped = true;
    this.closed ??= this.stopAll(graceMs);
    return this.closed;
  }

  private async stopAll(graceMs: number): Promise<void> {
    const alive = this.procs.filter((p) => p.exitCode === null && p.signalCode === null);
    await Promise.all(
      alive.map(
        (p) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
            p.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            if (p.connected) p.disconnect();
            else p.kill('SIGKILL');
          }),
      ),
    );
  }

  /** Synchronous last resort (process 'exit' handlers): kill everything still running. */
  killAll(): void {
    this.stopped = true;
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }
}
