/**
 * Worker side of the Redis driver: calibration and one config's clients.
 *
 * Design notes (docs/drivers.md has the overview; scripts/redis-design-bench.ts measures each
 * choice against its alternatives on a private server):
 *  - Inbox: a stream per agent with a consumer group, received by one Lua script call. A list
 *    (LPUSH + RPOP) or a group-less stream cost about the same per message; the stream keeps entry
 *    ids, consumer groups, and with XDEL after XACK an XLEN equal to the unread mail (what
 *    rate_limiting and leftover read).
 *  - Layers issue their own command in the same tick as the operation where they can, so both go
 *    out in one socket write (metrics on send, health's heartbeat); metrics on receive needs the
 *    reply first, and rate_limiting's XLEN reply decides whether the send happens: one more round
 *    trip each.
 *  - shutdown: the request reaches other processes one PUBLISH later; the requesting one at once.
 */
import type { DriverClient } from '../contract.ts';
import { calibrateRedis } from './calibrate.ts';
import { openConfigClient } from './config-client.ts';
import type { RedisCellSpec, RedisShared } from './host.ts';

export const client: DriverClient = {
  calibrate: async ({ shared, effort }) => calibrateRedis(shared as RedisShared, Math.max(50, Math.round(300 * effort))),
  open: async ({ shared, cell, config, scale, local, layer }) =>
    openConfigClient({ url: (shared as RedisShared).url, base: (cell as RedisCellSpec).base, config, scale, local, layer, reconnect: (shared as RedisShared).reconnect === true }),
};
