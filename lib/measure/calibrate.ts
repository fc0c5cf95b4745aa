import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { TmpfsBus } from '../drivers/tmpfs/bus.ts';
import type { Calibration } from '../agents/protocol.ts';
import { makePayload } from '../agents/workload.ts';
import { Samples } from './samples.ts';

const hr = process.hrtime.bigint;

/**
 * Per-iteration time of `fn` run `rounds` times in a row, in the fastest of `blocks` blocks: the
 * block least disturbed by the rest of the machine (preemption only ever adds time). `between`
 * runs untimed after each block (to reset state, e.g. empty an inbox).
 */
function perCall(rounds: number, blocks: number, fn: (i: number) => void, between: () => void = () => {}): number {
  const per: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const t0 = hr();
    for (let i = 0; i < rounds; i++) fn(i);
    per.push(Number(hr() - t0) / rounds);
    between();
  }
  return Math.min(...per);
}

/**
 * What the harness costs and what the bus's syscalls cost on their own, measured in a worker
 * before the matrix. Nothing is subtracted from any result; these figures go into the `run`
 * record so a reader can judge the resolution.
 * Each figure is from the fastest of several blocks (see perCall).
 *  - timer_empty_p50_ns: median of an empty timed region (two clock reads).
 *  - harness_cost_per_call_ns: extra time per call of timing it and storing the sample.
 *  - syscall_floor_round_trip_us: write temp + rename + readdir + read + unlink, nothing else.
 *  - bus_round_trip_us / bus_send_us: the reference bus doing the same at one agent.
 */
export function calibrate(dir: string, rounds: number): Calibration {
  mkdirSync(dir, { recursive: true });
  const blocks = 11;

  const empty = new Samples(rounds);
  for (let i = 0; i < rounds; i++) {
    const t0 = hr();
    const t1 = hr();
    empty.push(Number(t1 - t0));
  }
  const timerEmpty = median(Array.from(empty.values()));

  let sink = 0;
  const work = (i: number) => {
    sink = (sink + i * 7) % 1013;
  };
  const untimed = perCall(rounds, blocks, work);
  const s = new Samples(rounds * blocks);
  const timed = perCall(rounds, blocks, (i) => {
    const t0 = hr();
    work(i);
    s.push(Number(hr() - t0));
  });
  const harness = Math.max(0, timed - untimed);

  const payload = JSON.stringify({ id: 'x', from: 'agent-00000', to: 'agent-00000', seq: 0, sent_at_ns: '0', payload: makePayload(256) });
  const inbox = join(dir, 'floor', 'inbox');
  const tmpDir = join(dir, 'floor', 'tmp');
  mkdirSync(inbox, { recursive: true });
  mkdirSync(tmpDir, { recursive: true });
  const fsRounds = Math.max(50, Math.round(rounds / 20));
  const floor = perCall(fsRounds, blocks, (i) => {
    const tmp = join(tmpDir, `${i}.tmp`);
    writeFileSync(tmp, payload);
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
  const body = makePayload(256);
  const roundTrip = perCall(fsRounds, blocks, () => {
    bus.send(a, a, body);
    bus.receive(a);
  });
  // Sends alone, in blocks of 20 so the inbox stays as small as in the round trip (a directory of
  // thousands of entries makes rename slower); the inbox is emptied, untimed, after each block.
  const send = perCall(
    20,
    fsRounds,
    () => {
      bus.send(a, a, body);
    },
    () => {
      while (bus.receive(a) !== null);
    },
  );
  bus.close();
  rmSync(dir, { recursive: true, force: true });

  const round = (x: number, d = 3) => Number(x.toFixed(d));
  return {
    timer_empty_p50_ns: round(timerEmpty, 1),
    harness_cost_per_call_ns: round(harness, 1),
    syscall_floor_round_trip_us: round(floor / 1000),
    bus_round_trip_us: round(roundTrip / 1000),
    bus_send_us: round(send / 1000),
    bus_vs_floor_ratio: round(roundTrip / floor),
    harness_pct_of_send: round((100 * harness) / send, 4),
  };
}
