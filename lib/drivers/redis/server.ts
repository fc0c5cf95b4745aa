/**
 * A private redis-server for one run: loopback only, a free port, its files under the run's tmpfs
 * directory, no persistence unless asked. It is always stopped: `stop()` in the normal path,
 * `killSync()` from a process 'exit' handler as the last resort.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { UsageError } from '../../config/errors.ts';

export type Persistence = 'off' | 'rdb' | 'aof';

/** redis-server arguments for each persistence mode (off: nothing ever touches the disk). */
export function persistenceArgs(p: Persistence): string[] {
  switch (p) {
    case 'off':
      return ['--save', '', '--appendonly', 'no'];
    case 'rdb':
      // redis's own default save points.
      return ['--save', '3600 1 300 100 60 10000', '--appendonly', 'no'];
    case 'aof':
      return ['--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'];
  }
}

export interface PrivateServer {
  readonly url: string;
  readonly pid: number;
  readonly version: string;
  readonly port: number;
  stop(): Promise<void>;
  killSync(): void;
}

const INSTALL = 'install it (apt-get install redis-server) or name it with --redis-server BIN, or give a running server with --redis-url';

/** `redis-server --version` → "7.0.15"; a missing binary is the user's to fix (exit 2). */
export function serverVersion(bin: string): string {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') throw new UsageError([`--redis-server: cannot run "${bin}" (${code}); ${INSTALL}`]);
    throw new UsageError([`--redis-server: "${bin} --version" failed (${r.error.message}); ${INSTALL}`]);
  }
  const m = /v=(\d+\.\d+\.\d+)/.exec(r.stdout);
  if (r.status !== 0 || !m) throw new UsageError([`--redis-server: "${bin}" does not look like redis-server ("${(r.stdout + r.stderr).trim().slice(0, 120)}"); ${INSTALL}`]);
  return m[1]!;
}

/** A port the kernel just had free on loopback. Another process may take it before redis does: start() retries. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** One raw PING over TCP: true when the server answers +PONG. No client library needed to wait for it. */
function pingOnce(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
    sock.once('connect', () => sock.write('PING\r\n'));
  });
}

/** How long redis-server may take to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 3000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StartOptions {
  bin: string;
  /** Directory for the server's files (dump, AOF); created if missing. */
  dir: string;
  persistence: Persistence;
  /** How long the server may take to answer PING. */
  readyTimeoutMs?: number;
}

export async function startServer(o: StartOptions): Promise<PrivateServer> {
  const version = serverVersion(o.bin);
  mkdirSync(o.dir, { recursive: true });
  let lastError = '';
  // The free port can be taken between our probe and redis's bind: try a few ports.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const r = await tryStart(o, port, version);
    if (typeof r !== 'string') return r;
    lastError = r;
    if (!/Address already in use/i.test(r)) break;
  }
  throw new Error(`redis-server did not start: ${lastError}`);
}

/** Start on `port`; the server, or why it failed (its last output lines). */
async function tryStart(o: StartOptions, port: number, version: string): Promise<PrivateServer | string> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--protected-mode', 'yes',
    '--dir', o.dir,
    '--daemonize', 'no',
    '--logfile', '',
    '--loglevel', 'warning',
    // No surprise from the machine's own /etc/redis/redis.conf: nothing is read but these.
    ...persistenceArgs(o.persistence),
  ];
  const child: ChildProcess = spawn(o.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString('utf8')).slice(-2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  child.once('error', (e) => {
    keep(Buffer.from(String(e)));
  });

  const killSync = () => {
    if (!exited && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const stop = async () => {
    if (exited || child.pid === undefined) return;
    // SIGTERM: redis exits cleanly (with persistence off it writes nothing); SIGKILL after a grace.
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_GRACE_MS)));
    const how = await Promise.race([exit.then(() => 'ok' as const), grace]);
    clearTimeout(timer);
    if (how === 'late') {
      killSync();
      await exit;
    }
  };

  const deadline = Date.now() + (o.readyTimeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (exited) return `exited at start-up: ${out.trim().split('\n').slice(-3).join(' | ')}`;
    if (await pingOnce(port, 500)) {
      const pid = child.pid!;
      // Keep reading its output (warnings only) without keeping the harness alive for it.
      for (const s of [child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
      child.unref();
      return { url: `redis://127.0.0.1:${port}`, pid, version, port, stop, killSync };
    }
    await sleep(20);
  }
  await stop();
  return `no answer to PING within ${o.readyTimeoutMs ?? 10_000} ms: ${out.trim().slice(-300)}`;
}
