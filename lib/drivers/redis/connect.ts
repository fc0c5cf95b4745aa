/**
 * Connections with a short connect timeout and no reconnecting: a server that goes away fails the
 * cell at once instead of queueing commands forever, and an unreachable URL is reported quickly.
 */
import { createClient } from 'redis';

export type Conn = ReturnType<typeof make>;

export interface ConnectOptions {
  connectTimeoutMs?: number;
  name?: string;
}

function make(url: string, o: ConnectOptions) {
  return createClient({
    url,
    ...(o.name ? { name: o.name } : {}),
    socket: { connectTimeout: o.connectTimeoutMs ?? 2000, reconnectStrategy: false },
    disableOfflineQueue: true,
  });
}

export async function connect(url: string, o: ConnectOptions = {}): Promise<Conn> {
  const c = make(url, o);
  // Errors also reject the command that met them; the listener only keeps an 'error' event
  // (e.g. the server closing the socket) from crashing the process.
  c.on('error', () => undefined);
  try {
    await c.connect();
  } catch (e) {
    c.destroy();
    throw e;
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

/** The URL without its password, for records and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable URL)';
  }
}
