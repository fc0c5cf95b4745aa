/**
 * A private nats-server for one run: JetStream on, its store under the run's tmpfs directory,
 * listening on a free loopback port (the start and stop are lib/drivers/server.ts's).
 * Also the check that a user's server (--nats-url) is reachable and has JetStream.
 * The NATS client is imported lazily: this file must stay cheap for whoever imports it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { binaryVersion, NotStarted, relaunchOn, redactUrl, spawnServer, startOnFreePort, type ChildServer } from '../server.ts';

export interface PrivateServer {
  readonly url: string;
  readonly version: string;
  readonly storeDir: string;
  readonly process: ChildServer;
  /** Start it again with the same port and store, once this one is stopped (--fault restart-server). */
  relaunch(): Promise<this>;
}

const INSTALL_HINT = 'install it (apt-get install nats-server) or name it with --nats-server BIN, or use a running server with --nats-url nats://HOST:PORT';

/** How long a connect (TCP and the INFO/CONNECT handshake) may take before it fails. */
export const CONNECT_TIMEOUT_MS = 3000;

/**
 * Start nats-server, its store in `${dir}/jetstream`, on 127.0.0.1 and a free port, with JetStream
 * (a plain server without it only for tests of the --nats-url check). Ready when it logs "Server is
 * ready" (it logs that only once the client port is listening and JetStream is up). A binary that
 * is missing or not a nats-server: UsageError (exit 2).
 */
export async function startServer(bin: string, dir: string, opts: { readyTimeoutMs?: number; flag?: string; jetstream?: boolean } = {}): Promise<PrivateServer> {
  const version = binaryVersion({ bin, flag: opts.flag ?? '--nats-server', product: 'nats-server', hint: INSTALL_HINT, version: /v?(\d+\.\d+\.\d+\S*)/ });
  const storeDir = join(dir, 'jetstream');
  mkdirSync(storeDir, { recursive: true });
  const js = (opts.jetstream ?? true) ? ['-js', '-sd', storeDir] : [];
  const launch = async (port: number): Promise<PrivateServer | NotStarted> => {
    const p = spawnServer(bin, [...js, '-a', '127.0.0.1', '-p', String(port)]);
    if (await p.waitOutput((out) => out.includes('Server is ready'), opts.readyTimeoutMs ?? 10_000)) {
      p.detach();
      return { url: `nats://127.0.0.1:${port}`, version, storeDir, process: p, relaunch: () => relaunchOn('nats-server', port, launch) };
    }
    await p.stop(500);
    return new NotStarted(p.tail(), /address already in use/i.test(p.output));
  };
  return startOnFreePort('nats-server', launch);
}

/**
 * A user's server must answer and have JetStream. Connects, asks for the account's JetStream info,
 * and closes. Any failure is a UsageError naming the flag and the fix.
 */
export async function checkUserServer(url: string, flag: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<{ version: string; jetstream: Record<string, unknown> }> {
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
