/**
 * A private nats-server for one run: JetStream on, its store under the run's tmpfs directory,
 * listening on a free loopback port. Started, waited for, and always stopped (SIGTERM, then
 * SIGKILL after a grace; `killSync` for process 'exit' handlers, where nothing async runs).
 * Also the check that a user's server (--nats-url) is reachable and has JetStream.
 * The NATS client is imported lazily: this file must stay cheap for whoever imports it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { UsageError } from '../../config/errors.ts';

export interface PrivateServer {
  readonly url: string;
  readonly pid: number;
  readonly version: string;
  readonly storeDir: string;
  readonly port: number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Always safe to call. */
  stop(graceMs?: number): Promise<void>;
  /** Synchronous last resort: SIGKILL. */
  killSync(): void;
}

const INSTALL_HINT = 'install it (apt-get install nats-server) or name it with --nats-server BIN, or use a running server with --nats-url nats://HOST:PORT';

/** A port the kernel says is free now (listen on 0, read it, close). Another process may take it before
 * the server binds; `startServer` retries on that. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** `nats-server --version`, or a UsageError when the binary cannot be run. */
export function serverVersion(bin: string, flag = '--nats-server'): string {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined) {
    const code = (r.error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'not executable' : r.error.message;
    throw new UsageError([`${flag}: nats-server "${bin}" ${why}; ${INSTALL_HINT}`]);
  }
  const out = `${r.stdout}${r.stderr}`.trim();
  const m = /v?(\d+\.\d+\.\d+\S*)/.exec(out);
  if (r.status !== 0 || m === null) throw new UsageError([`${flag}: "${bin} --version" did not print a nats-server version (${out.slice(0, 120) || `exit ${r.status}`}); ${INSTALL_HINT}`]);
  return m[1] ?? out;
}

/**
 * Start nats-server with JetStream, its store in `${dir}/jetstream`, on 127.0.0.1 and a free port.
 * Ready when it logs "Server is ready" (it logs that only once the client port is listening and
 * JetStream is up). A binary that is missing or not a nats-server: UsageError (exit 2).
 */
export async function startServer(bin: string, dir: string, opts: { readyTimeoutMs?: number; flag?: string } = {}): Promise<PrivateServer> {
  const version = serverVersion(bin, opts.flag);
  const storeDir = join(dir, 'jetstream');
  mkdirSync(storeDir, { recursive: true });
  let last = '';
  // The free port can be taken between our probe and the server's bind: try a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(bin, ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    const ready = await waitReady(child, opts.readyTimeoutMs ?? 10_000);
    if (ready.ok && child.pid !== undefined) return handle(child, child.pid, port, version, storeDir);
    last = ready.log;
    await stopChild(child, 500);
    if (!/address already in use/i.test(ready.log)) break;
  }
  throw new Error(`nats-server did not start: ${last.trim().split('\n').slice(-5).join(' | ') || 'no output'}`);
}

function waitReady(child: ChildProcess, timeoutMs: number): Promise<{ ok: boolean; log: string }> {
  return new Promise((resolve) => {
    let log = '';
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // Keep reading stderr (so the server never blocks on a full pipe) but stop collecting it.
      child.stderr?.removeListener('data', onData);
      child.stderr?.resume();
      child.removeListener('exit', onExit);
      resolve({ ok, log });
    };
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) finish(true);
    };
    const onExit = () => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (e) => {
      log += String(e);
      finish(false);
    });
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (exited(child) || child.pid === undefined) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!exited(child)) child.kill('SIGKILL');
  }, graceMs);
  await gone;
  clearTimeout(timer);
}

function handle(child: ChildProcess, pid: number, port: number, version: string, storeDir: string): PrivateServer {
  return {
    url: `nats://127.0.0.1:${port}`,
    pid,
    port,
    version,
    storeDir,
    stop: (graceMs = 3000) => stopChild(child, graceMs),
    killSync: () => {
      if (exited(child)) return;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

/** `nats://user:pass@host:4222` → `nats://host:4222`: URLs go into records, credentials must not. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

/**
 * A user's server must answer and have JetStream. Connects, asks for the account's JetStream info,
 * and closes. Any failure is a UsageError naming the flag and the fix.
 */
export async function checkUserServer(url: string, flag: string, timeoutMs = 3000): Promise<{ version: string; jetstream: Record<string, unknown> }> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  let nc;
  try {
    nc = await connect({ servers: url, timeout: timeoutMs, reconnect: false, name: 'busbench-check' });
  } catch (e) {
    throw new UsageError([`${flag}: cannot connect to ${redactUrl(url)} (${(e as Error).message}); start a nats-server with JetStream there (nats-server -js), or leave ${flag} unset to let busbench start a private one`]);
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
    const acc = await jsm.getAccountInfo();
    return { version: nc.info?.version ?? 'unknown', jetstream: { memory_used: acc.memory, storage_used: acc.storage, limits: acc.limits } };
  } catch (e) {
    throw new UsageError([`${flag}: ${redactUrl(url)} answers but has no JetStream for this account (${(e as Error).message}); restart it with -js (or jetstream {} in its config), or leave ${flag} unset to let busbench start a private one`]);
  } finally {
    await nc.close().catch(() => {});
  }
}
