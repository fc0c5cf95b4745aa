/**
 * --fault restart-server: what an application does while its server restarts. Its connection
 * reconnects by itself (each driver's connect options); a call made meanwhile fails with an error
 * the driver knows to be passing (`transient`: a timeout, a closed socket, a server still loading),
 * and the application asks again. `steady` does that: it repeats such a call every 50 ms until it
 * succeeds or STEADY_MS pass (then the error stands and fails the cell). Any other error is
 * thrown at once. A send asked again after its reply was lost may be stored twice: the receivers
 * then count a duplicate, which is what such a restart costs.
 * Without the fault, call sites do not go through here (no closure, no try: nothing is measured
 * that a run without restarts would not pay).
 */

/** How long a call is asked again, at most: far longer than a restart here (150–400 ms), shorter than a cell's timeout. */
export const STEADY_MS = 30_000;

/** How often a call (and a connection) is tried again. */
export const RETRY_MS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function steady<T>(call: () => Promise<T>, transient: (e: unknown) => boolean): Promise<T> {
  const end = Date.now() + STEADY_MS;
  for (;;) {
    try {
      return await call();
    } catch (e) {
      if (!transient(e) || Date.now() > end) throw e;
      await sleep(RETRY_MS);
    }
  }
}

/** An error's message and code on one line, for a driver's `transient` test. */
export function errorText(e: unknown): string {
  const x = e as { message?: unknown; code?: unknown; name?: unknown } | null;
  return `${String(x?.name ?? '')} ${String(x?.message ?? e)} ${String(x?.code ?? '')}`;
}
