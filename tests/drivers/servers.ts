/** Shared by the networked drivers' tests (nats, redis): servers to point them at. */
import { createServer, type Socket } from 'node:net';

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
