/** Shared by the networked drivers' tests (nats, redis): servers to point them at, settings from flags. */
import { createServer, type Socket } from 'node:net';
import { Problem } from '../../lib/config/parse.ts';
import type { DriverEntry } from '../../lib/drivers/contract.ts';

/**
 * A loopback port that accepts TCP connections and never says a word (neither NATS's INFO nor a
 * Redis reply): a URL pointing at it must fail within the driver's deadline, not hang.
 */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const socks: Socket[] = [];
  const srv = createServer((s) => {
    socks.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const addr = srv.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of socks) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

/**
 * A driver's settings from raw flag values, as the options pipeline makes them: each given value
 * through its flag's `parse` (a Problem is collected, naming the flag), then `settings()` on the
 * parsed values. `s` is null when any problem was found.
 */
export function driverSettings<S>(entry: DriverEntry<S>, raw: Record<string, string>): { s: S | null; problems: string[] } {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const label = (key: string) => entry.flags.find((f) => f.key === key)?.flag ?? key;
  for (const f of entry.flags) {
    const r = raw[f.key];
    if (r === undefined) continue;
    try {
      values[f.key] = f.parse(r, f.flag);
    } catch (e) {
      if (!(e instanceof Problem)) throw e;
      problems.push(e.message);
    }
  }
  const s = entry.settings({ values, label, cellTimeoutS: 60 }, problems);
  return { s: problems.length > 0 ? null : s, problems };
}
