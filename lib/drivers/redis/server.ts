/**
 * A private redis-server for one run: loopback only, a free port, its files under the run's tmpfs
 * directory, no persistence unless asked (the start and stop are lib/drivers/server.ts's).
 * Ready when the port answers PING and that answer is our child's: `INFO server`'s process_id is
 * the pid we started. A redis-server of someone else's that took the port between our probe and
 * our bind answers PING too; then our child is stopped and another port tried.
 */
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { binaryVersion, NotStarted, relaunchOn, spawnServer, startOnFreePort, type ChildServer } from '../server.ts';

export type Persistence = 'off' | 'rdb' | 'aof';

/** redis-server arguments for each persistence mode (off: nothing ever touches the disk). */
function persistenceArgs(p: Persistence): string[] {
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
  readonly version: string;
  readonly process: ChildServer;
  /** Start it again on the same port, dir and persistence, once this one is stopped (--fault restart-server). */
  relaunch(): Promise<this>;
}

const INSTALL = 'install it (apt-get install redis-server) or name it with --redis-server BIN, or give a running server with --redis-url';

/**
 * One raw exchange over TCP (no client library needed to wait for the server): PING, then
 * INFO server. The pid of the redis-server that answered +PONG, or null (no answer yet, refused,
 * or not PONG: a server that wants a password is not ours).
 */
function answeringPid(port: number, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    const done = (pid: number | null) => {
      sock.destroy();
      resolve(pid);
    };
    sock.setTimeout(timeoutMs, () => done(null));
    sock.once('error', () => done(null));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n') && !buf.startsWith('+PONG')) return done(null);
      const m = /\r\nprocess_id:(\d+)\r\n/.exec(buf);
      if (m !== null) done(Number(m[1]));
    });
    sock.once('connect', () => sock.write('PING\r\nINFO server\r\n'));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startServer(o: { bin: string; dir: string; persistence: Persistence; readyTimeoutMs?: number }): Promise<PrivateServer> {
  const version = binaryVersion({ bin: o.bin, flag: '--redis-server', product: 'redis-server', hint: INSTALL, version: /v=(\d+\.\d+\.\d+)/ });
  mkdirSync(o.dir, { recursive: true });
  const readyMs = o.readyTimeoutMs ?? 10_000;
  const launch = async (port: number): Promise<PrivateServer | NotStarted> => {
    const p = spawnServer(o.bin, [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--protected-mode', 'yes',
      '--dir', o.dir,
      '--daemonize', 'no',
      '--logfile', '',
      '--loglevel', 'warning',
      // No surprise from the machine's own /etc/redis/redis.conf: nothing is read but these.
      ...persistenceArgs(o.persistence),
    ]);
    const deadline = Date.now() + readyMs;
    while (Date.now() < deadline) {
      if (!p.running) return new NotStarted(`exited at start-up: ${p.tail(3)}`, /Address already in use/i.test(p.output));
      const pid = await answeringPid(port, 500);
      if (pid !== null && p.running) {
        if (pid !== p.pid) {
          await p.stop(500);
          return new NotStarted(`port ${port} is answered by another redis-server (pid ${pid})`, true);
        }
        p.detach();
        return { url: `redis://127.0.0.1:${port}`, version, process: p, relaunch: () => relaunchOn('redis-server', port, launch) };
      }
      await sleep(20);
    }
    await p.stop();
    return new NotStarted(`no answer to PING within ${readyMs} ms: ${p.tail(3)}`, false);
  };
  return startOnFreePort('redis-server', launch);
}
