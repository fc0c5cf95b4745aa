/**
 * The closed loop (busbench's default): round after round, every local agent sends its round's
 * messages and then takes its mail, as fast as the bus answers. A slow call delays every call
 * after it, so the loop measures calls, never a rate (see open.ts for that).
 */
import { seededShuffle } from '../stats/rng.ts';
import type { CellSpec } from '../core/protocol.ts';
import { hr, queryHealth, sendStep, takeAsync, takeSync, type CellState, type Part } from './state.ts';
import type { Pattern } from './pattern.ts';

/** Messages each local agent sends in a closed-loop cell. */
export function closedSends(spec: CellSpec, pattern: Pattern): number[] {
  return spec.local.map((agent) => spec.iterations * pattern.perRound(agent, spec.scale));
}

/** The most messages any agent of the cell sends (on any worker). */
export function closedMost(spec: CellSpec, pattern: Pattern): number {
  let m = 0;
  for (let i = 0; i < spec.scale; i++) m = Math.max(m, spec.iterations * pattern.perRound(i, spec.scale));
  return m;
}

/**
 * Round k of one config: every local agent sends its round's messages, then takes its mail. A
 * sync client runs it without a single await; an async one awaits each call, its agents together
 * when the driver says they run concurrently.
 */
function round(cur: CellState, p: Part, k: number): void | Promise<void> {
  const { spec, pattern } = cur;
  const slots = spec.local.length;
  const query = spec.coordinator && p.client.healthQuery !== undefined && k % spec.healthQueryEvery === spec.healthQueryEvery - 1;
  if (p.client.sync) {
    for (let slot = 0; slot < slots; slot++) {
      const m = pattern.perRound(spec.local[slot]!, spec.scale);
      for (let j = 0; j < m; j++) sendStep(cur, p, slot, k * m + j);
    }
    for (let slot = 0; slot < slots; slot++) p.got[slot]! += takeSync(cur, p, slot);
    return query ? queryHealth(p) : undefined;
  }
  return (async () => {
    const all = Array.from({ length: slots }, (_, s) => s);
    const sendAll = async (slot: number) => {
      const m = pattern.perRound(spec.local[slot]!, spec.scale);
      for (let j = 0; j < m; j++) await sendStep(cur, p, slot, k * m + j);
    };
    if (p.client.concurrent) {
      await Promise.all(all.map(sendAll));
      const took = await Promise.all(all.map((slot) => takeAsync(cur, p, slot)));
      took.forEach((n, slot) => (p.got[slot]! += n));
    } else {
      for (const slot of all) await sendAll(slot);
      for (const slot of all) p.got[slot]! += await takeAsync(cur, p, slot);
    }
    if (query) await queryHealth(p);
  })();
}

/**
 * Every round of the cell. With several configs they take turns round by round (each round every
 * agent sends through each config, the configs in a freshly shuffled order), so the machine's
 * state at any moment falls on all of them alike. `beforeRound` (--fault) may strike before round
 * k, and once more after the last (k = iterations).
 */
export async function runClosed(cur: CellState, random: () => number, beforeRound?: (k: number) => Promise<void> | void): Promise<void> {
  const { parts, spec } = cur;
  // A soak (lib/soak/): rounds until its deadline, one every soakEveryMs (sleeping lets IPC through).
  const t0 = Number(hr());
  const until = spec.soakMs === undefined ? null : t0 + spec.soakMs * 1e6;
  for (let k = 0; until === null ? k < spec.iterations : Number(hr()) < until; k++) {
    const f = beforeRound?.(k);
    if (f) await f;
    for (const p of parts.length > 1 ? seededShuffle(parts, random) : parts) {
      const r = round(cur, p, k);
      if (r) await r;
    }
    const ahead = until === null ? 0 : (t0 + (k + 1) * spec.soakEveryMs! * 1e6 - Number(hr())) / 1e6;
    if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
  }
  const f = beforeRound?.(cur.spec.iterations);
  if (f) await f;
}
