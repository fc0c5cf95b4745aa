import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { perCall } from '../../measure/calibrate.ts';
import type { DriverCalibration } from '../contract.ts';
import { CALIBRATION_BODY } from '../calibration.ts';
import { TmpfsBus } from './bus.ts';


/**
 * The reference bus against its floor, each the fastest of several blocks (measure/calibrate.ts):
 *  - the floor: write temp + rename + readdir + read + unlink of one message, nothing else;
 *  - bus_round_trip_us / bus_send_us: the reference bus doing the same at one agent, and a send alone.
 */
export function calibrateTmpfs(dir: string, rounds: number): DriverCalibration {
  mkdirSync(dir, { recursive: true });
  const blocks = 11;
  const text = JSON.stringify({ id: 'x', from: 'agent-00000', to: 'agent-00000', seq: 0, sent_at_ns: '0', payload: CALIBRATION_BODY });
  const inbox = join(dir, 'floor', 'inbox');
  const tmpDir = join(dir, 'floor', 'tmp');
  mkdirSync(inbox, { recursive: true });
  mkdirSync(tmpDir, { recursive: true });
  const fsRounds = Math.max(50, Math.round(rounds / 20));
  const floor = perCall(fsRounds, blocks, (i) => {
    const tmp = join(tmpDir, `${i}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(inbox, `${i}.json`));
    for (const name of readdirSync(inbox)) {
      const p = join(inbox, name);
      JSON.parse(readFileSync(p, 'utf8'));
      unlinkSync(p);
    }
  });

  const bus = new TmpfsBus(join(dir, 'bus'));
  const a = 'agent-00000';
  bus.register(a);
  const roundTrip = perCall(fsRounds, blocks, () => {
    bus.send(a, a, CALIBRATION_BODY);
    bus.receive(a);
  });
  // Sends alone, in blocks of 20 so the inbox stays as small as in the round trip (a directory of
  // thousands of entries makes rename slower); the inbox is emptied, untimed, after each block.
  const send = perCall(
    20,
    fsRounds,
    () => {
      bus.send(a, a, CALIBRATION_BODY);
    },
    () => {
      while (bus.receive(a) !== null);
    },
  );
  bus.close();
  rmSync(dir, { recursive: true, force: true });
  const us = floor / 1000;
  return {
    floor_name: 'syscalls: write temp + rename + readdir + read + unlink',
    floor_round_trip_us: us,
    bus_round_trip_us: roundTrip / 1000,
    bus_send_us: send / 1000,
    extra: { syscall_floor_round_trip_us: Number(us.toFixed(3)) },
  };
}
