/**
 * Connections with a deadline and no reconnecting: a server that goes away fails the cell at once
 * instead of queueing commands forever, and an unreachable URL is reported quickly.
 * The client's own `connectTimeout` covers only the TCP connect: a port that accepts connections
 * but never answers (not a Redis, or a stalled one) would hang the handshake forever, so the whole
 * connect (TCP, HELLO, CLIENT SETNAME) races a deadline and the client is destroyed when it passes.
 */
import { createClient } from 'redis';

export type Conn = ReturnType<typeof make>;

interface ConnectOptions {
  /** The whole connect, handshake included. */
  timeoutMs?: number;
  name?: string;
}

/** Checking a URL the user gave: an answer is expected within this, or the URL is a usage error. */
const TIMEOUT_MS = 2000;

/**
 * An agent's connection, in a worker: every agent of a cell connects at once (700 connections at
 * 100 agents and 7 configs), so on a loaded machine the handshakes queue for seconds; the run's
 * server was already found answering when the run started, so only a hang is to be caught here.
 */
export const AGENT_CONNECT_MS = 30_000;

function make(url: string, o: ConnectOptions) {
  return createClient({
    url,
    ...(o.name ? { name: o.name } : {}),
    socket: { connectTimeout: o.timeoutMs ?? TIMEOUT_MS, reconnectStrategy: false },
    disableOfflineQueue: true,
  });
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
    await Promise.race([c.connect(), deadline]);
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
