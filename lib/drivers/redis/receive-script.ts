/**
 * The receive as one server-side script: XREADGROUP COUNT 1 takes the oldest new entry of the
 * agent's inbox, XACK and XDEL remove it, all atomically in one round trip. Done as client calls it
 * costs three round trips (every run's calibration records both: floor_round_trip_us against
 * three_call_receive_us; scripts/redis-design-bench.ts compares more designs), and a crash between
 * the calls would leave the entry pending. XDEL keeps the inbox as long as its unread mail,
 * so XLEN is the inbox depth (rate_limiting) and what a drain leaves behind (leftover).
 *
 * KEYS[1] inbox stream; ARGV[1] group; ARGV[2] consumer. Returns {entry id, message JSON} or nil.
 */
import { createHash } from 'node:crypto';
import type { Conn } from './connect.ts';

const RECEIVE_LUA = `local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', 1, 'STREAMS', KEYS[1], '>')
if not r then return false end
local e = r[1][2][1]
if not e then return false end
redis.call('XACK', KEYS[1], ARGV[1], e[1])
redis.call('XDEL', KEYS[1], e[1])
return {e[1], e[2][2]}`;

const RECEIVE_SHA = createHash('sha1').update(RECEIVE_LUA).digest('hex');

/**
 * Run the receive script: EVALSHA (the script is loaded once per server), falling back to EVAL
 * when the server does not know it (a restart or SCRIPT FLUSH), which also caches it again.
 */
export async function receiveRaw(c: Conn, inbox: string, group: string, consumer: string, regroup = false): Promise<[string, string] | null> {
  try {
    return await evalReceive(c, inbox, group, consumer);
  } catch (e) {
    if (!regroup || !String((e as Error).message).includes('NOGROUP')) throw e;
    // --fault restart-server without persistence: the restarted server has no inbox and no group.
    // A Redis application makes them again (from the stream's start: mail sent since the restart
    // is kept; what the restart took is lost, and counted so).
    await c.sendCommand(['XGROUP', 'CREATE', inbox, group, '0', 'MKSTREAM']).catch((x: Error) => {
      if (!String(x.message).includes('BUSYGROUP')) throw x;
    });
    return evalReceive(c, inbox, group, consumer);
  }
}

async function evalReceive(c: Conn, inbox: string, group: string, consumer: string): Promise<[string, string] | null> {
  try {
    return (await c.sendCommand(['EVALSHA', RECEIVE_SHA, '1', inbox, group, consumer])) as [string, string] | null;
  } catch (e) {
    if (!String((e as Error).message).startsWith('NOSCRIPT')) throw e;
    return (await c.sendCommand(['EVAL', RECEIVE_LUA, '1', inbox, group, consumer])) as [string, string] | null;
  }
}
