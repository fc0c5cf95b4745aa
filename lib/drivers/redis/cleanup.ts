import type { Conn } from './connect.ts';

/**
 * Remove exactly these keys (the names the run made, keys.ts): UNLINK in batches, never a listing
 * of the server's keys (the server may be the user's, and large). A name never created is no
 * error. Returns how many keys went.
 */
export async function unlinkAll(c: Conn, names: readonly string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < names.length; i += 1000) n += Number(await c.sendCommand(['UNLINK', ...names.slice(i, i + 1000)]));
  return n;
}
