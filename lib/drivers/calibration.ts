/** What every driver's calibration (its floor and its bus at one agent) shares. */
import type { Body, ConfigClient } from './contract.ts';

/** The message every driver's calibration sends: a round number and a 245-character payload. */
export const CALIBRATION_BODY: Body = { k: 0, data: 'x'.repeat(245) };

/**
 * A block of sends alone, agent 0 to itself, for measure/calibrate.ts interleavedAsync: 20 to a
 * block, so the inbox stays as short as in a round trip, emptied untimed after each block.
 */
export function sendsAlone(client: ConfigClient): { rounds: number; fn: () => Promise<unknown>; between: () => Promise<unknown> } {
  return {
    rounds: 20,
    fn: async () => client.send(0, 0, CALIBRATION_BODY),
    between: async () => {
      while ((await client.receive(0)) !== null);
    },
  };
}
