/**
 * The life of a server a networked driver starts for one run (nats-server, redis-server): the
 * binary's version check, a start on a free loopback port (retried on another port when the one
 * probed free was taken before the server bound it), and a stop that always happens (SIGTERM,
 * SIGKILL after a grace; `killSync` for process 'exit' handlers, where nothing async runs).
 * Also what a run on such a server shares whoever started it: redacting a URL for records, and the
 * DriverRun parts that do not depend on the bus (pids, killSync, close-then-stop).
 * No client library here: a driver's host imports this, never its entry.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { UsageError } from '../core/errors.ts';
import type { CellBus, CellPlace, DriverRun, ServerRestart } from './contract.ts';

/** A port the kernel says is free now (listen on 0, read it, close). Another process may take it before a server binds it: startOnFreePort retries. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

interface Binary {
  /** The binary as the user named it (or the default). */
  bin: string;
  /** The flag that names it, for messages. */
  flag: string;
  /** What it should be: "nats-server". */
  product: string;
  /** How to get one, or what to use instead. */
  hint: string;
  /** Finds the version in `--version`'s output (first group). */
  version: RegExp;
}

/** `<bin> --version`'s version, or a UsageError (exit 2) naming the flag, with the install hint. */
export function binaryVersion(b: Binary): string {
  const r = spawnSync(b.bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined) {
    const code = (r.error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'ENOENT: not found' : code === 'EACCES' ? 'EACCES: not executable' : r.error.message;
    throw new UsageError([`${b.flag}: cannot run ${b.product} "${b.bin}" (${why}); ${b.hint}`]);
  }
  const out = `${r.stdout}${r.stderr}`.trim();
  const m = b.version.exec(out);
  if (r.status !== 0 || m === null) throw new UsageError([`${b.flag}: "${b.bin} --version" did not print a ${b.product} version (${out.slice(0, 120) || `exit ${r.status}`}); ${b.hint}`]);
  return m[1] ?? out;
}

/** A server process started by busbench: its output's tail, and its stop. */
export class ChildServer {
  readonly pid: number;
  /** The last few KB of what it wrote (stdout and stderr), for messages. */
  output = '';
  private gone = false;
  private readonly exit: Promise<void>;
  private readonly watchers = new Set<() => void>();

  constructor(private readonly child: ChildProcess) {
    this.pid = child.pid ?? -1;
    this.exit = new Promise((resolve) => {
      child.once('exit', () => {
        this.gone = true;
        this.changed();
        resolve();
      });
    });
    child.once('error', (e) => {
      this.keep(String(e));
      // A spawn that failed never emits 'exit'.
      if (child.pid === undefined) {
        this.gone = true;
        this.changed();
      }
    });
    const keep = (d: Buffer) => this.keep(d.toString('utf8'));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  get running(): boolean {
    return !this.gone && this.child.exitCode === null && this.child.signalCode === null && this.pid > 0;
  }

  /** The output's last `lines` lines on one line, for a message. */
  tail(lines = 5): string {
    return this.output.trim().split('\n').slice(-lines).join(' | ') || 'no output';
  }

  /**
   * Resolves true once `ready(output)` holds, false when the process exits first or `timeoutMs`
   * passes.
   */
  waitOutput(ready: (output: string) => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (ready(this.output)) finish(true);
        else if (!this.running) finish(false);
      };
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.watchers.delete(check);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.watchers.add(check);
      check();
    });
  }

  /** Once it runs: its output is still read (a full pipe would block it) but it no longer keeps the harness alive. */
  detach(): void {
    for (const s of [this.child.stdout, this.child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
    this.child.unref();
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Always safe to call. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.killSync(), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  /** Synchronous last resort: SIGKILL. */
  killSync(): void {
    if (!this.running) return;
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  private keep(text: string): void {
    this.output = (this.output + text).slice(-4000);
    this.changed();
  }

  private changed(): void {
    for (const w of [...this.watchers]) w();
  }
}

/** Start `bin args` with its output piped (and collected), stdin closed. */
export function spawnServer(bin: string, args: readonly string[]): ChildServer {
  return new ChildServer(spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** An attempt that did not give a server: why, and whether another port may do better. */
export class NotStarted {
  constructor(
    readonly why: string,
    readonly portTaken: boolean,
  ) {}
}

/**
 * Start a server on a free loopback port: `attempt(port)` starts it and waits until it is ready
 * (or stops it and says why not). A port taken between the probe and the server's bind gets
 * another try on another port.
 */
export async function startOnFreePort<T>(product: string, attempt: (port: number) => Promise<T | NotStarted>, tries = 3): Promise<T> {
  let last = 'no attempt';
  for (let i = 0; i < tries; i++) {
    const r = await attempt(await freePort());
    if (!(r instanceof NotStarted)) return r;
    last = r.why;
    if (!r.portTaken) break;
  }
  throw new Error(`${product} did not start: ${last}`);
}

/** --fault restart-server: the same server started again on its port; an attempt that gives none is an error. */
export async function relaunchOn<T>(product: string, port: number, launch: (port: number) => Promise<T | NotStarted>): Promise<T> {
  const r = await launch(port);
  if (r instanceof NotStarted) throw new Error(`${product} did not start again on port ${port}: ${r.why}`);
  return r;
}

/**
 * `scheme://user:pass@host:port` → `scheme://user:***@host:port`; a user alone (a token, as NATS
 * accepts) becomes `***` too. URLs go into records and messages; credentials must not.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    else if (u.username !== '') u.username = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable URL)';
  }
}

/** A server busbench started: its process, and how to start it again (same port and settings) once stopped. */
export interface OwnServer {
  readonly process: ChildServer;
  relaunch(): Promise<this>;
}

/**
 * The part of a networked driver's run that does not depend on its bus: the server it started
 * (if any) for pids() and killSync(), and a close() that removes the run's names from the server
 * (`release`, the driver's) and then stops the server, whatever `release` did.
 */
export abstract class ServerRun<Shared, Own extends OwnServer = OwnServer> implements DriverRun {
  private closed = false;

  constructor(
    readonly info: Record<string, unknown>,
    readonly shared: Shared,
    /** The server this run started (null: a user's server); after a restart, the restarted one. */
    protected own: Own | null,
  ) {}

  private get server(): ChildServer | null {
    return this.own?.process ?? null;
  }

  /** After a restart: the run's own connections, made again to the new server. */
  protected reconnect(): Promise<void> {
    return Promise.resolve();
  }

  async restartServer(downMs: number): Promise<ServerRestart> {
    const own = this.own;
    if (own === null) throw new Error('this run has no server started by busbench to restart');
    const t0 = process.hrtime.bigint();
    await own.process.stop();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    const again = await own.relaunch();
    this.own = again;
    if (this.closed) {
      // The run ended while the server was down: the restarted one is stopped too.
      await again.process.stop();
      throw new Error('the run was closed while its server was restarting');
    }
    const outageMs = Number(process.hrtime.bigint() - t0) / 1e6;
    await this.reconnect();
    return { pids: [own.process.pid, again.process.pid], outageMs };
  }

  abstract openCell(cell: CellPlace): Promise<CellBus>;

  /** Remove what the run made on the server and close the run's connections. */
  protected abstract release(): Promise<void>;

  pids(): number[] {
    return this.server === null ? [] : [this.server.pid];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.release();
    } finally {
      await this.server?.stop();
    }
  }

  killSync(): void {
    this.server?.killSync();
  }
}
