/**
 * --fault restart-server on NATS (lib/drivers/steady.ts has the why): a request made while the
 * server restarts times out, finds "no responders", or meets JetStream answering 503 before it has
 * recovered its streams; asked again, it succeeds.
 */
import { errorText, steady as again } from '../steady.ts';

/** A request's own timeout with the fault (the client's default is 5 s): a request lost in the restart is asked again sooner. */
export const STEADY_TIMEOUT_MS = 2000;

const TRANSIENT = /timeout|no responders|not enabled|unavailable|disconnect|reconnect|connection (closed|draining)|503/i;

export function steady<T>(call: () => Promise<T>): Promise<T> {
  return again(call, (e) => TRANSIENT.test(errorText(e)));
}
