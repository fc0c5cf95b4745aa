/**
 * Connections with a deadline and no reconnecting: a server that goes away fails the cell at once
 * instead of queueing commands forever, and an unreachable URL is reported quickly. With
 * --fault restart-server (`reconnect`), connections do what a Redis application does instead: they
 * reconnect every 50 ms (for 30 s at most), queue the commands issued meanwhile, and a command the
 * restart made fail is asked again (lib/drivers/steady.ts).
 * The client's own `connectTimeout` covers only the TCP connect: a port that accepts connections
 * but never answers (not a Redis, or a stalled one) would hang the handshake forever, so the whole
 * connect (TCP, HELLO, CLIENT SETNAME) races a deadline and the client is destroyed when it passes.
 */
import { createClient } from 'redis';
import { errorText, RETRY_MS, steady, STEADY_MS } from '../steady.ts';

export type Conn = ReturnType<typeof make>;

interface ConnectOptions {
  /** The whole connect, handshake included. */
  timeoutMs?: number;
  name?: string;
  /** --fault restart-server: live through a restart of the server. */
  reconnect?: boolean;
}

/** Checking a URL the user gave: an answer is expected within this, or the URL is a usage error. */
const TIMEOUT_MS = 2000;

/**
 * An agent's connection, in a worker: every agent of a cell connects at once (700 connections at
 * 100 agents and 7 configs), so on a loaded machine the handshakes queue for seconds; the run's
 * server was already found answering when the run started, so only a hang is to be caught here.
 */
export const AGENT_CONNECT_MS = 30_000;

/**
 * The client's options carry nothing that differs between connections (no name: connect() names
 * the connection once it is open, so a reconnect or a duplicate() is not named). node-redis builds
 * a client class, with a method per command, for each distinct options object and caches only the
 * last one (by its JSON): a name per connection made it build one per connection, about 12 ms and
 * 1.8 MB each, which at 100 agents and 7 configs was 20 s of a cell and 1.2 GB of worker memory,
 * most of it spent collecting garbage.
 */
function make(url: string, o: ConnectOptions) {
  return createClient({
    url,
    socket: { connectTimeout: o.timeoutMs ?? TIMEOUT_MS, reconnectStrategy: o.reconnect ? (n: number) => (n * RETRY_MS > STEADY_MS ? new Error(`no Redis server back within ${STEADY_MS} ms`) : RETRY_MS) : false },
    disableOfflineQueue: !o.reconnect,
  });
}

/** Errors of a command caught by a restart: its socket closed under it, or the server still loading its data. */
const TRANSIENT = /socket closed|ECONNREFUSED|ECONNRESET|EPIPE|LOADING|reconnect/i;

/** --fault restart-server: every command of this connection that a restart makes fail is asked again. */
function steadyCommands(c: Conn): void {
  const send = c.sendCommand.bind(c) as (...args: unknown[]) => Promise<unknown>;
  (c as { sendCommand: unknown }).sendCommand = (...args: unknown[]) => steady(() => send(...args), (e) => TRANSIENT.test(errorText(e)));
}

export async function connect(url: string, o: ConnectOptions = {}): Promise<Conn> {
  const c = make(url, o);
  // Errors also reject the command that met them; the listener only keeps an 'error' event
  // (e.g. the server closing the socket) from crashing the process.
  c.on('error', () => undefined);
  const ms = o.timeoutMs ?? TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no Redis handshake within ${ms} ms (the port accepts connections but does not answer)`)), ms);
  });
  try {
    await Promise.race([c.connect().then(() => (o.name ? c.sendCommand(['CLIENT', 'SETNAME', o.name]) : undefined)), deadline]);
  } catch (e) {
    try {
      c.destroy();
    } catch {
      // never opened
    }
    throw e;
  } finally {
    clearTimeout(timer);
  }
  if (o.reconnect) steadyCommands(c);
  return c;
}

/** Close politely (QUIT after pending replies), or drop the socket when that fails. Never throws. */
export async function release(c: Conn): Promise<void> {
  try {
    if (c.isOpen) await c.close();
  } catch {
    try {
      c.destroy();
    } catch {
      // gone already
    }
  }
}
