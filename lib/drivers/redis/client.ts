/** Worker side of the Redis driver: calibration and one config's clients. */
import type { DriverClient } from '../contract.ts';
import { calibrateRedis } from './calibrate.ts';
import { openConfigClient } from './config-client.ts';
import type { RedisCellSpec, RedisShared } from './host.ts';

export const client: DriverClient = {
  calibrate: async ({ shared }) => calibrateRedis(shared as RedisShared),
  open: async ({ shared, cell, config, scale, local, layer }) =>
    openConfigClient({ url: (shared as RedisShared).url, base: (cell as RedisCellSpec).base, config, scale, local, layer }),
};
