import type { Conn } from './connect.ts';
import { matchUnder } from './keys.ts';

/**
 * Remove every key under `prefix:` and nothing else: SCAN MATCH (never KEYS, which blocks the
 * server, nor FLUSHDB: the server may be the user's), UNLINK in batches. Returns how many went.
 */
export async function deleteUnder(c: Conn, prefix: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = (await c.sendCommand(['SCAN', cursor, 'MATCH', matchUnder(prefix), 'COUNT', '1000'])) as [string, string[]];
    cursor = String(next);
    if (keys.length > 0) n += Number(await c.sendCommand(['UNLINK', ...keys]));
  } while (cursor !== '0');
  return n;
}
