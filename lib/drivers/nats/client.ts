/** Worker side of the NATS driver: calibration and one config's clients (see config-client.ts). */
import type { DriverClient } from '../contract.ts';
import { calibrateNats } from './calibrate.ts';
import { openConfigClient } from './config-client.ts';
import { namesOf } from './names.ts';
import { asCellSpec, asShared } from './shared.ts';

export const client: DriverClient = {
  calibrate: async ({ shared, effort }) => calibrateNats(asShared(shared), { rounds: Math.max(50, Math.round(200 * effort)) }),
  async open({ shared, cell, config, scale, local, layer }) {
    const s = asShared(shared);
    return openConfigClient({ url: s.url, names: namesOf(s.prefix, asCellSpec(cell).id, config), config, scale, local, layer, reconnect: s.reconnect === true });
  },
};
